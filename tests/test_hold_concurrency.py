from contextlib import closing

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestHoldConcurrency(TransactionCase):
    """QA holds a lot at the very moment a shipper validates its delivery, on committed data.

    Each step runs in its own database transaction, as two users of two browsers would.
    The data is committed (another transaction could not see it otherwise) in products of
    its own, so other tests are not affected.
    """

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})

    def _commit_delivery_of_a_free_lot(self):
        """Receive a lot of salt and reserve a delivery of it, committed; return their ids."""
        with closing(self.registry.cursor()) as cr:
            env = self._env(cr)
            product = env["product.product"].create(
                {"name": "Concurrency Salt", "is_storable": True, "tracking": "lot"}
            )
            warehouse = env["stock.warehouse"].search(
                [("company_id", "=", env.company.id)], limit=1
            )
            lot = env["stock.lot"].create({"name": "SALT-RACE-1", "product_id": product.id})
            env["stock.quant"]._update_available_quantity(
                product, warehouse.lot_stock_id, 10, lot_id=lot
            )
            customers = env.ref("stock.stock_location_customers")
            delivery = env["stock.picking"].create(
                {
                    "picking_type_id": warehouse.out_type_id.id,
                    "location_id": warehouse.lot_stock_id.id,
                    "location_dest_id": customers.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": "salt",
                                "product_id": product.id,
                                "product_uom_qty": 10,
                                "product_uom": product.uom_id.id,
                                "location_id": warehouse.lot_stock_id.id,
                                "location_dest_id": customers.id,
                            }
                        )
                    ],
                }
            )
            delivery.action_confirm()
            delivery.action_assign()
            delivery.move_ids.picked = True
            self.assertEqual(delivery.move_line_ids.lot_id, lot)
            cr.commit()
            return lot.id, delivery.id

    def test_a_hold_committed_during_validation_is_never_missed(self):
        lot_id, delivery_id = self._commit_delivery_of_a_free_lot()
        with closing(self.registry.cursor()) as shipper_cr:
            shipper_cr.execute("SELECT 1")  # the shipper's transaction has begun
            with closing(self.registry.cursor()) as qa_cr:
                qa_env = self._env(qa_cr)
                qa_env["stock.lot"].browse(lot_id)._place_hold("failed_test", "Iodine too low")
                qa_cr.commit()
            delivery = self._env(shipper_cr)["stock.picking"].browse(delivery_id)
            # Odoo retries a request refused for a serialization failure: the retry sees the hold
            with self.assertRaises((UserError, SerializationFailure)):
                delivery.button_validate()
            shipper_cr.rollback()
        with closing(self.registry.cursor()) as retry_cr:
            delivery = self._env(retry_cr)["stock.picking"].browse(delivery_id)
            with self.assertRaisesRegex(UserError, "SALT-RACE-1"):
                delivery.button_validate()
            retry_cr.rollback()
            delivery.env.invalidate_all()
            self.assertEqual(delivery.state, "assigned")
            lot = delivery.env["stock.lot"].browse(lot_id)
            self.assertEqual(lot.hold_state, "held")
            self.assertEqual(lot.product_qty, 10)
