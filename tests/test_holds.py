from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import HoldCase


@tagged("post_install", "-at_install")
class TestHolds(HoldCase):
    """Two lots of cocoa in stock, the older one suspected: QA holds it."""

    # reservation -----------------------------------------------------------
    def test_fifo_reservation_takes_the_free_lot(self):
        self._use_removal("stock.removal_fifo")
        before_hold = self._sell(self.cocoa, 10)
        self.assertEqual(before_hold.move_line_ids.lot_id, self.cocoa_old)
        before_hold.action_cancel()
        self._hold(self.cocoa_old)
        delivery = self._sell(self.cocoa, 10)
        self.assertEqual(delivery.move_line_ids.lot_id, self.cocoa_new)
        self.assertEqual(delivery.state, "assigned")

    def test_every_removal_strategy_skips_the_held_lot(self):
        strategies = [
            "stock.removal_fifo",
            "stock.removal_lifo",
            "stock.removal_closest",
            "product_expiry.removal_fefo",
        ]
        for xmlid in strategies:
            with self.subTest(strategy=xmlid):
                self._use_removal(xmlid)
                first_choice = self._sell(self.cocoa, 10)
                preferred = first_choice.move_line_ids.lot_id
                self.assertEqual(len(preferred), 1)
                first_choice.action_cancel()
                hold = self._hold(preferred)
                delivery = self._sell(self.cocoa, 10)
                self.assertEqual(
                    delivery.move_line_ids.lot_id, (self.cocoa_old | self.cocoa_new) - preferred
                )
                delivery.action_cancel()
                hold.with_user(self.quality).action_release("Checked")

    def test_fefo_reservation_takes_the_free_lot(self):
        self._use_removal("product_expiry.removal_fefo")
        self._hold(self.cocoa_old)
        delivery = self._sell(self.cocoa, 60)
        self.assertEqual(delivery.move_line_ids.lot_id, self.cocoa_new)
        self.assertEqual(delivery.move_ids.quantity, 50)

    def test_only_a_held_lot_in_stock_reserves_nothing(self):
        self._hold(self.cocoa_old | self.cocoa_new)
        delivery = self._sell(self.cocoa, 5)
        self.assertFalse(delivery.move_line_ids)
        self.assertEqual(delivery.state, "confirmed")
        self.assertEqual(self.cocoa.qty_available, 100)
        self.assertEqual(self.cocoa.free_qty, 0)
        quants = self.env["stock.quant"].search([("lot_id", "=", self.cocoa_old.id)])
        self.assertEqual(sum(quants.mapped("available_quantity")), 0)

    def test_release_restores_reservation(self):
        self._use_removal("stock.removal_fifo")
        hold = self._hold(self.cocoa_old)
        self.assertEqual(self.cocoa.free_qty, 50)
        hold.with_user(self.quality).action_release("Re-test negative, lab report 2211")
        self.assertEqual(self.cocoa_old.hold_state, "free")
        self.assertEqual(hold.released_by_id, self.quality)
        self.assertEqual(self.cocoa.free_qty, 100)
        self.assertEqual(self._sell(self.cocoa, 10).move_line_ids.lot_id, self.cocoa_old)

    def test_lot_is_free_only_when_every_hold_is_released(self):
        first = self._hold(self.cocoa_old)
        second = self._hold(self.cocoa_old, reason="lab_pending", note="Aflatoxin results due")
        first.with_user(self.quality).action_release("Salmonella re-test negative")
        self.assertEqual(self.cocoa_old.hold_state, "held")
        second.with_user(self.quality).action_cancel("Test not needed for this origin")
        self.assertEqual(self.cocoa_old.hold_state, "free")
        self.assertEqual(second.state, "cancelled")

    # validation ------------------------------------------------------------
    def test_hold_after_reservation_still_blocks_the_delivery(self):
        self._use_removal("stock.removal_fifo")
        delivery = self._sell(self.cocoa, 10)
        self.assertEqual(delivery.move_line_ids.lot_id, self.cocoa_old)
        self._hold(self.cocoa_old)
        delivery.move_ids.picked = True
        with self.assertRaisesRegex(UserError, r"COCOA-OLD.*Failed test.*Salmonella"):
            delivery.button_validate()
        self.assertEqual(delivery.state, "assigned")
        self.assertEqual(self.cocoa_old.product_qty, 50)

    def test_a_held_lot_picked_by_hand_is_refused(self):
        self._hold(self.cocoa_old)
        delivery = self._sell(self.cocoa, 10)
        with self.assertRaisesRegex(UserError, "COCOA-OLD"):
            delivery.move_line_ids.lot_id = self.cocoa_old

    def test_consuming_a_held_lot_in_a_mo_is_refused(self):
        production = self.env["mrp.production"].create(
            {"product_id": self.premix.id, "product_qty": 1}
        )
        production.action_confirm()
        production.lot_producing_id = self.env["stock.lot"].create(
            {"name": "PREMIX-HELD", "product_id": self.premix.id}
        )
        flour_move = production.move_raw_ids.filtered(lambda m: m.product_id == self.flour)
        flour_lot = flour_move.move_line_ids.lot_id
        self.assertTrue(flour_lot)
        self._hold(flour_lot, reason="supplier_recall", note="Mill recall notice 77")
        production.move_raw_ids.picked = True
        with self.assertRaisesRegex(UserError, rf"{flour_lot.name}.*Supplier recall"):
            production.button_mark_done()
        self.assertNotEqual(production.state, "done")
        self.assertFalse(production.move_finished_ids.filtered(lambda m: m.state == "done"))

    def test_held_lot_moves_into_quarantine_but_nowhere_else(self):
        self._hold(self.cocoa_old)
        to_quarantine = self._transfer(self.cocoa_old, 50, self.quarantine)
        self.assertEqual(to_quarantine.move_line_ids.lot_id, self.cocoa_old)
        to_quarantine.move_ids.picked = True
        to_quarantine.button_validate()
        self.assertEqual(to_quarantine.state, "done")
        in_stock = self.cocoa_old.quant_ids.filtered(
            lambda quant: quant.location_id.usage == "internal" and quant.quantity > 0
        )
        self.assertEqual(in_stock.location_id, self.quarantine)
        shelf = self.env["stock.location"].create({"name": "Shelf 9", "location_id": self.stock.id})
        back_to_stock = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.int_type_id.id,
                "location_id": self.quarantine.id,
                "location_dest_id": shelf.id,
            }
        )
        move = self.env["stock.move"].create(
            {
                "name": "out of quarantine",
                "picking_id": back_to_stock.id,
                "product_id": self.cocoa.id,
                "product_uom_qty": 5,
                "product_uom": self.cocoa.uom_id.id,
                "location_id": self.quarantine.id,
                "location_dest_id": shelf.id,
            }
        )
        back_to_stock.action_confirm()
        back_to_stock.action_assign()
        self.assertFalse(move.move_line_ids, "a held lot is not reserved out of quarantine")

    def test_a_held_lot_goes_back_to_the_vendor(self):
        receipt = (
            self.env["stock.move.line"]
            .search([("lot_id", "=", self.cocoa_old.id), ("location_id.usage", "=", "supplier")])
            .picking_id
        )
        self._hold(self.cocoa_old, reason="supplier_recall", note="Mill recall notice 12")
        returned = self.flow._return_delivery(receipt, {self.cocoa_old: 50})
        self.assertEqual(returned.state, "done")
        self.assertEqual(returned.location_dest_id.usage, "supplier")
        self.assertEqual(self.cocoa_old.product_qty, 0)

    # placing holds -----------------------------------------------------------
    def test_hold_on_receipt_for_product_and_category(self):
        self.cocoa.hold_on_receipt = True
        self.flow._receive_lots(self.mill, [(self.cocoa, "COCOA-INSPECT", 5)])
        lot = self._lot("COCOA-INSPECT")
        self.assertEqual(lot.hold_state, "held")
        self.assertEqual(lot.active_hold_ids.reason, "incoming_inspection")
        self.cocoa.hold_on_receipt = False
        self.category.hold_on_receipt = True
        self.flow._receive_lots(self.mill, [(self.cocoa, "COCOA-INSPECT-2", 5)])
        self.assertEqual(self._lot("COCOA-INSPECT-2").hold_state, "held")
        self.category.hold_on_receipt = False
        self.flow._receive_lots(self.mill, [(self.cocoa, "COCOA-FREE", 5)])
        self.assertEqual(self._lot("COCOA-FREE").hold_state, "free")

    def test_hold_downstream_holds_every_lot_made_from_it_that_has_stock(self):
        wizard = (
            self.env["stock.lot.hold.wizard"]
            .with_user(self.quality)
            .create(
                {
                    "lot_ids": [Command.set(self.flour_2.ids)],
                    "include_downstream": True,
                    "reason": "supplier_recall",
                    "note": "Mill recalls FLOUR-2",
                }
            )
        )
        # premixes were fully used up: only the flour left and the biscuits in stock
        self.assertEqual(wizard.target_lot_ids, self.flour_2 | self.biscuit_1 | self.biscuit_2)
        action = wizard.action_confirm()
        holds = self.env["stock.lot.hold"].search(action["domain"])
        self.assertEqual(holds.lot_id, self.flour_2 | self.biscuit_1 | self.biscuit_2)
        self.assertEqual(set(holds.mapped("reason")), {"supplier_recall"})
        self.assertEqual(self.premix_1.hold_state, "free")

    def test_multi_lot_wizard_from_the_lot_list(self):
        action = self.env.ref("stock_lot_traceability.stock_lot_hold_wizard_action")
        self.assertEqual(action.binding_model_id.model, "stock.lot")
        wizard = (
            self.env["stock.lot.hold.wizard"]
            .with_user(self.quality)
            .with_context(default_lot_ids=(self.cocoa_old | self.cocoa_new).ids)
            .create({"reason": "customer_complaint", "note": "Off taste reported"})
        )
        wizard.action_confirm()
        self.assertEqual(set((self.cocoa_old | self.cocoa_new).mapped("hold_state")), {"held"})

    # rights, history, activities -------------------------------------------
    def test_a_stock_user_cannot_release(self):
        hold = self._hold(self.cocoa_old)
        with self.assertRaises(AccessError):
            hold.with_user(self.stock_user).action_release("looks fine to me")
        with self.assertRaises(AccessError):
            self.cocoa_new.with_user(self.stock_user)._place_hold("other", "no rights")
        self.assertEqual(self.cocoa_old.hold_state, "held")

    def test_release_needs_a_note(self):
        hold = self._hold(self.cocoa_old)
        with self.assertRaisesRegex(UserError, "note"):
            hold.with_user(self.quality).action_release("  ")
        wizard = (
            self.env["stock.lot.hold.release.wizard"]
            .with_user(self.quality)
            .create({"hold_ids": [Command.set(hold.ids)], "note": "Lab report OK"})
        )
        wizard.action_confirm()
        self.assertEqual(hold.state, "released")
        with self.assertRaisesRegex(UserError, "no longer active"):
            hold.with_user(self.quality).action_release("again")

    def test_holds_are_kept_logged_and_reviewed(self):
        hold = self._hold(self.cocoa_old)
        with self.assertRaises(UserError):
            hold.unlink()
        self.assertIn("Placed on hold", self.cocoa_old.message_ids[0].body)
        self.assertTrue(hold.name.startswith("HOLD/"))
        reviewers = hold.activity_ids.user_id
        self.assertTrue(reviewers)
        self.assertTrue(
            all(
                user.has_group("stock_lot_traceability.group_quality_manager") for user in reviewers
            )
        )
        hold.with_user(self.quality).action_release("Cleared")
        self.assertFalse(hold.activity_ids)
        self.assertIn("Hold released", self.cocoa_old.message_ids[0].body)

    def test_quarantine_impact_lists_downstream_stock_and_open_operations(self):
        open_delivery = self._sell(self.biscuit, 2, partner=self.gamma)
        self.assertTrue(open_delivery.move_line_ids.lot_id & (self.biscuit_1 | self.biscuit_2))
        action = self.flour_2.action_quarantine_impact()
        impact = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(
            impact.affected_lot_ids,
            self.flour_2 | self.premix_1 | self.premix_2 | self.biscuit_1 | self.biscuit_2,
        )
        self.assertEqual(impact.quant_ids.lot_id, self.flour_2 | self.biscuit_1 | self.biscuit_2)
        # the new order and the backorder of Alpha's partial delivery both reserve biscuits
        alpha_backorder = self.delivery_alpha.backorder_ids
        self.assertTrue(alpha_backorder.move_line_ids)
        self.assertEqual(impact.picking_ids, open_delivery | alpha_backorder)
        self.assertEqual(impact.picking_count, 2)
