import io
from unittest.mock import patch

import openpyxl
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import TraceabilityCase

ADDON = "stock_lot_traceability"


@tagged("post_install", "-at_install")
class TestScreens(TraceabilityCase):
    """The screens a user reads at a glance, on the biscuit factory: a lot's customers,
    its downstream and upstream lots, the Traceability button of orders, transfers and
    manufacturing orders, and a recall's progress."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sale_beta = cls.delivery_beta.sale_id
        cls.sale_gamma = cls.delivery_gamma.sale_id
        cls.eggs_receipt = cls.eggs_1._trace_receipts().picking_id
        cls.eggs_purchase = cls.eggs_receipt.purchase_id

    def _list_columns(self, model_name):
        arch = etree.fromstring(self.env[model_name].get_view(view_type="list")["arch"])
        return arch, [node.get("name") for node in arch.xpath("./field")]

    def _open_trace(self, document):
        """Open ``document``'s trace, counting the calls to the trace engine."""
        lot_class = type(self.env["stock.lot"])
        original, calls = lot_class._trace, []

        def counting(lots, direction="down", max_depth=None):
            calls.append((direction, lots))
            return original(lots, direction, max_depth)

        with patch.object(lot_class, "_trace", counting):
            action = document.action_view_traceability()
        self.assertEqual(action["res_model"], "stock.lot.document.trace")
        return self.env[action["res_model"]].browse(action["res_id"]), calls

    def _depths(self, lines):
        return [(line.depth, line.lot_id.name) for line in lines]

    # customers ---------------------------------------------------------------
    def test_customers_of_a_lot_one_line_per_delivery_with_returns_netted(self):
        action = self.flour_2.action_view_trace_customers()
        self.assertEqual(action["res_model"], "stock.lot.customer.line")
        self.assertEqual(action["context"]["group_by"], ["partner_id"])
        self.assertIn("No customer received this lot", action["help"])
        lines = self.env[action["res_model"]].search(action["domain"])
        self.assertEqual(
            {
                (line.partner_id, line.lot_id.name): (
                    line.quantity,
                    line.returned_qty,
                    line.net_qty,
                    line.picking_id,
                    line.sale_id,
                )
                for line in lines
            },
            {
                (self.alpha, "BISCUIT-1"): (
                    4.0,
                    0.0,
                    4.0,
                    self.delivery_alpha,
                    self.delivery_alpha.sale_id,
                ),
                (self.beta, "BISCUIT-1"): (3.0, 0.0, 3.0, self.delivery_beta, self.sale_beta),
                (self.beta, "BISCUIT-2"): (2.0, 0.0, 2.0, self.delivery_beta, self.sale_beta),
                (self.gamma, "BISCUIT-2"): (5.0, 2.0, 3.0, self.delivery_gamma, self.sale_gamma),
            },
        )
        self.assertEqual(lines.product_id, self.biscuit)
        self.assertEqual(lines.product_uom_id, self.biscuit.uom_id)
        self.assertEqual(lines.origin_lot_id, self.flour_2)
        gamma = lines.filtered(lambda line: line.partner_id == self.gamma)
        # the date the delivery's move line was done (the picking's date_done may be a
        # second later)
        gamma_lines = self.delivery_gamma.move_line_ids.filtered(
            lambda line: line.lot_id.name == "BISCUIT-2"
        )
        self.assertEqual(gamma.date, max(gamma_lines.mapped("date")))
        # the customers' totals, as the grouped list shows them
        totals = {
            partner: (delivered, returned, net)
            for partner, delivered, returned, net in lines._read_group(
                [("id", "in", lines.ids)],
                ["partner_id"],
                ["quantity:sum", "returned_qty:sum", "net_qty:sum"],
            )
        }
        self.assertEqual(
            totals,
            {
                self.alpha: (4.0, 0.0, 4.0),
                self.beta: (5.0, 0.0, 5.0),
                self.gamma: (5.0, 2.0, 3.0),
            },
        )
        arch, columns = self._list_columns("stock.lot.customer.line")
        self.assertEqual(arch.get("expand"), "1")
        self.assertEqual(
            columns[:10],
            [
                "partner_id",
                "product_id",
                "lot_id",
                "quantity",
                "product_uom_id",
                "date",
                "picking_id",
                "sale_id",
                "returned_qty",
                "net_qty",
            ],
        )
        self.assertEqual(arch.xpath("./field[@sum]/@name"), ["quantity", "returned_qty", "net_qty"])

    def test_customers_export_to_xlsx(self):
        action = self.flour_2.action_view_trace_customers()
        model = self.env[action["res_model"]]
        export = model.with_context(active_domain=action["domain"]).action_export_xlsx()
        attachment_id = int(export["url"].split("/web/content/")[1].split("?")[0])
        content = self.env["ir.attachment"].browse(attachment_id).raw
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
        self.assertEqual(rows[0][:4], ["Customer", "Product", "Lot", "Delivered"])
        self.assertIn(
            ["Gamma Foods", "Butter Biscuits", "BISCUIT-2", 5, "Units"],
            [row[:5] for row in rows[1:]],
        )
        gamma = next(row for row in rows if row[0] == "Gamma Foods")
        self.assertEqual((gamma[6], gamma[8], gamma[9]), (self.delivery_gamma.name, 2, 3))
        self.assertEqual(len(rows), 5)

    # downstream / upstream -------------------------------------------------------
    def test_downstream_and_upstream_read_at_once_sorted_by_depth(self):
        self.premix_1._place_hold("failed_test", "Aflatoxin above limit")
        action = self.flour_2.action_view_downstream_lots()
        self.assertNotIn("group_by", action["context"])
        self.assertFalse([key for key in action["context"] if key.startswith("search_default")])
        lines = self.env[action["res_model"]].search(action["domain"])
        self.assertEqual(
            self._depths(lines),
            [(1, "PREMIX-1"), (1, "PREMIX-2"), (2, "BISCUIT-1"), (2, "BISCUIT-2")],
        )
        self.assertEqual(lines[0].hold_state, "held")
        self.assertEqual(set(lines[1:].mapped("hold_state")), {"free"})
        action = self.biscuit_1.action_view_upstream_lots()
        lines = self.env[action["res_model"]].search(action["domain"])
        self.assertEqual(
            self._depths(lines),
            [(1, "PREMIX-1"), (1, "EGGS-1"), (2, "FLOUR-1"), (2, "FLOUR-2"), (2, "SUGAR-1")],
        )
        self.assertEqual(lines[1].expiration_date, self.eggs_1.expiration_date)
        arch, columns = self._list_columns("stock.lot.trace.line")
        self.assertEqual(
            [name for name in columns if name != "product_uom_id"][:6],  # units: a group
            ["depth", "product_id", "lot_id", "product_qty", "expiration_date", "hold_state"],
        )
        self.assertEqual(arch.xpath("./field[@name='hold_state']/@widget"), ["badge"])

    def test_empty_trace_says_what_to_do(self):
        action = self.biscuit_1.action_view_downstream_lots()
        self.assertFalse(self.env[action["res_model"]].search(action["domain"]))
        self.assertIn("Nothing was made from this lot yet", action["help"])
        self.assertIn("Link Lots", action["help"])

    # Traceability smart buttons -----------------------------------------------------
    def test_sales_order_traces_back_to_ingredients_vendors_and_purchase_orders(self):
        self.assertEqual(self.sale_beta.traceability_lot_count, 2)
        trace, calls = self._open_trace(self.sale_beta)
        self.assertEqual(calls, [("up", self.biscuit_1 | self.biscuit_2)])
        self.assertEqual(trace.direction, "up")
        self.assertEqual(
            self._depths(trace.upstream_line_ids),
            [
                (0, "BISCUIT-1"),
                (0, "BISCUIT-2"),
                (1, "PREMIX-1"),
                (1, "PREMIX-2"),
                (1, "EGGS-1"),
                (2, "FLOUR-1"),
                (2, "FLOUR-2"),
                (2, "SUGAR-1"),
            ],
        )
        self.assertFalse(trace.downstream_line_ids or trace.customer_line_ids)
        self.assertEqual(
            {(line.partner_id, line.lot_id.name) for line in trace.supplier_line_ids},
            {
                (self.mill, "FLOUR-1"),
                (self.mill, "FLOUR-2"),
                (self.sugar_co, "SUGAR-1"),
                (self.farm, "EGGS-1"),
            },
        )
        eggs = trace.supplier_line_ids.filtered(lambda line: line.partner_id == self.farm)
        self.assertEqual(
            (eggs.purchase_id, eggs.picking_id, eggs.quantity),
            (self.eggs_purchase, self.eggs_receipt, 100.0),
        )

    def test_delivery_and_return_trace_back(self):
        for picking in (self.delivery_gamma, self.return_gamma):
            with self.subTest(picking=picking.name):
                trace, calls = self._open_trace(picking)
                self.assertEqual(calls, [("up", self.biscuit_2)])
                self.assertEqual(
                    self._depths(trace.upstream_line_ids)[:3],
                    [(0, "BISCUIT-2"), (1, "PREMIX-2"), (1, "EGGS-1")],
                )
                self.assertEqual(
                    trace.supplier_line_ids.partner_id, self.mill | self.sugar_co | self.farm
                )

    def test_purchase_order_and_receipt_trace_forward_to_customers_and_sales(self):
        for document in (self.eggs_purchase, self.eggs_receipt):
            with self.subTest(document=document.name):
                self.assertEqual(document.traceability_lot_count, 1)
                trace, calls = self._open_trace(document)
                self.assertEqual(calls, [("down", self.eggs_1)])
                self.assertEqual(trace.direction, "down")
                self.assertEqual(
                    self._depths(trace.downstream_line_ids),
                    [(0, "EGGS-1"), (1, "BISCUIT-1"), (1, "BISCUIT-2")],
                )
                self.assertFalse(trace.upstream_line_ids or trace.supplier_line_ids)
                self.assertEqual(
                    {
                        (line.partner_id, line.sale_id, line.lot_id.name, line.net_qty)
                        for line in trace.customer_line_ids
                    },
                    {
                        (self.alpha, self.delivery_alpha.sale_id, "BISCUIT-1", 4.0),
                        (self.beta, self.sale_beta, "BISCUIT-1", 3.0),
                        (self.beta, self.sale_beta, "BISCUIT-2", 2.0),
                        (self.gamma, self.sale_gamma, "BISCUIT-2", 3.0),
                    },
                )

    def test_manufacturing_order_traces_both_ways(self):
        self.assertEqual(self.mo_premix_2.traceability_lot_count, 3)
        trace, calls = self._open_trace(self.mo_premix_2)
        self.assertEqual(
            calls,
            [("up", self.premix_2 | self.flour_2 | self.sugar_1), ("down", self.premix_2)],
        )
        self.assertEqual(trace.direction, "both")
        self.assertEqual(
            {line.lot_id.name for line in trace.upstream_line_ids},
            {"PREMIX-2", "FLOUR-2", "SUGAR-1"},
        )
        self.assertEqual(
            trace.supplier_line_ids.partner_id,
            self.mill | self.sugar_co,
        )
        self.assertEqual(
            self._depths(trace.downstream_line_ids), [(0, "PREMIX-2"), (1, "BISCUIT-2")]
        )
        self.assertEqual(trace.customer_line_ids.partner_id, self.beta | self.gamma)

    def test_traceability_button_hidden_without_lots_and_for_other_users(self):
        quotation = self.env["sale.order"].create(
            {
                "partner_id": self.alpha.id,
                "order_line": [Command.create({"product_id": self.biscuit.id})],
            }
        )
        self.assertEqual(quotation.traceability_lot_count, 0)
        for model_name in ("sale.order", "purchase.order", "stock.picking", "mrp.production"):
            with self.subTest(model=model_name):
                field = self.env[model_name]._fields["traceability_lot_count"]
                self.assertEqual(field.groups, f"{ADDON}.group_traceability_user")
                arch = etree.fromstring(self.env[model_name].get_view(view_type="form")["arch"])
                button = arch.xpath("//button[@name='action_view_traceability']")
                self.assertEqual(len(button), 1)
                self.assertEqual(button[0].get("invisible"), "not traceability_lot_count")
        salesman = self._user(
            "screens_salesman", "sales_team.group_sale_salesman,stock.group_stock_user"
        )
        with self.assertRaises(AccessError):
            self.sale_beta.with_user(salesman).action_view_traceability()

    def test_a_traceability_user_opens_every_screen(self):
        reader = self._user("screens_reader", f"{ADDON}.group_traceability_user")
        action = self.flour_2.with_user(reader).action_view_trace_customers()
        lines = self.env[action["res_model"]].with_user(reader).search(action["domain"])
        self.assertEqual(lines.partner_id, self.alpha | self.beta | self.gamma)
        self.assertEqual(
            lines.sale_id, self.delivery_alpha.sale_id | self.sale_beta | self.sale_gamma
        )
        for document in (self.sale_beta, self.eggs_purchase, self.mo_premix_2):
            with self.subTest(document=document.name):
                action = document.with_user(reader).action_view_traceability()
                trace = self.env[action["res_model"]].with_user(reader).browse(action["res_id"])
                self.assertTrue(trace.upstream_line_ids or trace.downstream_line_ids)
                self.assertTrue(
                    trace.supplier_line_ids.purchase_id.mapped("name")
                    or trace.customer_line_ids.sale_id.mapped("name")
                )

    # recall progress ---------------------------------------------------------------
    def test_recall_form_shows_notified_acknowledged_returned_progress(self):
        manager = self._user("screens_recall", f"{ADDON}.group_recall_manager")
        recall = (
            self.env["stock.recall"]
            .with_user(manager)
            .create({"lot_ids": [Command.set(self.flour_2.ids)], "reason": "Peanut traces"})
        )
        recall.action_compute_scope()

        def progress():
            return (
                recall.progress_customer_count,
                round(recall.notified_percent, 1),
                round(recall.acknowledged_percent, 1),
                round(recall.returned_percent, 1),
            )

        self.assertEqual(progress(), (3, 0.0, 0.0, 0.0))
        recall.action_notify_customers()
        self.assertEqual(progress(), (3, 100.0, 0.0, 0.0))
        alpha, beta, gamma = (
            recall.partner_line_ids.filtered(lambda line, p=partner: line.partner_id == p)
            for partner in (self.alpha, self.beta, self.gamma)
        )
        beta.action_acknowledge()
        self.assertEqual(progress(), (3, 100.0, 33.3, 0.0))
        returns = self.env["stock.picking"].search(alpha.action_create_return()["domain"])
        for picking in returns:
            self.flow._validate_picking(picking)
        self.assertEqual(alpha.state, "returned")
        self.assertEqual(progress(), (3, 100.0, 66.7, 33.3))
        gamma.action_waive("Shop closed; stock destroyed on site")
        self.assertEqual(progress(), (2, 100.0, 100.0, 50.0))
        arch = etree.fromstring(recall.get_view(view_type="form")["arch"])
        self.assertEqual(
            arch.xpath("//group[@name='progress']/field[@widget='progressbar']/@name"),
            ["notified_percent", "acknowledged_percent", "returned_percent"],
        )

    # help tooltips -------------------------------------------------------------------
    def test_every_field_the_addon_adds_has_a_help(self):
        """A tooltip for every field this addon declares (not those it only extends):
        this test fails as soon as a new field comes without one."""
        missing = []
        for model_name in self.env.registry:
            for name, field in self.env[model_name]._fields.items():
                if field.automatic or set(field._modules or ()) != {ADDON}:
                    continue
                if not (field.help or "").strip():
                    missing.append(f"{model_name}.{name}")
        self.assertFalse(missing, "Fields without help:\n" + "\n".join(sorted(missing)))
