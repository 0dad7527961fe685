from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TraceabilityCase

GROUP = "stock_lot_traceability.group_%s"

# README, section Security: what each group may do on each model (r)ead, (w)rite, (c)reate,
# (u)nlink. The groups imply one another: Recall Manager > Quality Manager > Traceability
# User > Inventory User.
ACCESS = {
    "stock.lot.link": {"stock": "", "trace": "r", "quality": "rwc", "recall": "rwc"},
    "stock.lot.hold": {"stock": "r", "trace": "r", "quality": "rwc", "recall": "rwc"},
    "stock.recall": {"stock": "", "trace": "", "quality": "r", "recall": "rwcu"},
    "stock.recall.lot": {"stock": "", "trace": "", "quality": "r", "recall": "rwc"},
    "stock.recall.delivery": {"stock": "", "trace": "", "quality": "r", "recall": "rwc"},
    "stock.recall.partner": {"stock": "", "trace": "", "quality": "r", "recall": "rwc"},
    "stock.lot.trace.line": {"stock": "", "trace": "rwcu", "quality": "rwcu", "recall": "rwcu"},
    "stock.lot.quarantine.impact": {
        "stock": "",
        "trace": "rwcu",
        "quality": "rwcu",
        "recall": "rwcu",
    },
    "stock.lot.hold.wizard": {"stock": "", "trace": "", "quality": "rwcu", "recall": "rwcu"},
    "stock.lot.hold.release.wizard": {
        "stock": "",
        "trace": "",
        "quality": "rwcu",
        "recall": "rwcu",
    },
    "stock.lot.link.wizard": {"stock": "", "trace": "", "quality": "rwcu", "recall": "rwcu"},
    "stock.recall.wizard": {"stock": "", "trace": "", "quality": "", "recall": "rwcu"},
    "stock.recall.cancel.wizard": {"stock": "", "trace": "", "quality": "", "recall": "rwcu"},
}
OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}


@tagged("post_install", "-at_install")
class TestAccess(TraceabilityCase):
    """Each group of the README's Security table, and a user of a second company, tries every
    model and every action of the addon on the biscuit factory of company A: a hold on
    FLOUR-1, a manual link SUGAR-1 → BISCUIT-2 and a recall of FLOUR-2 notified to its
    customers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            "stock": cls._user("acc_stock", "stock.group_stock_user"),
            "trace": cls._user("acc_trace", GROUP % "traceability_user"),
            "quality": cls._user("acc_quality", GROUP % "quality_manager"),
            "recall": cls._user("acc_recall", GROUP % "recall_manager"),
        }
        cls.stock_user, cls.trace_user = cls.users["stock"], cls.users["trace"]
        cls.quality, cls.recall_manager = cls.users["quality"], cls.users["recall"]
        cls.company_b = cls.env["res.company"].create({"name": "Biscuits B Ltd"})
        cls.user_b = cls._user("acc_b", GROUP % "recall_manager", company=cls.company_b)
        # the factory's lots are of products shared by all companies, so shared too; these
        # two belong to one company each
        cls.lot_a = cls.env["stock.lot"].create(
            {"name": "A-SUGAR-9", "product_id": cls.sugar.id, "company_id": cls.company.id}
        )
        cls.lot_b = cls.env["stock.lot"].create(
            {"name": "B-SUGAR-1", "product_id": cls.sugar.id, "company_id": cls.company_b.id}
        )
        cls.hold = cls.flour_1.with_user(cls.quality)._place_hold("failed_test", "Aflatoxin")
        cls.link = (
            cls.env["stock.lot.link"]
            .with_user(cls.quality)
            .create(
                {
                    "parent_lot_id": cls.sugar_1.id,
                    "child_lot_id": cls.biscuit_2.id,
                    "kind": "manual",
                    "note": "Icing sugar dusted on the line",
                }
            )
        )
        cls.recall = (
            cls.env["stock.recall"]
            .with_user(cls.recall_manager)
            .create({"lot_ids": [Command.set(cls.flour_2.ids)], "reason": "Peanut traces"})
        )
        cls.recall.action_compute_scope()
        cls.recall.action_notify_customers()

    def _records(self, model):
        """A record of company A of each model, or the empty model for the wizards."""
        return {
            "stock.lot.link": self.link,
            "stock.lot.hold": self.hold,
            "stock.recall": self.recall,
            "stock.recall.lot": self.recall.recall_lot_ids[:1],
            "stock.recall.delivery": self.recall.delivery_ids[:1],
            "stock.recall.partner": self.recall.partner_line_ids[:1],
        }.get(model, self.env[model])

    # the table -----------------------------------------------------------------------
    def test_every_model_follows_the_security_table(self):
        for model, rights in ACCESS.items():
            records = self._records(model)
            if not records._transient:
                self.assertTrue(records, model)
            for group, allowed in rights.items():
                for letter, operation in OPERATIONS.items():
                    with self.subTest(model=model, group=group, operation=operation):
                        self.assertEqual(
                            records.with_user(self.users[group]).has_access(operation),
                            letter in allowed,
                        )

    def test_every_model_with_a_table_has_access_lines(self):
        """Each model the addon creates and stores has lines in ir.model.access.csv; the
        ones without are abstract (mixins, report renderers, the demo builder), and the
        models it only extends (sales orders, products...) keep their own modules' lines."""
        created = self.env["ir.model.data"].search(
            [("module", "=", "stock_lot_traceability"), ("model", "=", "ir.model")]
        )
        models = self.env["ir.model"].browse(created.mapped("res_id"))
        stored = models.filtered(lambda model: not self.env[model.model]._abstract)
        self.assertGreater(len(stored), 40)
        without_access = stored.filtered(
            lambda model: (
                not self.env["ir.model.access"].search_count([("model_id", "=", model.id)])
            )
        )
        self.assertFalse(without_access.mapped("model"))

    def test_a_user_of_another_company_sees_nothing_of_company_a(self):
        """Even a Recall Manager of company B: no hold, link, recall or scope line of A."""
        env_b = self.env(user=self.user_b)
        for model in ACCESS:
            records = self._records(model)
            if not records:
                continue
            with self.subTest(model=model):
                self.assertFalse(env_b[model].search([("id", "in", records.ids)]))
                self.assertFalse(records.with_env(env_b).has_access("read"))
                with self.assertRaises(AccessError):
                    records.with_env(env_b).read(["display_name"])
        # nor act on them
        with self.assertRaises(AccessError):
            self.hold.with_env(env_b).action_release("Not ours to release")
        with self.assertRaises(AccessError):
            self.recall.with_env(env_b).action_compute_scope()
        with self.assertRaises(AccessError):
            self.recall.with_env(env_b).action_cancel("Not ours to cancel")
        with self.assertRaises(AccessError):
            self.link.with_env(env_b).action_archive()
        # nor hold, link or recall company A's lots
        with self.assertRaises(AccessError):
            self.lot_a.with_env(env_b)._place_hold("other", "From B")
        with self.assertRaises(UserError):
            env_b["stock.lot.link"].create(
                {
                    "parent_lot_id": self.lot_b.id,
                    "child_lot_id": self.lot_a.id,
                    "note": "Cross-company rework",
                }
            )
        with self.assertRaises(UserError):
            env_b["stock.recall"].create(
                {"lot_ids": [Command.set(self.lot_a.ids)], "reason": "From B"}
            )
        self.assertFalse(self.lot_a.hold_ids)
        # and what B does in its own company stays there
        hold_b = self.lot_b.with_env(env_b)._place_hold("lab_pending", "B's own lab")
        self.assertEqual(hold_b.company_id, self.company_b)
        for group, user in self.users.items():
            with self.subTest(group=group):
                self.assertFalse(
                    self.env["stock.lot.hold"].with_user(user).search([("id", "=", hold_b.id)])
                )

    # the actions, group by group --------------------------------------------------------
    def _assert_cannot_act_on_recalls(self, user):
        recall = self.recall.with_user(user)
        for on_lines, action, args in (
            (False, "action_compute_scope", ()),
            (False, "action_hold_stock", ()),
            (False, "action_notify_customers", ()),
            (False, "action_close", ()),
            (False, "action_cancel", ("No right to cancel",)),
            (True, "action_acknowledge", ()),
            (True, "action_waive", ("No right to waive",)),
            (True, "action_create_return", ()),
        ):
            with self.subTest(user=user.login, action=action), self.assertRaises(UserError):
                target = recall.partner_line_ids[:1] if on_lines else recall
                getattr(target, action)(*args)
        with self.assertRaises(AccessError):
            self.env["stock.recall"].with_user(user).create(
                {"lot_ids": [Command.set(self.flour_1.ids)], "reason": "No right to recall"}
            )
        with self.assertRaises(AccessError):
            self.env["stock.recall.wizard"].with_user(user).create(
                {"lot_ids": [Command.set(self.flour_1.ids)], "reason": "No right to recall"}
            )
        self.recall.invalidate_recordset()
        self.assertEqual(self.recall.state, "in_progress")
        self.assertEqual(set(self.recall.partner_line_ids.mapped("state")), {"notified"})

    def _assert_cannot_hold_or_link(self, user):
        with self.assertRaises(AccessError):
            self.sugar_1.with_user(user)._place_hold("other", "No right to hold")
        with self.assertRaises(AccessError):
            self.env["stock.lot.hold.wizard"].with_user(user).create(
                {"lot_ids": [Command.set(self.sugar_1.ids)], "reason": "other"}
            )
        for close in ("action_release", "action_cancel"):
            with self.assertRaises(AccessError):
                getattr(self.hold.with_user(user), close)("No right to lift a hold")
        with self.assertRaises(AccessError):
            self.hold.with_user(user).write({"note": "Rewritten"})
        with self.assertRaises(AccessError):
            self.env["stock.lot.link.wizard"].with_user(user).create(
                {
                    "parent_lot_id": self.eggs_1.id,
                    "child_lot_id": self.premix_2.id,
                    "quantity": 1,
                    "reason": "No right to link",
                }
            )
        with self.assertRaises(AccessError):
            self.link.with_user(user).action_archive()
        self.assertEqual(self.hold.state, "active")
        self.assertEqual(self.sugar_1.hold_state, "free")
        self.assertTrue(self.link.active)

    def test_inventory_user_reads_holds_and_nothing_else(self):
        user = self.stock_user
        hold = self.hold.with_user(user)
        self.assertEqual((hold.lot_id, hold.reason), (self.flour_1, "failed_test"))
        self.assertEqual(self.flour_1.with_user(user).hold_state, "held")
        with self.assertRaises(AccessError):
            self.env["stock.lot.link"].with_user(user).search([])
        with self.assertRaises(AccessError):
            self.recall.with_user(user).read(["name"])
        self._assert_cannot_hold_or_link(user)
        self._assert_cannot_act_on_recalls(user)

    def test_traceability_user_reads_traces_but_holds_links_and_recalls_nothing(self):
        user = self.trace_user
        flour = self.flour_2.with_user(user)
        self.assertEqual(len(flour._trace("down")), 5)
        self.assertEqual(flour._trace_customers(), self.alpha | self.beta | self.gamma)
        self.assertIn(self.link, self.env["stock.lot.link"].with_user(user).search([]))
        impact = (
            self.env["stock.lot.quarantine.impact"]
            .with_user(user)
            .browse(flour.action_quarantine_impact()["res_id"])
        )
        self.assertEqual(impact.affected_lot_count, 5)
        with self.assertRaises(AccessError):
            self.recall.with_user(user).read(["name"])
        self._assert_cannot_hold_or_link(user)
        self._assert_cannot_act_on_recalls(user)

    def test_quality_manager_holds_releases_and_links_but_only_reads_recalls(self):
        user = self.quality
        wizard = (
            self.env["stock.lot.hold.wizard"]
            .with_user(user)
            .create({"lot_ids": [Command.set(self.sugar_1.ids)], "reason": "lab_pending"})
        )
        wizard.action_confirm()
        hold = self.sugar_1.active_hold_ids
        self.assertEqual(hold.placed_by_id, user)
        hold.with_user(user).action_release("Lab result within specification")
        self.assertEqual((hold.state, self.sugar_1.hold_state), ("released", "free"))
        mistake = self.sugar_1.with_user(user)._place_hold("other", "Wrong lot")
        mistake.with_user(user).action_cancel("Placed on the wrong lot")
        self.assertEqual(mistake.state, "cancelled")
        with self.assertRaises(UserError):
            mistake.with_user(user).unlink()
        self.env["stock.lot.link.wizard"].with_user(user).create(
            {
                "parent_lot_id": self.eggs_1.id,
                "child_lot_id": self.premix_2.id,
                "quantity": 2,
                "reason": "Egg wash added by hand",
            }
        ).action_link()
        self.assertIn(self.premix_2.id, self.eggs_1.with_user(user)._trace("down"))
        self.link.with_user(user).action_archive()
        self.assertFalse(self.link.active)
        with self.assertRaises(UserError):
            self.link.with_user(user).unlink()
        # recalls: read, never act
        self.assertEqual(self.recall.with_user(user).customer_count, 3)
        with self.assertRaises(AccessError):
            self.recall.with_user(user).write({"reason": "Rewritten"})
        with self.assertRaises(AccessError):
            self.recall.with_user(user).action_export_xlsx()
        self._assert_cannot_act_on_recalls(user)

    def test_recall_manager_starts_scopes_holds_notifies_closes_and_cancels(self):
        user = self.recall_manager
        action = (
            self.env["stock.recall.wizard"]
            .with_user(user)
            .create({"lot_ids": [Command.set(self.eggs_1.ids)], "reason": "Salmonella"})
            .action_create_recall()
        )
        recall = self.env["stock.recall"].with_user(user).browse(action["res_id"])
        self.assertEqual(recall.state, "scoped")
        recall.action_hold_stock()
        self.assertTrue(recall.hold_ids)
        self.assertEqual(set(recall.hold_ids.lot_id.mapped("hold_state")), {"held"})
        recall.action_notify_customers()
        alpha, *others = recall.partner_line_ids.sorted(lambda line: line.partner_id != self.alpha)
        alpha.action_acknowledge()
        for line in others:
            line.action_waive("Customer closed")
        recall.action_close()
        self.assertEqual(recall.state, "closed")
        with self.assertRaises(UserError):
            recall.unlink()
        # a recall started by mistake is cancelled; a draft one may still be deleted
        self.env["stock.recall.cancel.wizard"].with_user(user).create(
            {"recall_id": self.recall.id, "reason": "Lab confirmed a false positive"}
        ).action_confirm()
        self.assertEqual(self.recall.state, "cancelled")
        draft = (
            self.env["stock.recall"]
            .with_user(user)
            .create({"lot_ids": [Command.set(self.sugar_1.ids)], "reason": "Typo"})
        )
        draft.unlink()
        self.assertFalse(draft.exists())
        # the scope lines are the recall's: a manager cannot delete them one by one
        with self.assertRaises(AccessError):
            recall.recall_lot_ids[:1].unlink()
        with self.assertRaises(AccessError):
            recall.delivery_ids[:1].unlink()
        with self.assertRaises(AccessError):
            recall.partner_line_ids[:1].unlink()
