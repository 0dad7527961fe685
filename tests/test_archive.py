from odoo import Command
from odoo.tests import tagged

from .common import TraceabilityCase


@tagged("post_install", "-at_install")
class TestArchive(TraceabilityCase):
    """The premixes are used up in the biscuits; the flour lots still have stock."""

    def _age_exits(self, lots, days):
        """Pretend the lots' movements happened ``days`` ago."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE stock_move_line SET date = date - make_interval(days => %s)"
            " WHERE lot_id = ANY(%s)",
            (days, lots.ids),
        )
        self.env.invalidate_all()

    def test_depleted_lots_are_archived_after_the_delay(self):
        premixes = self.premix_1 | self.premix_2
        self.assertEqual(self.company.lot_archive_days, 3)
        self.env["stock.lot"]._cron_archive_depleted()
        self.assertEqual(premixes.mapped("active"), [True, True], "consumed today: kept")

        self._age_exits(premixes | self.flour_1, 4)
        archived = self.env["stock.lot"]._cron_archive_depleted()
        self.assertEqual(archived, premixes)
        self.assertEqual(premixes.mapped("active"), [False, False])
        self.assertTrue(self.flour_1.active, "a lot with stock is never archived")
        self.assertTrue(self.biscuit_1.active)

        self.company.lot_archive_days = 10
        self.premix_1.action_unarchive()
        self.env["stock.lot"]._cron_archive_depleted()
        self.assertTrue(self.premix_1.active, "4 days is within the company's 10")

    def test_archived_lots_stay_searchable_traceable_and_recalled(self):
        self._age_exits(self.premix_1 | self.premix_2, 5)
        self.env["stock.lot"]._cron_archive_depleted()
        lots = self.env["stock.lot"]
        self.assertNotIn(self.premix_1, lots.search([("product_id", "=", self.premix.id)]))
        self.assertIn(self.premix_1, lots.search([("active", "=", False)]))  # "Archived" filter

        self.assertTrace(
            self.flour_1, "down", {self.flour_1: 0, self.premix_1: 1, self.biscuit_1: 2}
        )
        self.assertTrace(
            self.biscuit_1,
            "up",
            {
                self.biscuit_1: 0,
                self.premix_1: 1,
                self.eggs_1: 1,
                self.flour_1: 2,
                self.flour_2: 2,
                self.sugar_1: 2,
            },
        )
        recall = self.env["stock.recall"].create(
            {
                "lot_ids": [Command.set(self.flour_1.ids)],
                "is_drill": True,
                "reason": "Mould in flour",
                "classification": "class_1",
            }
        )
        recall.action_compute_scope()
        self.assertIn(self.premix_1, recall.recall_lot_ids.lot_id)
        self.assertEqual(
            recall.delivery_ids.partner_id.mapped("name"), ["Alpha Stores", "Beta Market"]
        )

    def test_lot_with_an_open_transfer_is_not_archived(self):
        self._age_exits(self.premix_2, 5)
        warehouse = self.env["stock.warehouse"].search([], limit=1)
        supplier = self.env.ref("stock.stock_location_suppliers")
        self._picking(self.premix_2, 1, supplier, warehouse.lot_stock_id, warehouse.in_type_id)
        self.env["stock.lot"]._cron_archive_depleted()
        self.assertTrue(self.premix_2.active)
