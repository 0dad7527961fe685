from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools.barcode import get_barcode_check_digit

from .common import TraceabilityCase

GS = "\x1d"


def gtin(body):
    """``body`` (13 digits) with its GS1 check digit."""
    return body + str(get_barcode_check_digit(body + "0"))


@tagged("post_install", "-at_install")
class TestGs1Capture(TraceabilityCase):
    """A receiving clerk scans the GS1 labels of a delivery from the mill."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # GS1's own example GTIN of the General Specifications
        cls.flour.barcode = "09506000134352"
        cls.sugar.barcode = gtin("541234500001")  # stored as an EAN-13
        cls.kg = cls.env.ref("uom.product_uom_kgm")
        cls.salt = cls._lot_product(
            "Sea Salt", barcode=gtin("0950600013437"), uom_id=cls.kg.id, uom_po_id=cls.kg.id
        )
        cls.sugar_case = cls.env["product.packaging"].create(
            {
                "name": "Case of 12",
                "product_id": cls.sugar.id,
                "qty": 12,
                "barcode": gtin("1541234500001"),
            }
        )
        cls.boxes = cls.env["product.product"].create(
            {"name": "Cardboard Boxes", "is_storable": True, "barcode": gtin("0950600013438")}
        )
        cls.capture = cls.env["stock.gs1.capture"]

    def _receipt(self, lines):
        order = self.env["purchase.order"].create(
            {
                "partner_id": self.mill.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_qty": qty, "price_unit": 1})
                    for product, qty in lines
                ],
            }
        )
        order.button_confirm()
        return order.picking_ids

    def _scan(self, receipt, *scans):
        form = Form(self.capture.with_context(default_picking_id=receipt.id))
        form.scan_text = "\n".join(scans)
        return form.save()

    # parsing ------------------------------------------------------------------
    def test_gs1_published_examples_in_every_form(self):
        expected = {
            "product_id": self.flour.id,
            "gtin": "09506000134352",
            "lot_name": "ABC123",
            "expiration_date": date(2020, 12, 25),
        }
        for scan in (
            "(01)09506000134352(17)201225(10)ABC123",
            "]C101095060001343521720122510ABC123",
            "]d201095060001343521720122510ABC123",
            "]Q3010950600013435210ABC123" + GS + "17201225",
            GS + "010950600013435210ABC123" + GS + "17201225\r\n",
        ):
            with self.subTest(scan=scan):
                parsed = self.capture._parse_line(scan)
                self.assertFalse(parsed["error"])
                self.assertEqual({key: parsed[key] for key in expected}, expected)
                self.assertEqual(parsed["quantity"], 1)

    def test_dates_counts_and_weights(self):
        parsed = self.capture._parse_line("(01)09506000134352(11)240115(15)240200(10)L1(37)24")
        self.assertEqual(parsed["production_date"], date(2024, 1, 15))
        self.assertEqual(parsed["expiration_date"], date(2024, 2, 29))  # DD=00: month's end
        self.assertEqual(parsed["quantity"], 24)
        salt = f"(01){self.salt.barcode}(3103)012500(10)S-9"
        self.assertEqual(self.capture._parse_line(salt)["quantity"], 12.5)  # kg, 3 decimals
        case = f"(01){self.sugar_case.barcode}(30)2(10)SUG-4"
        parsed = self.capture._parse_line(case)
        self.assertEqual((parsed["product_id"], parsed["quantity"]), (self.sugar.id, 24))

    def test_each_bad_label_says_what_is_wrong(self):
        unknown = gtin("0950600099999")
        for scan, error in (
            ("(01)09506000134353(10)A", "check digit"),
            (f"(01){unknown}(10)A", "no product has the GTIN"),
            ("(01)09506000134352(17)230230(10)A", "230230.*does not exist"),
            ("(01)09506000134352(17)231300(10)A", "does not exist"),
            ("(01)09506000134352", "tracked by lot.*no lot"),
            ("(01)09506000134352(10)A(21)S1", "not tracked by serial"),
            (f"(01){self.boxes.barcode}(10)A", "not tracked by lot"),
            ("(01)09506000134352(10)A(3102)000500", "not measured by weight"),
            ("(01)09506000134352(10)A(30)0", "count above zero"),
            ("(01)0950600013435(10)A", "needs 14 characters"),
            ("(01)0950600013435²(10)A", "digits only"),  # found by the fuzz test
            ("(99)ABC", "unknown or unsupported AI"),
            ("(10)A", "no GTIN"),
            ("(01)09506000134352(10)" + "X" * 21, "at most 20"),
            ("hello", "unknown or unsupported AI"),
            ("   ", "empty scan"),
        ):
            with self.subTest(scan=scan):
                parsed = self.capture._parse_line(scan)
                self.assertRegex(parsed["error"] or "", error)

    @settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        st.one_of(
            st.text(alphabet="0123456789()ABCxyz]dCQ3-/" + GS + "\n", max_size=60),
            st.builds(
                lambda base, cut, noise: base[:cut] + noise + base[cut:],
                st.sampled_from(
                    [
                        "(01)09506000134352(17)201225(10)ABC123",
                        "]d2010950600013435217201225" + "10ABC123",
                        "010950600013435210ABC123" + GS + "17201225(3103)001250",
                    ]
                ),
                st.integers(min_value=0, max_value=50),
                st.text(max_size=5),
            ),
        )
    )
    def test_fuzz_never_a_traceback(self, scan):
        parsed = self.capture._parse_line(scan)
        self.assertEqual(
            set(parsed) >= {"product_id", "gtin", "lot_name", "expiration_date", "error"}, True
        )
        if parsed["error"]:
            self.assertIsInstance(parsed["error"], str)
        else:
            self.assertTrue(parsed["product_id"])
            self.assertGreater(parsed["quantity"], 0)

    # the wizard on a receipt -------------------------------------------------
    def test_scans_fill_the_receipt_and_the_lots_get_vendor_lot_and_expiry(self):
        receipt = self._receipt([(self.flour, 30), (self.salt, 12.5)])
        wizard = self._scan(
            receipt,
            "(01)09506000134352(17)271231(10)MILL-77(37)10",
            "(01)09506000134352(17)271231(10)MILL-77(37)10",
            "]d201095060001343521728013110MILL-78" + GS + "3710",  # as a wedge types it
            f"(01){self.salt.barcode}(3103)012500(10)SALT-5",
        )
        self.assertFalse(wizard.error_count)
        self.assertTrue(all(wizard.line_ids.mapped("matched")))
        wizard.action_apply()
        flour_lines = receipt.move_line_ids.filtered(lambda ml: ml.product_id == self.flour)
        self.assertEqual(
            sorted((ml.lot_name, ml.vendor_lot_name, ml.quantity) for ml in flour_lines),
            [("MILL-77", "MILL-77", 20), ("MILL-78", "MILL-78", 10)],
        )
        self.flow._validate_picking(receipt)
        lot = self._lot("MILL-77")
        self.assertEqual(lot.vendor_lot_name, "MILL-77")
        self.assertEqual(lot.expiration_date.date(), date(2027, 12, 31))
        self.assertStockOf(lot, receipt.location_dest_id, 20)
        self.assertStockOf(self._lot("SALT-5"), receipt.location_dest_id, 12.5)

    def test_numbering_rule_names_the_lot_and_keeps_the_vendor_lot(self):
        self.flour.product_tmpl_id.lot_name_template = "FL{seq:04}"
        receipt = self._receipt([(self.flour, 5)])
        self._scan(receipt, "(01)09506000134352(10)V-1(37)5").action_apply()
        line = receipt.move_line_ids
        self.assertRegex(line.lot_name, r"^FL\d{4}$")
        self.assertEqual(line.vendor_lot_name, "V-1")

    def test_nothing_is_applied_while_a_line_is_in_error(self):
        receipt = self._receipt([(self.flour, 5)])
        before = receipt.move_line_ids.read(["lot_name", "quantity"])
        wizard = self._scan(
            receipt,
            "(01)09506000134352(10)OK-1(37)5",
            f"(01)0{self.sugar.barcode}(10)SUG-1",  # sugar is not on this receipt
            "(01)09506000134353(10)BAD",
        )
        self.assertEqual(wizard.error_count, 2)
        with self.assertRaisesRegex(UserError, "not on this receipt(.|\n)*check digit"):
            wizard.action_apply()
        self.assertEqual(receipt.move_line_ids.read(["lot_name", "quantity"]), before)
        # the clerk removes the two bad lines: the good one applies
        wizard.line_ids.filtered("error").unlink()
        wizard.action_apply()
        self.assertEqual(receipt.move_line_ids.mapped("lot_name"), ["OK-1"])

    def test_scan_button_only_on_receipts_waiting_for_goods(self):
        receipt = self._receipt([(self.flour, 5)])
        action = receipt.action_open_gs1_capture()
        self.assertEqual(action["res_model"], "stock.gs1.capture")
        self.assertEqual(action["context"]["default_picking_id"], receipt.id)
        self.flow._pick(receipt.move_ids, [({"lot_name": "X-1"}, 5)])
        self.flow._validate_picking(receipt)
        wizard = self.capture.create({"picking_id": receipt.id})
        with self.assertRaisesRegex(UserError, "not a receipt waiting"):
            wizard.action_apply()
