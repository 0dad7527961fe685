import io
import json

import openpyxl

from odoo.tests import HttpCase, tagged

from .common import HoldCase, TraceabilityMixin


@tagged("post_install", "-at_install")
class TestAdjustments(HoldCase):
    """Counting cocoa lots: every difference has a reason and a value."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.damage = cls.env.ref("stock_lot_traceability.adjustment_reason_damage")
        cls.found = cls.env.ref("stock_lot_traceability.adjustment_reason_found_stock")
        cls.cocoa.standard_price = 4.0
        cls.company.adjustment_reason_strict = True

    def _count(self, lot, quantity, reason=None):
        quant = self._quant(lot, self.stock).with_context(inventory_mode=True)
        quant.inventory_quantity = quantity
        if reason:
            quant.adjustment_reason_id = reason
        return quant

    def _adjustment_move(self, lot):
        return (
            self.env["stock.move.line"]
            .search([("lot_id", "=", lot.id), ("is_inventory", "=", True), ("state", "=", "done")])
            .move_id
        )

    def test_reason_list_holds_the_usual_reasons(self):
        reasons = self.env["stock.adjustment.reason"].search([]).mapped("name")
        for name in (
            "Count correction",
            "Damage",
            "Expiry",
            "Theft / loss",
            "Sample",
            "Quality rejection",
            "Found stock",
        ):
            self.assertIn(name, reasons)

    def test_count_without_reason_is_refused_and_nothing_moves(self):
        quant = self._count(self.cocoa_old, 47)
        with self.assertRefused(r"Adjustment Reason[\s\S]*COCOA-OLD \(Cocoa Powder\)"):
            quant.action_apply_inventory()
        self.assertStockOf(self.cocoa_old, self.stock, 50)
        self.assertFalse(self._adjustment_move(self.cocoa_old))

    def test_count_with_reason_records_reason_and_value(self):
        self._count(self.cocoa_old, 47, self.damage).action_apply_inventory()
        self.assertStockOf(self.cocoa_old, self.stock, 47)
        move = self._adjustment_move(self.cocoa_old)
        self.assertEqual(move.adjustment_reason_id, self.damage)
        self.assertEqual(move.adjustment_value, -12.0)  # 3 lost x 4.00
        line = move.move_line_ids
        self.assertEqual((line.adjustment_reason_id, line.adjustment_value), (self.damage, -12.0))
        self.assertFalse(self._quant(self.cocoa_old, self.stock).adjustment_reason_id)

        self._count(self.cocoa_new, 52, self.found).action_apply_inventory()
        report = self.env["stock.adjustment.report"].search(
            [("lot_id", "in", (self.cocoa_old | self.cocoa_new).ids)], order="lot_id"
        )
        self.assertEqual(
            sorted(
                (row.lot_id.name, row.reason_id.name, row.quantity, row.value) for row in report
            ),
            [("COCOA-NEW", "Found stock", 2.0, 8.0), ("COCOA-OLD", "Damage", -3.0, -12.0)],
        )

    def test_apply_dialog_gives_its_reason_to_lines_without_one(self):
        old = self._count(self.cocoa_old, 45)
        new = self._count(self.cocoa_new, 49, self.found)
        (old | new).inventory_quantity_set = True
        wizard = self.env["stock.inventory.adjustment.name"].create(
            {"quant_ids": [(6, 0, (old | new).ids)]}
        )
        self.assertTrue(wizard.needs_adjustment_reason)
        wizard.adjustment_reason_id = self.damage
        wizard.action_apply()
        self.assertEqual(self._adjustment_move(self.cocoa_old).adjustment_reason_id, self.damage)
        self.assertEqual(self._adjustment_move(self.cocoa_new).adjustment_reason_id, self.found)

    def test_count_confirming_the_quantity_needs_no_reason(self):
        self._count(self.cocoa_old, 50).action_apply_inventory()
        self.assertStockOf(self.cocoa_old, self.stock, 50)

    def test_server_code_keeps_odoo_behaviour_unless_strict(self):
        """What Odoo's own tests do: apply a count in Python, outside any request."""
        self.company.adjustment_reason_strict = False
        self._count(self.cocoa_old, 48).action_apply_inventory()
        self.assertStockOf(self.cocoa_old, self.stock, 48)
        self.assertFalse(self._adjustment_move(self.cocoa_old).adjustment_reason_id)

    def test_held_lot_count_only_goes_down_and_is_written_on_the_hold(self):
        hold = self._hold(self.cocoa_old)
        with self.assertRefused(r"quality hold[\s\S]*COCOA-OLD"):
            self._count(self.cocoa_old, 55, self.found).action_apply_inventory()
        self.assertStockOf(self.cocoa_old, self.stock, 50)
        self._count(self.cocoa_old, 40, self.damage).action_apply_inventory()
        self.assertStockOf(self.cocoa_old, self.stock, 40)
        self.assertIn("Destroyed: 10.0", hold.message_ids[0].body)
        self.assertIn("Damage", hold.message_ids[0].body)

    def test_xlsx_export_lists_adjustments_by_lot_and_reason(self):
        self._count(self.cocoa_old, 47, self.damage).action_apply_inventory()
        rows = self.env["stock.adjustment.report"].search([("lot_id", "=", self.cocoa_old.id)])
        action = rows.action_export_xlsx()
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        content = self.env["ir.attachment"].browse(attachment_id).raw
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
        values = [[cell.value for cell in row] for row in sheet.iter_rows()]
        self.assertEqual(values[0][:3], ["Date", "Lot", "Product"])
        self.assertEqual(
            values[1][1:9],
            [
                "COCOA-OLD",
                "Cocoa Powder",
                self.stock.display_name,
                "Damage",
                "Loss",
                -3,
                "Units",
                -12,
            ],
        )

    def test_reason_only_from_the_list_of_the_company(self):
        other = self.env["res.company"].create({"name": "Other Mill"})
        reason = self.env["stock.adjustment.reason"].create(
            {"name": "Rodents", "company_id": other.id}
        )
        user = self._user("stock_adjust", "stock.group_stock_user")
        visible = self.env["stock.adjustment.reason"].with_user(user).search([])
        self.assertNotIn(reason, visible)
        self.assertIn(self.damage, visible)


@tagged("post_install", "-at_install")
class TestAdjustmentsOverRpc(TraceabilityMixin, HttpCase):
    """A user applying a count through RPC (as the web client does) must give a reason."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_partners()
        cls._create_products()
        cls.env["stock.lot.traceability.flow"]._receive_lots(
            cls.mill, [(cls.flour, "RPC-FLOUR", 20)]
        )
        cls.quant = cls.env["stock.quant"].search(
            [("lot_id.name", "=", "RPC-FLOUR"), ("location_id.usage", "=", "internal")]
        )

    def _apply(self):
        """Apply the count as the web client's Apply button does; returns the error, if any."""
        self.env.flush_all()
        payload = {
            "id": 0,
            "jsonrpc": "2.0",
            "method": "call",
            "params": {
                "model": "stock.quant",
                "method": "action_apply_inventory",
                "args": [self.quant.ids],
                "kwargs": {"context": {"inventory_mode": True}},
            },
        }
        response = self.url_open(
            "/web/dataset/call_kw/stock.quant/action_apply_inventory",
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
        )
        return response.json().get("error", {}).get("data", {}).get("message")

    def test_rpc_count_without_reason_is_refused(self):
        self.assertFalse(self.env.company.adjustment_reason_strict)
        self.quant.with_context(inventory_mode=True).inventory_quantity = 18
        self.authenticate("admin", "admin")
        self.assertRegex(self._apply() or "", r"Adjustment Reason[\s\S]*RPC-FLOUR")
        self.assertEqual(self.quant.quantity, 20)
        self.quant.adjustment_reason_id = self.env.ref(
            "stock_lot_traceability.adjustment_reason_sample"
        )
        self.assertFalse(self._apply())
        self.quant.invalidate_recordset()
        self.assertEqual(self.quant.quantity, 18)
