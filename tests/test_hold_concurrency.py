from contextlib import closing

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestHoldConcurrency(TransactionCase):
    """QA holds a lot at the very moment a storekeeper moves it out of quarantine.

    Each step runs in its own database transaction, as two users of two browsers would.
    The data is committed (another transaction could not see it otherwise), in a company of
    its own so that other tests never meet it.
    """

    def _env(self, cr):
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        company = env["res.company"].search([("name", "=", "Race Salt Works")])
        if not company:
            company = env["res.company"].create({"name": "Race Salt Works"})
        return env(context=dict(env.context, allowed_company_ids=company.ids))

    def _commit_transfer_of_a_free_lot(self):
        """Salt in quarantine, and a transfer of it to a shelf, committed; return their ids."""
        with closing(self.registry.cursor()) as cr:
            env = self._env(cr)
            product = env["product.product"].create(
                {
                    "name": "Concurrency Salt",
                    "is_storable": True,
                    "tracking": "lot",
                    "company_id": env.company.id,
                }
            )
            warehouse = env["stock.warehouse"].search(
                [("company_id", "=", env.company.id)], limit=1
            )
            lot = env["stock.lot"].create(
                {"name": "SALT-RACE-1", "product_id": product.id, "company_id": env.company.id}
            )
            quarantine = env["stock.location"].create(
                {
                    "name": "Race Quarantine",
                    "location_id": warehouse.view_location_id.id,
                    "is_quarantine": True,
                }
            )
            shelf = env["stock.location"].create(
                {"name": "Race Shelf", "location_id": warehouse.lot_stock_id.id}
            )
            quant = env["stock.quant"]
            quant._update_available_quantity(product, quarantine, 10, lot_id=lot)
            # a unit already on the shelf: moving there updates quants, inserts none, so no
            # foreign-key check on the lot happens to catch the concurrent hold
            quant._update_available_quantity(product, shelf, 1, lot_id=lot)
            transfer = env["stock.picking"].create(
                {
                    "picking_type_id": warehouse.int_type_id.id,
                    "location_id": quarantine.id,
                    "location_dest_id": shelf.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": "salt",
                                "product_id": product.id,
                                "product_uom_qty": 10,
                                "product_uom": product.uom_id.id,
                                "location_id": quarantine.id,
                                "location_dest_id": shelf.id,
                            }
                        )
                    ],
                }
            )
            transfer.action_confirm()
            transfer.action_assign()
            transfer.move_ids.picked = True
            self.assertEqual(transfer.move_line_ids.lot_id, lot)
            # the transfer must be visible to the concurrent cursors (own cursor, not the test's)
            cr.commit()  # pylint: disable=invalid-commit
            return lot.id, transfer.id

    def test_a_hold_committed_during_validation_is_never_missed(self):
        lot_id, transfer_id = self._commit_transfer_of_a_free_lot()
        with closing(self.registry.cursor()) as storekeeper_cr:
            storekeeper_cr.execute("SELECT 1")  # the storekeeper's transaction has begun
            with closing(self.registry.cursor()) as qa_cr:
                qa_env = self._env(qa_cr)
                qa_env["stock.lot"].browse(lot_id)._place_hold("failed_test", "Iodine too low")
                qa_cr.commit()
            transfer = self._env(storekeeper_cr)["stock.picking"].browse(transfer_id)
            # Odoo retries a request refused for a serialization failure: the retry sees the hold
            try:
                transfer.button_validate()
                refused = False
            except (UserError, SerializationFailure):
                refused = True
            storekeeper_cr.rollback()
            self.assertTrue(refused, "the lot left quarantine although it was held")
        with closing(self.registry.cursor()) as retry_cr:
            transfer = self._env(retry_cr)["stock.picking"].browse(transfer_id)
            with self.assertRaisesRegex(UserError, "SALT-RACE-1"):
                transfer.button_validate()
            retry_cr.rollback()
            transfer.env.invalidate_all()
            self.assertEqual(transfer.state, "assigned")
            lot = transfer.env["stock.lot"].browse(lot_id)
            self.assertEqual(lot.hold_state, "held")
            self.assertEqual(lot.product_qty, 11)
