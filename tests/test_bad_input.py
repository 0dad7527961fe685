import re

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import TraceabilityCase


@tagged("post_install", "-at_install")
class TestBadInput(TraceabilityCase):
    """An unfriendly user calls the models over RPC with empty, negative or circular values.

    Every refusal is a clear error naming the record and the field, raised before anything
    is written; never a PostgreSQL NOT NULL or CHECK violation.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.quality = cls._user("bad_quality", "stock_lot_traceability.group_quality_manager")
        cls.manager = cls._user("bad_manager", "stock_lot_traceability.group_recall_manager")
        cls.draft_recall = (
            cls.env["stock.recall"]
            .with_user(cls.manager)
            .create({"lot_ids": [Command.set(cls.flour_1.ids)], "reason": "Mould on sacks"})
        )

    def _count(self, model):
        return self.env[model].with_context(active_test=False).search_count([])

    # holds -----------------------------------------------------------------------
    def test_a_hold_needs_a_lot(self):
        holds = self.env["stock.lot.hold"].with_user(self.quality)
        before = self._count("stock.lot.hold")
        for vals in ({"reason": "failed_test"}, {"reason": "failed_test", "lot_id": False}):
            with self.assertRaisesRegex(ValidationError, r"Lot Quality Hold HOLD/[\d/]+: “Lot”"):
                holds.create(vals)
        self.assertEqual(self._count("stock.lot.hold"), before)
        hold = self.sugar_1.with_user(self.quality)._place_hold("failed_test", "Lumps")
        with self.assertRaisesRegex(UserError, hold.name):
            hold.write({"lot_id": False})
        with self.assertRaisesRegex(UserError, hold.name):
            hold.write({"reason": False})
        self.assertEqual((hold.lot_id, hold.reason), (self.sugar_1, "failed_test"))

    # recalls ---------------------------------------------------------------------
    def test_a_recall_needs_a_reason_and_lots(self):
        recalls = self.env["stock.recall"].with_user(self.manager)
        before = self._count("stock.recall")
        for reason in (False, "", "   "):
            with self.assertRaisesRegex(ValidationError, r"Recall RCL/.*“Reason” is required"):
                recalls.create({"lot_ids": [Command.set(self.flour_2.ids)], "reason": reason})
        for lots in ([], [Command.set([])], [Command.clear()]):
            with self.assertRaisesRegex(ValidationError, r"Recall RCL/.*“Origin Lots” is req"):
                recalls.create({"lot_ids": lots, "reason": "Peanut traces"})
        with self.assertRaisesRegex(ValidationError, r"Recall RCL/.*“Origin Lots”"):
            recalls.create({"reason": "Peanut traces"})
        self.assertEqual(self._count("stock.recall"), before)
        recall = self.draft_recall.with_user(self.manager)
        with self.assertRaisesRegex(UserError, rf"{recall.name}.*“Origin Lots”"):
            recall.write({"lot_ids": [Command.clear()]})
        with self.assertRaisesRegex(UserError, rf"{recall.name}.*“Reason”"):
            recall.write({"reason": " "})
        self.assertEqual(recall.lot_ids, self.flour_1)
        self.assertEqual(recall.reason, "Mould on sacks")

    def test_a_customer_cannot_account_for_a_negative_quantity(self):
        recall = (
            self.env["stock.recall"]
            .with_user(self.manager)
            .create({"lot_ids": [Command.set(self.biscuit_1.ids)], "reason": "Glass fragment"})
        )
        recall.action_compute_scope()
        line = recall.partner_line_ids.filtered(lambda line: line.partner_id == self.alpha)
        with self.assertRaisesRegex(UserError, "Alpha Stores"):
            line.accounted_qty = -4
        self.assertEqual(line.recovered_qty, 0)

    def test_the_follow_up_delay_cannot_be_negative(self):
        days = self.company.recall_follow_up_days
        with self.assertRaises(ValidationError) as caught:
            self.company.write({"recall_follow_up_days": -2})
        self.assertIn(self.company.name, str(caught.exception))
        self.assertEqual(self.company.recall_follow_up_days, days)

    # genealogy links ---------------------------------------------------------------
    def _manual_link(self, parent, child, **vals):
        return (
            self.env["stock.lot.link"]
            .with_user(self.quality)
            .create(
                {
                    "parent_lot_id": parent.id,
                    "child_lot_id": child.id,
                    "kind": "manual",
                    "note": "Rework",
                    **vals,
                }
            )
        )

    def test_a_lot_cannot_be_linked_to_itself_even_over_rpc(self):
        before = self._count("stock.lot.link")
        with self.assertRaisesRegex(ValidationError, "Lot EGGS-1.* cannot be linked to itself"):
            self._manual_link(self.eggs_1, self.eggs_1)
        self.assertEqual(self._count("stock.lot.link"), before)

    def test_a_manual_link_cannot_close_a_cycle(self):
        # BISCUIT-2 is made (two levels down) from FLOUR-2: FLOUR-2 cannot be made from it
        with self.assertRaisesRegex(
            ValidationError, "BISCUIT-2.* into FLOUR-2.* would make a cycle"
        ):
            self._manual_link(self.biscuit_2, self.flour_2)
        with self.assertRaisesRegex(ValidationError, "cycle"):
            self._manual_link(self.premix_1, self.flour_1)
        self.assertEqual(self.biscuit_2._trace("down"), {self.biscuit_2.id: 0})
        # an edge that closes no cycle is still accepted
        link = self._manual_link(self.eggs_1, self.premix_2)
        self.assertIn(self.premix_2.id, self.eggs_1._trace("down"))
        # nor can a cycle come back by reactivating an archived link
        link.action_archive()
        self._manual_link(self.premix_2, self.eggs_1)
        with self.assertRaisesRegex(ValidationError, "cycle"):
            link.action_unarchive()
        self.assertFalse(link.active)

    def test_a_link_quantity_cannot_be_negative(self):
        with self.assertRaisesRegex(ValidationError, "EGGS-1.*PREMIX-2.*negative"):
            self._manual_link(self.eggs_1, self.premix_2, quantity=-2)
        link = self._manual_link(self.eggs_1, self.premix_2, quantity=2)
        with self.assertRaises(UserError):
            link.write({"quantity": -1})
        self.assertEqual(link.quantity, 2)

    # wizards -----------------------------------------------------------------------
    def test_the_link_wizard_refuses_a_zero_or_negative_quantity(self):
        wizards = self.env["stock.lot.link.wizard"].with_user(self.quality)
        before = self._count("stock.lot.link")
        for quantity in (0, -3):
            wizard = wizards.create(
                {
                    "parent_lot_id": self.eggs_1.id,
                    "child_lot_id": self.premix_2.id,
                    "quantity": quantity,
                    "reason": "Egg wash",
                }
            )
            with self.assertRaisesRegex(UserError, "EGGS-1.*PREMIX-2.*more than zero"):
                wizard.action_link()
        self.assertEqual(self._count("stock.lot.link"), before)
        self.assertNotIn(self.premix_2.id, self.eggs_1._trace("down"))

    def test_the_cancel_wizard_needs_a_recall_or_customers(self):
        wizards = self.env["stock.recall.cancel.wizard"].with_user(self.manager)
        with self.assertRaisesRegex(UserError, "recall to cancel"):
            wizards.create({"reason": "Duplicate"}).action_confirm()
        with self.assertRaisesRegex(UserError, "customers to waive"):
            wizards.create({"mode": "waive", "reason": "Closed shop"}).action_confirm()
        self.assertEqual(self.draft_recall.state, "draft")

    def test_every_required_field_of_every_model_is_checked_before_the_database(self):
        """Each required field, left empty over RPC, gets a ValidationError naming it (or
        is stamped by the system). Recall scope lines are not created by users at all
        (see test_evidence)."""
        hold = self.sugar_1._place_hold("other", "x")
        valid = {
            "stock.lot.hold": {"lot_id": self.sugar_1.id, "reason": "other"},
            "stock.lot.link": {
                "parent_lot_id": self.eggs_1.id,
                "child_lot_id": self.premix_2.id,
                "note": "Egg wash",
            },
            "stock.recall": {"lot_ids": [Command.set(self.flour_2.ids)], "reason": "Peanuts"},
            "stock.lot.trace.line": {"lot_id": self.flour_1.id},
            "stock.lot.hold.wizard": {"lot_ids": [Command.set(self.flour_1.ids)]},
            "stock.lot.hold.release.wizard": {
                "hold_ids": [Command.set(hold.ids)],
                "note": "Lab report OK",
            },
            "stock.lot.link.wizard": {
                "parent_lot_id": self.eggs_1.id,
                "child_lot_id": self.premix_2.id,
                "quantity": 1,
                "reason": "Egg wash",
            },
            "stock.lot.quarantine.impact": {"lot_id": self.flour_1.id},
            "stock.recall.wizard": {"lot_ids": [Command.set(self.flour_2.ids)], "reason": "x"},
            "stock.recall.cancel.wizard": {"recall_id": self.draft_recall.id, "reason": "x"},
        }
        checked = 0
        for model_name, vals in valid.items():
            model = self.env[model_name]
            required = model._required_fields()
            self.assertTrue(required, model_name)
            for name in required:
                label = re.escape(model._fields[name]._description_string(self.env))
                with self.subTest(model=model_name, field=name):
                    # either refused, naming the field, or filled by the system (stamps)
                    try:
                        with self.env.cr.savepoint():
                            record = model.create({**vals, name: False})
                            self.assertTrue(record[name], f"{model_name}.{name} left empty")
                    except ValidationError as error:
                        self.assertRegex(str(error), f"“{label}” is required")
                    checked += 1
        self.assertGreater(checked, 30)
