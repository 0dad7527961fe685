from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import tagged

from .common import HoldCase


@tagged("post_install", "-at_install")
class TestLotStatus(HoldCase):
    """Each stage and condition of a lot, reached by the flow that changes it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._user("status_recall", "stock_lot_traceability.group_recall_manager")
        # cocoa keeps 100 days, with an alert 10 days before; the two lots in stock too
        cls.cocoa.write({"expiration_time": 100, "alert_time": 10})
        for lot in cls.cocoa_old | cls.cocoa_new:
            lot.alert_date = lot.expiration_date - timedelta(days=10)

    def assertStatus(self, lot, stage, condition="available"):
        lot.invalidate_recordset(["lot_stage", "lot_condition"])
        self.assertEqual(
            (lot.lot_stage, lot.lot_condition), (stage, condition), f"status of {lot.name}"
        )

    def _sell_and_reserve(self, quantity):
        delivery = self._sell(self.cocoa, quantity)
        delivery.action_assign()
        return delivery

    # ------------------------------------------------------------------
    # Stage
    # ------------------------------------------------------------------
    def test_ordered_lot_becomes_in_stock_when_received(self):
        order = self.env["purchase.order"].create(
            {
                "partner_id": self.mill.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.cocoa.id, "product_qty": 20, "price_unit": 2.0}
                    )
                ],
            }
        )
        order.button_confirm()
        lot = self.env["stock.lot"].create(
            {"name": "COCOA-PO", "product_id": self.cocoa.id, "company_id": self.company.id}
        )
        self.flow._pick(order.picking_ids.move_ids, [({"lot_id": lot.id}, 20)])
        self.assertStatus(lot, "ordered")
        self.flow._validate_picking(order.picking_ids)
        self.assertStatus(lot, "in_stock")

    def test_received_until_put_away_in_two_step_reception(self):
        self.warehouse.reception_steps = "two_steps"
        receipt = self.flow._receive_lots(self.mill, [(self.cocoa, "COCOA-DOCK", 30)])
        lot = self._lot("COCOA-DOCK")
        self.assertStockOf(lot, self.warehouse.wh_input_stock_loc_id, 30)
        self.assertStatus(lot, "received")
        putaway = receipt.move_ids.move_dest_ids.picking_id
        self.assertTrue(putaway, "two-step reception creates the put-away transfer")
        putaway.action_assign()
        self.assertStatus(lot, "received")  # reserved by the put-away is not allocated
        self.flow._validate_picking(putaway)
        self.assertStatus(lot, "in_stock")

    def test_allocated_when_all_reserved_then_delivered(self):
        delivery = self._sell_and_reserve(50)
        reserved = delivery.move_line_ids.lot_id
        self.assertEqual(len(reserved), 1)
        other = (self.cocoa_old | self.cocoa_new) - reserved
        self.assertStatus(reserved, "allocated")
        self.assertStatus(other, "in_stock")
        delivery.do_unreserve()
        self.assertStatus(reserved, "in_stock")
        delivery.action_assign()
        self.assertStatus(reserved, "allocated")
        delivery.move_ids.picked = True
        self.flow._validate_picking(delivery)
        self.assertStatus(reserved, "delivered")
        self.assertStatus(other, "in_stock")

    def test_partly_reserved_lot_stays_in_stock(self):
        delivery = self._sell_and_reserve(20)
        self.assertStatus(delivery.move_line_ids.lot_id, "in_stock")

    def test_in_transit(self):
        transit = self.env["stock.location"].create(
            {"name": "Truck to Lyon", "usage": "transit", "company_id": self.company.id}
        )
        picking = self._picking(self.cocoa_new, 50, self.stock, transit, self.warehouse.int_type_id)
        self.assertStatus(self.cocoa_new, "allocated")
        self.flow._validate_picking(picking)
        self.assertStatus(self.cocoa_new, "in_transit")

    def test_consumed_and_delivered_lots_of_the_factory(self):
        self.assertStatus(self.premix_1, "consumed")  # made 10, all used in BISCUIT-1
        self.assertStatus(self.flour_1, "in_stock")  # 85 of 100 left
        self.assertStatus(self.biscuit_1, "in_stock")  # 3 of 10 left
        self.flow._deliver_lots(self.gamma, [(self.biscuit, self.biscuit_1, 3)])
        self.assertStatus(self.biscuit_1, "delivered")
        # a return from the customer puts it back in stock
        last = self.env["stock.picking"].search(
            [("partner_id", "=", self.gamma.id), ("state", "=", "done")], order="id desc", limit=1
        )
        self.flow._return_delivery(last, {self.biscuit_1: 1})
        self.assertStatus(self.biscuit_1, "in_stock")

    def test_scrapped_lot_is_used_up(self):
        scrap = self.env["stock.scrap"].create(
            {
                "product_id": self.cocoa.id,
                "lot_id": self.cocoa_old.id,
                "scrap_qty": 50,
                "location_id": self.stock.id,
            }
        )
        scrap.action_validate()
        self.assertStatus(self.cocoa_old, "consumed")

    def test_repacked(self):
        """All of COCOA-OLD repacked (48 good, 2 wasted): repacked; a partial repack of
        COCOA-NEW leaves it in stock, what is left of it comes first."""
        new = self.cocoa_old._repack(50, self.stock, 48, 2, "Torn bags")
        self.assertStatus(self.cocoa_old, "repacked")
        self.assertStatus(new, "in_stock")
        partial = self.cocoa_new._repack(10, self.stock, 10, 0, "Relabelled")
        self.assertStatus(self.cocoa_new, "in_stock")
        self.assertStatus(partial, "in_stock")
        kinds = [event["kind"] for event in self.cocoa_old._timeline()]
        self.assertEqual(kinds[-1], "repack")
        self.assertIn("scrap", kinds)
        self.assertIn("repacked_from", [event["kind"] for event in new._timeline()])

    def test_archived_and_unarchived(self):
        self.flow._deliver_lots(self.alpha, [(self.cocoa, self.cocoa_old, 50)])
        self.assertStatus(self.cocoa_old, "delivered")
        self.cocoa_old.action_archive()
        self.assertStatus(self.cocoa_old, "archived")
        archived = (
            self.env["stock.lot"]
            .with_context(active_test=False)
            .search([("lot_stage", "=", "archived"), ("product_id", "=", self.cocoa.id)])
        )
        self.assertEqual(archived, self.cocoa_old)
        self.cocoa_old.action_unarchive()
        self.assertStatus(self.cocoa_old, "delivered")

    # ------------------------------------------------------------------
    # Condition
    # ------------------------------------------------------------------
    def test_hold_placed_and_released(self):
        hold = self._hold(self.cocoa_new)
        self.assertStatus(self.cocoa_new, "in_stock", "on_hold")
        self.assertStatus(self.cocoa_old, "in_stock", "available")
        hold.with_user(self.quality).action_release("Retest negative")
        self.assertStatus(self.cocoa_new, "in_stock", "available")

    def test_near_expiry_then_expired_by_the_daily_cron(self):
        now = fields.Datetime.now()
        self.cocoa_new.write(
            {"expiration_date": now + timedelta(days=20), "alert_date": now + timedelta(days=10)}
        )
        self.assertStatus(self.cocoa_new, "in_stock", "available")
        cron = self.env["stock.lot"]._cron_refresh_lot_condition
        with freeze_time(now + timedelta(days=12)):
            changed = cron()
            self.assertIn(self.cocoa_new, changed)
            self.assertNotIn(self.cocoa_old, changed)  # expires in 30 days
            self.assertStatus(self.cocoa_new, "in_stock", "near_expiry")
            self.assertFalse(cron(), "a second run finds no lot whose date passed since")
        with freeze_time(now + timedelta(days=21)):
            self.assertIn(self.cocoa_new, cron())
            self.assertStatus(self.cocoa_new, "in_stock", "expired")
            self.assertStatus(self.cocoa_old, "in_stock", "near_expiry")  # alert on day 20

    def test_expired_takes_precedence_over_hold(self):
        self._hold(self.cocoa_old, reason="expired", note="Past its date")
        self.cocoa_old.expiration_date = fields.Datetime.now() - timedelta(days=1)
        self.assertEqual(self.cocoa_old.hold_state, "held")
        self.assertStatus(self.cocoa_old, "in_stock", "expired")

    def _recall(self, lots, is_drill=False):
        recall = (
            self.env["stock.recall"]
            .with_user(self.manager)
            .create(
                {
                    "lot_ids": [Command.set(lots.ids)],
                    "is_drill": is_drill,
                    "reason": "Undeclared peanut traces",
                    "classification": "class_1",
                }
            )
        )
        recall.action_compute_scope()
        return recall

    def test_recalled_downstream_until_cancelled(self):
        self._recall(self.flour_2, is_drill=True)
        self.assertStatus(self.biscuit_2, "in_stock", "available")  # a drill recalls nothing
        recall = self._recall(self.flour_2)
        for lot in self.flour_2 | self.premix_1 | self.premix_2 | self.biscuit_1 | self.biscuit_2:
            self.assertEqual(lot.lot_condition, "recalled", lot.name)
        self.assertStatus(self.flour_1, "in_stock", "available")
        recall.action_hold_stock()
        self.assertStatus(self.biscuit_2, "in_stock", "recalled")  # recalled outranks held
        recall.action_cancel("Lab result was a false positive")
        self.assertStatus(self.premix_1, "consumed", "available")
        # what the cancelled recall leaves is the lot's own hold state
        held = self.biscuit_2.hold_state == "held"
        self.assertStatus(self.biscuit_2, "in_stock", "on_hold" if held else "available")

    # ------------------------------------------------------------------
    # Set-based upkeep
    # ------------------------------------------------------------------
    def test_one_refresh_per_validation(self):
        """Validating a delivery of two lots refreshes their status once, together."""
        delivery = self._sell_and_reserve(80)
        self.assertEqual(delivery.move_line_ids.lot_id, self.cocoa_old | self.cocoa_new)
        delivery.move_ids.picked = True
        lot_model = type(self.env["stock.lot"])
        original = lot_model._refresh_lot_status
        calls = []

        def refresh(lots):
            calls.append(set(lots.ids))
            return original(lots)

        with patch.object(lot_model, "_refresh_lot_status", refresh):
            self.flow._validate_picking(delivery)
        self.assertEqual(calls, [set((self.cocoa_old | self.cocoa_new).ids)])
        taken = {line.lot_id: line.quantity for line in delivery.move_line_ids}
        for lot, quantity in taken.items():
            self.assertStatus(lot, "delivered" if quantity == 50 else "in_stock")

    def test_status_is_not_written_by_hand(self):
        with self.assertRefused(
            "stage and condition of a lot .* cannot be written \\(lot_stage\\)"
        ):
            self.cocoa_old.write({"lot_stage": "delivered"})
        with self.assertRefused("cannot be written \\(lot_condition\\)"):
            self.env["stock.lot"].create(
                {"name": "FORCED", "product_id": self.cocoa.id, "lot_condition": "expired"}
            )
        self.assertStatus(self.cocoa_old, "in_stock")

    def test_install_fills_existing_lots(self):
        lots = self.premix_1 | self.biscuit_1 | self.cocoa_old
        self._hold(self.cocoa_old)
        self.env.cr.execute(
            "UPDATE stock_lot SET lot_stage = 'ordered', lot_condition = 'available' "
            "WHERE id = ANY(%s)",
            [lots.ids],
        )
        lots.invalidate_recordset(["lot_stage", "lot_condition"])
        self.env["stock.lot"]._refresh_all_lot_status()  # what the install hook runs
        self.assertStatus(self.premix_1, "consumed")
        self.assertStatus(self.biscuit_1, "in_stock")
        self.assertStatus(self.cocoa_old, "in_stock", "on_hold")
