from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import HoldCase


class QualityCase(HoldCase):
    """The cocoa of the factory gets a specification: moisture 0-5 %, fat 10-12 % and
    salmonella absent (required), colour (optional)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.trace_user = cls._user(
            "trace_quality", "stock_lot_traceability.group_traceability_user"
        )
        cls.moisture, cls.fat, cls.salmonella, cls.colour = cls._specs(
            cls.cocoa,
            [
                {"name": "Moisture", "method": "ISO 712", "unit": "%", "max_value": 5.0},
                {
                    "name": "Fat",
                    "method": "ISO 1444",
                    "unit": "%",
                    "min_value": 10.0,
                    "max_value": 12.0,
                    "target": "11",
                },
                {
                    "name": "Salmonella",
                    "method": "ISO 6579",
                    "value_type": "text",
                    "target": "Absent in 25 g",
                },
                {"name": "Colour", "value_type": "text", "target": "Brown", "required": False},
            ],
        )

    @classmethod
    def _specs(cls, product, lines, user=None):
        specs = cls.env["product.quality.spec"]
        return (specs.with_user(user) if user else specs).create(
            [
                {"product_tmpl_id": product.product_tmpl_id.id, "sequence": index, **vals}
                for index, vals in enumerate(lines)
            ]
        )

    def _result(self, lot, spec, value=None, text=None, passed=False, user=None):
        vals = {"lot_id": lot.id, "spec_id": spec.id}
        if text is None:
            vals["value"] = value
        else:
            vals.update(text_value=text, passed=passed)
        results = self.env["stock.lot.test.result"].with_user(user or self.quality)
        return results.create(vals)

    def _pass_all(self, lot, user=None):
        self._result(lot, self.moisture, 3.2, user=user)
        self._result(lot, self.fat, 11.1, user=user)
        self._result(lot, self.salmonella, text="Absent in 25 g", passed=True, user=user)


@tagged("post_install", "-at_install")
class TestQuality(QualityCase):
    def test_numeric_limits_are_inclusive(self):
        for value, passed in [(10.0, True), (12.0, True), (9.9999, False), (12.0001, False)]:
            with self.subTest(value=value):
                result = self._result(self.cocoa_new, self.fat, value)
                self.assertEqual(result.passed, passed)
        self.assertTrue(self._result(self.cocoa_new, self.moisture, 0.0).passed)
        self.assertTrue(self._result(self.cocoa_new, self.moisture, 5.0).passed)

    def test_numeric_verdict_is_not_typed_by_the_analyst(self):
        result = (
            self.env["stock.lot.test.result"]
            .with_user(self.quality)
            .create(
                {
                    "lot_id": self.cocoa_new.id,
                    "spec_id": self.moisture.id,
                    "value": 7.5,
                    "passed": True,
                }
            )
        )
        self.assertFalse(result.passed)

    def test_status_follows_the_required_parameters(self):
        lot = self.cocoa_new
        self.assertEqual(lot.quality_state, "pending")
        self._result(lot, self.moisture, 3.2)
        self._result(lot, self.fat, 11.1)
        self.assertEqual(lot.quality_state, "pending", "salmonella has no result yet")
        self._result(lot, self.salmonella, text="Absent in 25 g", passed=True)
        self.assertEqual(lot.quality_state, "passed")
        self._result(lot, self.colour, text="Grey", passed=False)
        self.assertEqual(lot.quality_state, "passed", "colour is optional")
        self.assertEqual(lot.hold_state, "free", "an optional parameter holds nothing")

    def test_failed_result_holds_the_lot_until_a_retest_passes_and_qa_releases(self):
        lot = self.cocoa_old
        first = self._result(lot, self.moisture, 6.2)
        self.assertFalse(first.passed)
        self.assertEqual(lot.quality_state, "failed")
        self.assertEqual(lot.hold_state, "held")
        hold = lot.active_hold_ids
        self.assertEqual(hold.reason, "failed_test")
        self.assertIn("Moisture = 6.2 %", hold.note)
        self.assertEqual(self._sell(self.cocoa, 60).move_ids.quantity, 50, "held: not reserved")
        with self.assertRefused("Moisture"):
            lot.with_user(self.quality).action_release_quality()

        retest = self._result(lot, self.moisture, 4.8)
        self.assertEqual(first.superseded_by_id, retest)
        self.assertFalse(first.is_current)
        self.assertEqual(lot.quality_state, "pending", "fat and salmonella not tested yet")
        self._result(lot, self.fat, 10.5)
        self._result(lot, self.salmonella, text="Absent in 25 g", passed=True)
        self.assertEqual(lot.quality_state, "passed")
        self.assertEqual(lot.hold_state, "held", "passing does not release: QA signs off")
        self.assertEqual(len(lot.hold_ids), 1, "one failed-test hold, not one per result")

        lot.with_user(self.quality).action_release_quality()
        self.assertEqual(hold.state, "released")
        self.assertEqual(hold.released_by_id, self.quality)
        self.assertEqual(lot.hold_state, "free")
        self.assertEqual(lot.quality_approved_by_id, self.quality)
        self.assertTrue(lot.quality_approved_at)
        self.assertIn("Lot released by Quality", lot.message_ids[0].body)

    def test_release_lifts_only_the_quality_holds(self):
        lot = self.cocoa_new
        inspection = self._hold(lot, reason="incoming_inspection", note="Receipt check")
        lab = self._hold(lot, reason="lab_pending", note="Aflatoxin")
        complaint = self._hold(lot, reason="customer_complaint", note="Foreign body")
        self._pass_all(lot)
        lot.with_user(self.quality).action_release_quality()
        self.assertEqual((inspection | lab).mapped("state"), ["released", "released"])
        self.assertEqual(complaint.state, "active")
        self.assertEqual(lot.hold_state, "held")

    def test_a_new_result_voids_the_release(self):
        lot = self.cocoa_new
        self._pass_all(lot)
        lot.with_user(self.quality).action_release_quality()
        self._result(lot, self.fat, 13.0)
        self.assertEqual(lot.quality_state, "failed")
        self.assertFalse(lot.quality_approved_by_id)
        self.assertEqual(lot.active_hold_ids.reason, "failed_test")

    def test_results_are_records_not_drafts(self):
        result = self._result(self.cocoa_new, self.moisture, 3.2)
        with self.assertRefused("cannot be changed"):
            result.with_user(self.quality).write({"value": 2.0})
        with self.assertRefused("cannot be changed"):
            result.with_user(self.quality).write({"passed": False})
        with self.assertRaises(AccessError):
            result.with_user(self.quality).unlink()
        with self.assertRefused("cannot be deleted"):
            result.sudo().unlink()
        result.with_user(self.quality).note = "Sample 2 of 2"
        with self.assertRefused("cannot be written"):
            self.cocoa_new.write({"quality_state": "passed"})
        with self.assertRefused("cannot be written"):
            self.cocoa_new.write({"quality_approved_by_id": self.quality.id})

    def test_bad_input_names_the_field(self):
        with self.assertRefused("Min .* cannot be greater than Max", ValidationError):
            self._specs(self.cocoa, [{"name": "pH", "min_value": 8.0, "max_value": 6.0}])
        with self.assertRefused("COCOA-NEW.*Moisture.*must be a number", ValidationError):
            self._result(self.cocoa_new, self.moisture, "wet")
        with self.assertRefused("must be a number", ValidationError):
            self._result(self.cocoa_new, self.moisture, None)
        with self.assertRefused("Text Result is required", ValidationError):
            self._result(self.cocoa_new, self.salmonella, text=" ")
        flour_spec = self._specs(self.flour, [{"name": "Protein", "max_value": 14.0}])
        with self.assertRefused("COCOA-NEW.*Protein.*Flour T55.*not of Cocoa", ValidationError):
            self._result(self.cocoa_new, flour_spec, 12.0)
        self.assertFalse(self.cocoa_new.test_result_ids, "nothing half-written")
        self.assertEqual(self._result(self.cocoa_new, self.moisture, "4,5").value, 4.5)

    def test_a_tested_parameter_is_archived_not_rewritten(self):
        self._result(self.cocoa_new, self.moisture, 3.0)
        with self.assertRefused("Moisture \\(Cocoa Powder\\) have test results.*deleted"):
            self.moisture.with_user(self.quality).unlink()
        with self.assertRefused("Moisture.*cannot be changed \\(value_type\\)"):
            self.moisture.with_user(self.quality).value_type = "text"
        self._result(self.cocoa_new, self.fat, 11.0)
        self._result(self.cocoa_new, self.salmonella, text="Absent", passed=True)
        self._result(self.cocoa_old, self.salmonella, text="Absent", passed=True)
        self._result(self.cocoa_old, self.fat, 11.0)
        self.assertEqual(self.cocoa_old.quality_state, "pending", "no moisture result")
        self.moisture.with_user(self.quality).active = False
        self.assertEqual(self.cocoa_old.quality_state, "passed")
        self.assertEqual(self.cocoa_new.quality_state, "passed")
        self.colour.with_user(self.quality).unlink()  # never tested: may go

    def test_access_per_group(self):
        with self.assertRaises(AccessError):
            self._result(self.cocoa_new, self.moisture, 3.0, user=self.trace_user)
        with self.assertRaises(AccessError):
            self._result(self.cocoa_new, self.moisture, 3.0, user=self.stock_user)
        with self.assertRaises(AccessError):
            self.fat.with_user(self.trace_user).write({"max_value": 20.0})
        result = self._result(self.cocoa_new, self.moisture, 3.0)
        self.assertEqual(result.with_user(self.stock_user).read(["passed"])[0]["passed"], True)
        with self.assertRaises(AccessError):
            result.with_user(self.trace_user).write({"note": "edited"})
        self._pass_all(self.cocoa_old)
        with self.assertRaises(AccessError):
            self.cocoa_old.with_user(self.trace_user).action_release_quality()
        self.fat.with_user(self.quality).write({"max_value": 12.5})
        self.assertEqual(self.cocoa_old.quality_state, "passed")
        self._specs(self.cocoa, [{"name": "Ash", "max_value": 6.0}], user=self.quality)
        self.assertEqual(self.cocoa_old.quality_state, "pending", "a new required spec")
