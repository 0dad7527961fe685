from datetime import timedelta

from odoo import Command, fields
from odoo.tests import TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval


@tagged("post_install", "-at_install")
class TestDemoStory(TransactionCase):
    """The demo's story, run again in a company of its own (the test database already holds
    the installed demo in the main company): what a newcomer should find in it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env["res.company"].create({"name": "Biscuit Factory (demo story)"})
        cls.env.user.company_ids = [Command.link(cls.company.id)]
        cls.env = cls.env(
            context=dict(
                cls.env.context,
                allowed_company_ids=[cls.company.id],
                tracking_disable=True,
            )
        )
        cls.env["stock.lot.traceability.demo"]._create_demo_data()
        cls.in_company = [("company_id", "=", cls.company.id)]

    def _lot(self, name):
        return self.env["stock.lot"].search([("name", "=", name), *self.in_company])

    def test_dates_spread_over_ninety_days(self):
        lines = self.env["stock.move.line"].search([("state", "=", "done"), *self.in_company])
        now = fields.Datetime.now()
        oldest, newest = min(lines.mapped("date")), max(lines.mapped("date"))
        self.assertGreater(now - oldest, timedelta(days=85))
        self.assertLessEqual(now - oldest, timedelta(days=91))
        self.assertLess(now - newest, timedelta(days=5))
        days = {line.date.date() for line in lines}
        self.assertGreaterEqual(len(days), 30, "one document a day or two, not all today")
        links = self.env["stock.lot.link"].search(self.in_company)
        self.assertEqual(
            {link.date for link in links if link.production_id},
            {link.production_id.date_finished for link in links if link.production_id},
            "links are dated when their manufacturing order finished",
        )
        self.assertEqual(
            self._lot("BSC-1001").expiration_date.date(),
            (self._lot("BSC-1001").production_date + timedelta(days=180)),
        )

    def test_receipts_with_vendor_lots_and_supplier_coas(self):
        receipts = self.env["stock.picking"].search(
            [("picking_type_code", "=", "incoming"), ("purchase_id", "!=", False), *self.in_company]
        )
        self.assertGreaterEqual(len(receipts.partner_id), 5)
        lots = receipts.move_line_ids.lot_id
        self.assertTrue(all(lots.mapped("vendor_lot_name")))
        self.assertTrue(all(lots.mapped("expiration_date")))
        coas = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "stock.lot"),
                ("res_id", "in", lots.ids),
                ("lot_document_type", "=", "supplier_coa"),
            ]
        )
        self.assertEqual(set(coas.mapped("res_id")), set(lots.ids))

    def test_two_manufacturing_levels(self):
        productions = self.env["mrp.production"].search([("state", "=", "done"), *self.in_company])
        self.assertEqual(len(productions.product_id), 2)
        self.assertTrue(
            self._lot("FL-24102")._trace("down").keys() >= set(self._lot("BSC-1003").ids),
            "flour reaches the biscuits through the premix",
        )

    def test_deliveries_to_a_dozen_customers_and_a_return(self):
        deliveries = self.env["stock.picking"].search(
            [("picking_type_code", "=", "outgoing"), ("state", "=", "done"), *self.in_company]
        )
        self.assertGreaterEqual(len(deliveries.partner_id), 12)
        returns = self.env["stock.picking"].search(
            [
                ("return_id", "!=", False),
                ("recall_partner_id", "=", False),
                ("state", "=", "done"),
                *self.in_company,
            ]
        )
        self.assertEqual(len(returns), 1)
        self.assertEqual(returns.move_line_ids.lot_id, self._lot("BSC-1002"))

    def test_holds_of_each_reason(self):
        holds = self.env["stock.lot.hold"].search(self.in_company)
        active = holds.filtered(lambda hold: hold.state == "active")
        self.assertEqual(
            {
                reason: active.filtered(lambda hold, r=reason: hold.reason == r).lot_id.mapped(
                    "name"
                )
                for reason in ("incoming_inspection", "failed_test")
            },
            {"incoming_inspection": ["CC-2611"], "failed_test": ["FL-24140"]},
        )
        self.assertEqual(
            set(active.filtered(lambda hold: hold.reason == "expired").lot_id.mapped("name")),
            {"EG-0918", "EG-0931"},
        )
        self.assertIn("recall", active.mapped("reason"))
        released = holds.filtered(lambda hold: hold.state == "released")
        self.assertEqual(released.reason, "lab_pending")
        self.assertGreater(len(set(holds.mapped("placed_at"))), 3, "holds placed over time")
        failing = self.env["stock.lot.test.result"].search(
            [("lot_id", "=", self._lot("FL-24140").id)]
        )
        self.assertFalse(failing.passed)
        self.assertEqual(self._lot("FL-24140").quality_state, "failed")

    def test_closed_recall_and_drill_in_progress(self):
        recalls = self.env["stock.recall"].search(self.in_company)
        recall = recalls.filtered(lambda recall: not recall.is_drill)
        drill = recalls.filtered("is_drill")
        self.assertEqual(recall.state, "closed")
        states = recall.partner_line_ids.mapped("state")
        self.assertIn("acknowledged", states)
        self.assertIn("returned", states)
        self.assertTrue(recall.hold_ids)
        self.assertLess(recall.scoped_at, recall.closed_at)
        self.assertGreater(fields.Datetime.now() - recall.closed_at, timedelta(days=30))
        self.assertEqual(drill.state, "in_progress")
        self.assertTrue(drill.partner_line_ids)

    def test_near_expiry_and_expired_stock(self):
        report = self.env["stock.lot.expiry.report"]
        near = report.search([("expiry_state", "=", "near_expiry"), *self.in_company])
        expired = report.search([("expiry_state", "=", "expired"), *self.in_company])
        self.assertEqual(set(near.lot_id.mapped("name")), {"EG-0963", "EG-0964"})
        self.assertEqual(set(expired.lot_id.mapped("name")), {"EG-0918", "EG-0931"})

    def test_every_menu_opens_on_something(self):
        menus = self.env["ir.model.data"].search(
            [("module", "=", "stock_lot_traceability"), ("model", "=", "ir.ui.menu")]
        )
        checked = []
        for menu in self.env["ir.ui.menu"].browse(menus.mapped("res_id")):
            action = menu.action
            if not action or action._name != "ir.actions.act_window" or action.target == "new":
                continue  # a wizard opens a form to fill, not records
            eval_context = {
                "uid": self.env.uid,
                "allowed_company_ids": [self.company.id],
                "active_ids": [],
                "context_today": fields.Date.context_today,
            }
            domain = safe_eval(action.domain or "[]", eval_context)
            context = safe_eval(action.context or "{}", eval_context)
            model = self.env[action.res_model].with_context(**context)
            if "company_id" in model._fields:  # this story's records, not the installed demo
                domain = [*domain, ("company_id", "in", [self.company.id, False])]
            with self.subTest(menu=menu.complete_name):
                self.assertGreater(model.search_count(domain), 0)
            checked.append(menu.name)
        self.assertGreaterEqual(len(checked), 10)
