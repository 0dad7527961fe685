from datetime import timedelta

from odoo import fields
from odoo.tests import TransactionCase, tagged
from odoo.tools import convert_file
from odoo.tools.safe_eval import safe_eval


@tagged("post_install", "-at_install")
class TestDemoStory(TransactionCase):
    """The demo's story, as a newcomer finds it in the database.

    The harness installs the addon with its demo data, so the story has run already (in
    ``demo/stock_lot_traceability_demo.xml``, which calls
    ``stock.lot.traceability.demo._create_demo_data``); when the demo was not loaded
    (a database without demo data, or a story that failed, which Odoo only logs), the test
    loads the same file, which runs the story and shows its error.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env.ref("stock_lot_traceability.product_biscuit_demo", False):
            convert_file(
                cls.env(su=True),
                "stock_lot_traceability",
                "demo/stock_lot_traceability_demo.xml",
                {},
                mode="init",
                kind="demo",
            )
        cls.company = cls.env.company
        cls.products = cls.env["product.product"].search(
            [
                (
                    "default_code",
                    "in",
                    (
                        "ING-FLOUR",
                        "ING-MILK",
                        "ING-EGGS",
                        "ING-SUGAR",
                        "ING-COCOA",
                        "SFG-PREMIX",
                        "FG-BISCUIT",
                    ),
                )
            ]
        )
        cls.lots = cls.env["stock.lot"].search([("product_id", "in", cls.products.ids)])
        cls.of_story = [("product_id", "in", cls.products.ids)]

    def _lot(self, name):
        return self.lots.filtered(lambda lot: lot.name == name)

    def test_dates_spread_over_ninety_days(self):
        lines = self.env["stock.move.line"].search([("state", "=", "done"), *self.of_story])
        now = fields.Datetime.now()
        oldest, newest = min(lines.mapped("date")), max(lines.mapped("date"))
        self.assertGreater(now - oldest, timedelta(days=85))
        self.assertLessEqual(now - oldest, timedelta(days=91))
        self.assertLess(now - newest, timedelta(days=5))
        days = {line.date.date() for line in lines}
        self.assertGreaterEqual(len(days), 30, "one document a day or two, not all today")
        links = self.env["stock.lot.link"].search([("child_lot_id", "in", self.lots.ids)])
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
            [("picking_type_code", "=", "incoming"), ("purchase_id", "!=", False)]
        )
        self.assertGreaterEqual(len(receipts.partner_id), 5)
        receipts = receipts.filtered(lambda receipt: receipt.move_ids.product_id <= self.products)
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
        productions = self.env["mrp.production"].search([("state", "=", "done"), *self.of_story])
        self.assertEqual(len(productions.product_id), 2)
        self.assertTrue(
            self._lot("FL-24102")._trace("down").keys() >= set(self._lot("BSC-1003").ids),
            "flour reaches the biscuits through the premix",
        )

    def test_deliveries_to_a_dozen_customers_and_a_return(self):
        deliveries = self.env["stock.picking"].search(
            [("picking_type_code", "=", "outgoing"), ("state", "=", "done"), *self.of_story]
        )
        self.assertGreaterEqual(len(deliveries.partner_id), 12)
        returns = self.env["stock.picking"].search(
            [
                ("return_id", "!=", False),
                ("recall_partner_id", "=", False),
                ("state", "=", "done"),
                *self.of_story,
            ]
        )
        self.assertEqual(len(returns), 1)
        self.assertEqual(returns.move_line_ids.lot_id, self._lot("BSC-1002"))

    def test_holds_of_each_reason(self):
        holds = self.env["stock.lot.hold"].search([("lot_id", "in", self.lots.ids)])
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
        recalls = self.env["stock.recall"].search([("lot_ids", "in", self.lots.ids)])
        recall = recalls.filtered(lambda recall: not recall.is_drill)
        drill = recalls.filtered("is_drill")
        self.assertEqual(recall.state, "closed")
        states = recall.partner_line_ids.mapped("state")
        self.assertIn("acknowledged", states)
        self.assertIn("returned", states)
        self.assertTrue(recall.hold_ids)
        self.assertLess(recall.scoped_at, recall.closed_at)
        self.assertGreater(fields.Datetime.now() - recall.closed_at, timedelta(days=30))
        # opened on the story's days, not on the day of the install
        self.assertLessEqual(recall.create_date, recall.scoped_at)
        self.assertGreater(fields.Datetime.now() - drill.create_date, timedelta(days=1))
        self.assertEqual(drill.state, "in_progress")
        self.assertTrue(drill.partner_line_ids)

    def test_near_expiry_and_expired_stock(self):
        report = self.env["stock.lot.expiry.report"]
        near = report.search([("expiry_state", "=", "near_expiry"), *self.of_story])
        expired = report.search([("expiry_state", "=", "expired"), *self.of_story])
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
                "allowed_company_ids": self.env.companies.ids,
                "active_ids": [],
                "context_today": fields.Date.context_today,
            }
            domain = safe_eval(action.domain or "[]", eval_context)
            context = safe_eval(action.context or "{}", eval_context)
            model = self.env[action.res_model].with_context(**context)
            with self.subTest(menu=menu.complete_name):
                self.assertGreater(model.search_count(domain), 0)
            checked.append(menu.name)
        self.assertGreaterEqual(len(checked), 10)
