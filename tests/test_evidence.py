from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models import evidence
from .common import TraceabilityCase


@tagged("post_install", "-at_install")
class TestEvidence(TraceabilityCase):
    """Evidence no one can rewrite: holds, links, lots and recalls, on the biscuit factory.

    FLOUR-2 ─> PREMIX-1 ─> BISCUIT-1 ─> Alpha 4, Beta 3
           └─> PREMIX-2 ─> BISCUIT-2 ─> Beta 2, Gamma 5 (2 back before any recall)
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.quality = cls._user("ev_quality", "stock_lot_traceability.group_quality_manager")
        cls.manager = cls._user("ev_manager", "stock_lot_traceability.group_recall_manager")
        cls.stock_user = cls._user("ev_stock", "stock.group_stock_user")

    def _recall(self, lots, **vals):
        recall = (
            self.env["stock.recall"]
            .with_user(self.manager)
            .create(
                {
                    "lot_ids": [Command.set(lots.ids)],
                    "reason": "Metal fragments in flour",
                    "classification": "class_1",
                    **vals,
                }
            )
        )
        recall.action_compute_scope()
        return recall

    def _customer(self, recall, partner):
        return recall.partner_line_ids.filtered(lambda line: line.partner_id == partner)

    def _product_line(self, recall, product):
        return recall.product_line_ids.filtered(lambda line: line.product_id == product)

    # holds -------------------------------------------------------------------------
    def test_an_active_hold_only_changes_its_note_and_a_closed_one_nothing(self):
        hold = self.flour_1.with_user(self.quality)._place_hold("failed_test", "Aflatoxin high")
        hold.note = "Aflatoxin 12 µg/kg, retest ordered"
        self.assertEqual(hold.note, "Aflatoxin 12 µg/kg, retest ordered")
        for vals in (
            {"reason": "other"},
            {"lot_id": self.flour_2.id},
            {"placed_at": "2020-01-01 00:00:00"},
            {"placed_by_id": self.stock_user.id},
            {"company_id": self.env.company.id},
        ):
            with self.assertRaisesRegex(UserError, hold.name):
                hold.write(vals)
        # no write of the state for anyone, not even sudo or a forged context value
        for forger in (
            hold,
            hold.sudo(),
            hold.sudo().with_context(stock_lot_traceability_evidence=True),
        ):
            with self.assertRaisesRegex(UserError, hold.name):
                forger.write({"state": "released"})
        self.assertEqual((hold.state, self.flour_1.hold_state), ("active", "held"))

        hold.action_release("Retest at 2 µg/kg, within the limit")
        self.assertEqual((hold.released_by_id, self.flour_1.hold_state), (self.quality, "free"))
        self.assertTrue(hold.released_at)
        for vals in ({"note": "changed afterwards"}, {"release_note": "nicer words"}):
            with self.assertRaisesRegex(UserError, "released or cancelled hold"):
                hold.sudo().write(vals)
        with self.assertRaises(UserError):
            hold.sudo().write({"state": "active"})
        self.assertEqual(self.flour_1.hold_state, "free")

    def test_a_hold_is_born_active_and_stamped_whatever_the_caller_sends(self):
        hold = (
            self.env["stock.lot.hold"]
            .with_user(self.quality)
            .with_context(default_state="released")
            .create(
                {
                    "lot_id": self.sugar_1.id,
                    "reason": "lab_pending",
                    "state": "cancelled",
                    "placed_at": "2020-01-01 00:00:00",
                    "placed_by_id": self.stock_user.id,
                    "released_by_id": self.stock_user.id,
                }
            )
        )
        self.assertEqual(hold.state, "active")
        self.assertEqual(hold.placed_by_id, self.quality)
        self.assertEqual(hold.placed_at.date(), fields.Date.today())
        self.assertFalse(hold.released_by_id)
        self.assertEqual(self.sugar_1.hold_state, "held")

    def _tracked_fields(self, record):
        values = self.env["mail.tracking.value"].search(
            [
                ("mail_message_id.model", "=", record._name),
                ("mail_message_id.res_id", "=", record.id),
            ]
        )
        return values.field_id.mapped("name")

    def test_guarded_writes_keep_odoo_field_tracking(self):
        hold = self.eggs_1.with_user(self.quality)._place_hold("lab_pending", "Salmonella")
        # as if committed: Odoo tracks no field of a record created in the same transaction
        self.env.cr.precommit.run()
        hold = hold.with_context(tracking_disable=False)
        hold.action_release("Negative, lab report 4411")
        self.env.cr.precommit.run()  # tracking values are written just before commit
        self.assertIn("state", self._tracked_fields(hold))
        recall = self._recall(self.flour_2).with_context(tracking_disable=False)
        self.env.cr.precommit.run()
        recall.action_hold_stock()
        self.env.cr.precommit.run()
        self.assertIn("state", self._tracked_fields(recall))

    # links -------------------------------------------------------------------------
    def test_a_production_link_is_fixed_even_for_sudo(self):
        link = self.premix_1.parent_link_ids.filtered(
            lambda link: link.parent_lot_id == self.flour_1
        )
        for vals in (
            {"quantity": 1.0},
            {"date": "2020-01-01 00:00:00"},
            {"parent_lot_id": self.flour_2.id},
            {"company_id": self.env.company.id},
            {"product_uom_id": self.env.ref("uom.product_uom_kgm").id},
        ):
            with self.assertRaisesRegex(UserError, "FLOUR-1"):
                link.sudo().write(vals)
        self.assertEqual(link.quantity, 15.0)
        self.assertEqual(link.kind, "production")

    def test_correcting_a_manual_link_keeps_both_and_points_at_the_correction(self):
        wizard_model = self.env["stock.lot.link.wizard"].with_user(self.quality)
        wizard_model.create(
            {
                "parent_lot_id": self.sugar_1.id,
                "child_lot_id": self.biscuit_2.id,
                "quantity": 5.0,
                "reason": "Icing sugar dusted on the line",
            }
        ).action_link()
        wrong = self.biscuit_2.parent_link_ids.filtered(lambda link: link.kind == "manual")
        with self.assertRaisesRegex(UserError, "Correct"):
            wrong.write({"quantity": 0.5})
        with self.assertRaisesRegex(UserError, "Superseded By"):
            wrong.write({"superseded_by_id": self.premix_1.parent_link_ids[:1].id})

        # the Correct button of the link form opens Link Lots filled with the link
        action = wrong.with_user(self.quality).action_open_correct_wizard()
        correction = wizard_model.with_context(**action["context"]).create(
            {"quantity": 0.5, "reason": "Weighed again: 0.5 kg, not 5"}
        )
        self.assertEqual(
            (correction.parent_lot_id, correction.child_lot_id, correction.supersede_link_id),
            (self.sugar_1, self.biscuit_2, wrong),
        )
        correction.action_link()
        right = self.biscuit_2.parent_link_ids.filtered(lambda link: link.kind == "manual")
        self.assertEqual((right.quantity, right.note), (0.5, "Weighed again: 0.5 kg, not 5"))
        self.assertTrue(wrong.exists())
        self.assertFalse(wrong.active)
        self.assertEqual(wrong.superseded_by_id, right)
        self.assertEqual(right.supersedes_ids, wrong)
        self.assertEqual(wrong.quantity, 5.0)
        self.assertIn(self.biscuit_2.id, self.sugar_1._trace("down", max_depth=1))
        self.assertIn("corrects the link", self.biscuit_2.message_ids[0].body)
        # the corrected link stays as it was: not restored, not edited, not re-pointed
        for vals in ({"active": True}, {"note": "x"}, {"superseded_by_id": False}):
            with self.assertRaisesRegex(UserError, "corrected by"):
                wrong.sudo().write(vals)
        with self.assertRaisesRegex(UserError, "Only an active manual link"):
            wrong._correct({"quantity": 1.0})

    def test_only_a_correction_supersedes_a_link(self):
        old = self.premix_1.parent_link_ids[:1]
        with self.assertRaisesRegex(UserError, "Correct"):
            self.env["stock.lot.link"].with_user(self.quality).create(
                {
                    "parent_lot_id": self.sugar_1.id,
                    "child_lot_id": self.biscuit_1.id,
                    "note": "forged",
                    "supersedes_ids": [Command.set(old.ids)],
                }
            )
        with self.assertRaisesRegex(UserError, "Correct"):
            self.env["stock.lot.link"].with_user(self.quality).create(
                {
                    "parent_lot_id": self.sugar_1.id,
                    "child_lot_id": self.biscuit_1.id,
                    "note": "forged",
                    "superseded_by_id": old.id,
                }
            )
        self.assertTrue(old.active)

    # lots --------------------------------------------------------------------------
    def test_lots_that_are_evidence_cannot_be_deleted_by_anyone(self):
        lot_model = self.env["stock.lot"]
        unused = lot_model.create({"name": "SUGAR-UNUSED", "product_id": self.sugar.id})
        held = lot_model.create({"name": "SUGAR-HELD", "product_id": self.sugar.id})
        held._place_hold("other", "suspect bag")[:1].action_release("bag was fine")
        in_draft_recall = lot_model.create({"name": "SUGAR-RECALL", "product_id": self.sugar.id})
        self.env["stock.recall"].create(
            {"lot_ids": [Command.set(in_draft_recall.ids)], "reason": "Supplier notice"}
        )
        self.flow._receive_lots(self.sugar_co, [(self.sugar, "SUGAR-SOLD", 5)])
        sold = self._lot("SUGAR-SOLD")
        self.flow._deliver_lots(self.alpha, [(self.sugar, sold, 5)])
        for lot in (self.flour_2, held, in_draft_recall, sold, self.biscuit_1):
            with self.assertRaisesRegex(UserError, lot.name):
                lot.sudo().unlink()
            self.assertTrue(lot.exists())
        unused.unlink()
        self.assertFalse(unused.exists())

    # recall lines ------------------------------------------------------------------
    def test_scoped_recall_lines_are_written_by_the_actions_only(self):
        recall = self._recall(self.flour_2)
        lot_line, delivery, customer = (
            recall.recall_lot_ids[:1],
            recall.delivery_ids[:1],
            recall.partner_line_ids[:1],
        )
        forged_context = {"stock_lot_traceability_evidence": True}
        for record, vals in (
            (lot_line, {"on_hand_qty": 0.0}),
            (delivery, {"quantity": 0.0}),
            (customer, {"state": "acknowledged"}),
            (customer, {"acknowledged_at": fields.Datetime.now()}),
            (customer.product_line_ids, {"accounted_qty": 1.0}),
            (recall.product_line_ids, {"effectiveness": 100.0}),
            (recall, {"state": "closed"}),
            (recall, {"recall_lot_ids": [Command.clear()]}),
        ):
            for forger in (
                record,
                record.sudo(),
                record.sudo().with_context(**forged_context),
            ):
                with self.assertRaisesRegex(UserError, recall.name):
                    forger.write(vals)
        for record in (lot_line, delivery, customer, customer.product_line_ids):
            with self.assertRaisesRegex(UserError, "deleted"):
                record.sudo().unlink()
        with self.assertRaisesRegex(UserError, "created"):
            self.env["stock.recall.delivery"].sudo().create(
                {
                    "recall_id": recall.id,
                    "move_line_id": delivery.move_line_id.id,
                    "lot_id": self.biscuit_1.id,
                    "product_id": self.biscuit.id,
                    "quantity": 99.0,
                }
            )
        with self.assertRaisesRegex(UserError, "created"):
            self.env["stock.recall.partner"].with_user(self.manager).create(
                {"recall_id": recall.id, "partner_id": self.mill.id}
            )
        self.assertEqual(len(recall.recall_lot_ids), 5)
        # what a user may still do: fix the address before the notice, write notes,
        # also from the recall form's customers list
        customer.with_user(self.manager).write({"note": "Call first"})
        recall.with_user(self.manager).write(
            {
                "partner_line_ids": [
                    Command.update(customer.id, {"email": "recalls@alpha.example.com"})
                ]
            }
        )
        self.assertEqual(customer.email, "recalls@alpha.example.com")
        with self.assertRaisesRegex(UserError, "Alpha Stores"):
            recall.with_user(self.manager).write(
                {"partner_line_ids": [Command.update(customer.id, {"state": "waived"})]}
            )
        recall.with_user(self.manager).action_notify_customers()
        self.assertEqual(customer.state, "notified")
        with self.assertRaisesRegex(UserError, "Email"):
            customer.with_user(self.manager).email = "other@alpha.example.com"
        customer.with_user(self.manager).note = "Called, they will reply today"
        with self.assertRaisesRegex(UserError, "Origin Lots"):
            recall.write({"lot_ids": [Command.link(self.flour_1.id)]})
        recall.write({"classification": "class_2"})

    def test_a_new_recall_cannot_be_born_scoped_or_closed(self):
        with self.assertRaisesRegex(UserError, "actions"):
            self.env["stock.recall"].with_user(self.manager).create(
                {
                    "lot_ids": [Command.set(self.flour_2.ids)],
                    "reason": "x",
                    "state": "closed",
                }
            )
        recall = (
            self.env["stock.recall"]
            .with_user(self.manager)
            .with_context(default_state="closed", default_scoped_at="2020-01-01 00:00:00")
            .create({"lot_ids": [Command.set(self.flour_2.ids)], "reason": "x"})
        )
        self.assertEqual(recall.state, "draft")
        self.assertFalse(recall.scoped_at)
        # a closed recall duplicates into a new draft, without its scope
        closed = self._recall(self.flour_2)
        closed.action_notify_customers()
        closed.partner_line_ids.action_waive("Mock recall")
        closed.action_close()
        copy = closed.with_user(self.manager).copy()
        self.assertEqual((copy.state, copy.lot_ids), ("draft", self.flour_2))
        self.assertFalse(copy.recall_lot_ids or copy.scope_ids or copy.supplier_ids)

    def test_actions_stamp_who_and_when(self):
        recall = self._recall(self.flour_2)
        recall.action_notify_customers()
        alpha, beta, gamma = (
            self._customer(recall, partner) for partner in (self.alpha, self.beta, self.gamma)
        )
        self.assertEqual(alpha.notified_by_id, self.manager)
        self.assertTrue(alpha.notified_at)
        alpha.action_acknowledge()
        self.assertEqual(alpha.acknowledged_by_id, self.manager)
        self.assertTrue(alpha.acknowledged_at)
        alpha.action_record_accounted({self.biscuit: 3.0}, note="Destruction certificate 77")
        self.assertEqual(alpha.product_line_ids.accounted_by_id, self.manager)
        self.assertTrue(alpha.product_line_ids.accounted_at)
        self.assertIn("Destruction certificate 77", recall.message_ids[0].body)
        beta.action_waive("Closed for good")
        self.assertEqual((beta.waived_by_id, beta.waive_reason), (self.manager, "Closed for good"))
        self.assertTrue(beta.waived_at)
        with self.assertRaisesRegex(UserError, "Beta Market"):
            beta.action_waive("again")
        # accounted quantities: never negative, never more than the customer still holds
        with self.assertRaisesRegex(UserError, "negative"):
            gamma.action_record_accounted({self.biscuit: -1.0})
        with self.assertRaisesRegex(UserError, "Gamma Foods.*at most 3"):
            gamma.action_record_accounted({self.biscuit: 4.0})
        with self.assertRaisesRegex(UserError, "received no Sugar"):
            gamma.action_record_accounted({self.sugar: 1.0})

    def test_the_account_wizard_records_per_product(self):
        recall = self._recall(self.flour_2)
        recall.action_notify_customers()
        alpha = self._customer(recall, self.alpha)
        action = alpha.with_user(self.manager).action_open_account_wizard()
        wizard = self.env[action["res_model"]].with_user(self.manager).browse(action["res_id"])
        self.assertEqual(wizard.line_ids.product_id, self.biscuit)
        self.assertEqual(wizard.line_ids.shipped_qty, 4.0)
        wizard.line_ids.accounted_qty = 4.0
        wizard.action_confirm()
        self.assertEqual(alpha.product_line_ids.accounted_qty, 4.0)
        self.assertEqual(alpha.product_line_ids.recovered_qty, 4.0)

    def test_a_closed_recall_is_frozen(self):
        recall = self._recall(self.flour_2)
        recall.action_notify_customers()
        recall.partner_line_ids.action_waive("Drill of the closing rules")
        recall.action_close()
        for vals in ({"reason": "rewritten"}, {"classification": "class_3"}, {"user_id": 1}):
            with self.assertRaisesRegex(UserError, "closed or cancelled recall"):
                recall.sudo().write(vals)
        with self.assertRaisesRegex(UserError, "Note"):
            recall.partner_line_ids[:1].sudo().write({"note": "afterthought"})

    def test_a_recall_cannot_close_without_scope_or_lots(self):
        draft = (
            self.env["stock.recall"]
            .with_user(self.manager)
            .create({"lot_ids": [Command.set(self.flour_2.ids)], "reason": "x"})
        )
        with self.assertRaisesRegex(UserError, "draft"):
            draft.action_close()
        # even if a bug or a script left it scoped without scope, it does not close
        evidence.system(draft).write({"state": "scoped"})
        with self.assertRaisesRegex(UserError, "no computed scope"):
            draft.action_close()

    # re-scope ----------------------------------------------------------------------
    def test_rescope_keeps_versions_replies_and_returns_and_never_inflates(self):
        recall = self._recall(self.flour_2)
        first = recall.scope_id
        first_lines = recall.recall_lot_ids
        recall.action_notify_customers()
        alpha, gamma = self._customer(recall, self.alpha), self._customer(recall, self.gamma)
        alpha.action_acknowledge()
        alpha.action_record_accounted({self.biscuit: 4.0})
        # Gamma sends 1 biscuit back on its own, without the recall's Return action
        self.flow._return_delivery(self.delivery_gamma, {self.biscuit_2: 1})
        self.assertEqual(gamma.state, "returned")
        self.assertEqual((gamma.quantity, gamma.returned_qty), (3.0, 1.0))
        biscuits = self._product_line(recall, self.biscuit)
        self.assertEqual((biscuits.shipped_qty, biscuits.recovered_qty), (12.0, 5.0))

        # a forgotten rework: flour went into the egg tank; the scope grows
        self.env["stock.lot.link"].create(
            {
                "parent_lot_id": self.flour_2.id,
                "child_lot_id": self.eggs_1.id,
                "kind": "manual",
                "note": "Flour dusted into the egg tank",
            }
        )
        recall.action_compute_scope()
        second = recall.scope_id
        self.assertEqual(recall.scope_ids.sorted("number").mapped("number"), [1, 2])
        self.assertEqual((first.lot_count, second.lot_count), (5, 6))
        self.assertFalse(first.is_current)
        self.assertTrue(second.is_current)
        self.assertEqual(first.recall_lot_ids, first_lines)
        self.assertTrue(all(first_lines.mapped("superseded")))
        self.assertEqual(recall.recall_lot_ids.scope_id, second)
        self.assertIn(self.eggs_1, recall.recall_lot_ids.lot_id)
        self.assertEqual(len(recall.delivery_ids), 4)
        self.assertEqual(len(first.delivery_ids), 4)
        action = recall.action_view_scopes()
        self.assertEqual(set(action["domain"][0][2]), set(recall.scope_ids.ids))

        # replies and returns survive; the return made during the recall is recovered,
        # not subtracted from what was shipped (12 biscuits): no inflated effectiveness
        self.assertEqual((alpha.state, gamma.state), ("acknowledged", "returned"))
        self.assertEqual(alpha.product_line_ids.accounted_qty, 4.0)
        self.assertEqual((gamma.quantity, gamma.returned_qty), (3.0, 1.0))
        biscuits = self._product_line(recall, self.biscuit)
        self.assertEqual((biscuits.shipped_qty, biscuits.recovered_qty), (12.0, 5.0))
        self.assertAlmostEqual(recall.effectiveness, 100.0 * 5 / 12, places=1)

    def test_a_customer_who_leaves_the_scope_untold_is_dropped_its_deliveries_kept(self):
        wizard_model = self.env["stock.lot.link.wizard"].with_user(self.quality)
        wizard_model.create(
            {
                "parent_lot_id": self.flour_1.id,
                "child_lot_id": self.biscuit_2.id,
                "quantity": 5.0,
                "reason": "Flour 1 sifted into the second biscuit batch",
            }
        ).action_link()
        recall = self._recall(self.flour_1)
        first = recall.scope_id
        gamma = self._customer(recall, self.gamma)
        self.assertEqual(gamma.delivery_ids.lot_id, self.biscuit_2)

        # the link was wrong: flour 1 went into the first batch, which Gamma never got
        wrong = self.biscuit_2.parent_link_ids.filtered(lambda link: link.kind == "manual")
        action = wrong.with_user(self.quality).action_open_correct_wizard()
        wizard_model.with_context(**action["context"]).create(
            {"child_lot_id": self.biscuit_1.id, "reason": "Batch record checked again"}
        ).action_link()
        recall.action_compute_scope()

        self.assertFalse(gamma.exists())
        self.assertEqual(recall.partner_line_ids.partner_id, self.alpha | self.beta)
        self.assertNotIn(self.gamma, recall.delivery_ids.partner_id)
        # the first version keeps Gamma's delivery as it was found, with no customer line
        kept = first.delivery_ids.filtered(lambda delivery: delivery.partner_id == self.gamma)
        self.assertEqual((kept.lot_id, kept.quantity), (self.biscuit_2, 5.0))
        self.assertFalse(kept.partner_line_id)

    # units -------------------------------------------------------------------------
    def test_totals_are_per_product_in_its_unit_never_added_up(self):
        kg = self.env.ref("uom.product_uom_kgm")
        rye = self._lot_product("Rye Flour", uom_id=kg.id, uom_po_id=kg.id, sale_ok=True)
        self.flow._receive_lots(self.mill, [(rye, "RYE-1", 100)])
        rye_1 = self._lot("RYE-1")
        self.flow._deliver_lots(self.alpha, [(rye, rye_1, 30)])
        recall = self._recall(rye_1 | self.biscuit_1)
        rye_line, biscuit_line = (
            self._product_line(recall, product) for product in (rye, self.biscuit)
        )
        self.assertEqual((rye_line.shipped_qty, rye_line.product_uom_id), (30.0, kg))
        self.assertEqual(
            (biscuit_line.shipped_qty, biscuit_line.product_uom_id), (7.0, self.biscuit.uom_id)
        )
        alpha = self._customer(recall, self.alpha)
        self.assertEqual(
            {(line.product_id, line.shipped_qty) for line in alpha.product_line_ids},
            {(rye, 30.0), (self.biscuit, 4.0)},
        )
        self.assertIn("Rye Flour: 30 kg", alpha.product_summary)
        recall.action_notify_customers()
        alpha.action_record_accounted({rye: 30.0, self.biscuit: 4.0})
        self.assertEqual(rye_line.effectiveness, 100.0)
        self.assertAlmostEqual(biscuit_line.effectiveness, 100.0 * 4 / 7, places=1)
        self.assertEqual(recall.effectiveness_product_id, self.biscuit)
        self.assertEqual((recall.shipped_qty, recall.accounted_qty), (7.0, 4.0))
        self.assertAlmostEqual(recall.effectiveness, 100.0 * 4 / 7, places=1)
        headers, rows = recall._customer_table()
        rows = list(rows)  # the exporters' tables are streamed
        product, unit = headers.index("Product"), headers.index("Unit")
        self.assertIn(
            ("Alpha Stores", "Rye Flour", "kg"), [(r[0], r[product], r[unit]) for r in rows]
        )
        self.assertEqual(len([row for row in rows if row[0] == "Alpha Stores"]), 2)
        summary = dict(recall._summary_rows())
        self.assertIn("30 / 30 kg", summary["Product: Rye Flour"])

    def test_effectiveness_stays_within_0_and_100(self):
        recall = self._recall(self.biscuit_2)
        for line in recall.product_line_ids | self.env["stock.recall.product"].search(
            [("recall_id", "=", recall.id)]
        ):
            self.assertGreaterEqual(line.effectiveness, 0.0)
            self.assertLessEqual(line.effectiveness, 100.0)
        recall.action_notify_customers()
        beta = self._customer(recall, self.beta)
        beta.action_record_accounted({self.biscuit: 2.0})
        # Beta then returns the same 2 biscuits it had declared destroyed: never over 100 %
        self.flow._return_delivery(self.delivery_beta, {self.biscuit_2: 2})
        self.assertEqual(beta.product_line_ids.recovered_qty, 2.0)
        self.assertLessEqual(recall.effectiveness, 100.0)
        self.assertGreaterEqual(min(recall.product_line_ids.mapped("shipped_qty")), 0.0)

    # returns -----------------------------------------------------------------------
    def test_a_customer_with_nothing_left_is_returned_and_not_emailed(self):
        # Gamma already sent 2 of its 5 back; it returns the last 3 before any recall
        self.flow._return_delivery(self.delivery_gamma, {self.biscuit_2: 3})
        recall = self._recall(self.biscuit_2)
        gamma, beta = self._customer(recall, self.gamma), self._customer(recall, self.beta)
        self.assertEqual(gamma.state, "returned")
        self.assertEqual(gamma.quantity, 0.0)
        self.assertEqual(beta.state, "to_notify")
        recall.action_notify_customers()
        mails = self.env["mail.mail"].search(
            [("model", "=", "stock.recall.partner"), ("res_id", "in", recall.partner_line_ids.ids)]
        )
        self.assertEqual(mails.mapped("res_id"), beta.ids)
        self.assertEqual(gamma.state, "returned")
        self.assertFalse(gamma.notified_at)
