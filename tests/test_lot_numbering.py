from contextlib import closing

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged

from .common import TraceabilityMixin


@tagged("post_install", "-at_install")
class TestLotNumbering(TraceabilityMixin, TransactionCase):
    """A bakery numbers its lots: B001, B002… for butter, FL-2511-0001 for flour."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.flow = cls.env["stock.lot.traceability.flow"]
        cls.company = cls.env.company
        cls._create_partners()
        cls.flours = cls.env["product.category"].create(
            {"name": "Flours", "lot_name_template": "FL-{yy}{mm}-{seq:04}"}
        )
        cls.butter = cls._lot_product("Butter", lot_name_template="B{seq:03}")
        cls.flour = cls._lot_product("Flour T65", categ_id=cls.flours.id)
        cls.rye = cls._lot_product(
            "Rye Flour", categ_id=cls.flours.id, lot_name_template="RYE{seq:02}/{yyyy}"
        )
        cls.dough = cls._lot_product("Dough", categ_id=cls.flours.id)
        cls._bom(cls.dough, [(cls.butter, 1.0)])

    def _next(self, owner, offset=0):
        """The counter ``owner``'s next number will use: PostgreSQL sequences are not rolled
        back with the test's transaction, so numbers continue from earlier tests."""
        owner.lot_sequence_id.invalidate_recordset(["number_next_actual"])
        return owner.lot_sequence_id.number_next_actual + offset

    def _receive_without_lot(self, product, quantity=10):
        receipt = self.flow._receive_lots(self.mill, [(product, False, quantity)])
        return receipt.move_line_ids.lot_id

    def test_receipts_left_empty_get_the_next_number_of_the_product(self):
        number = self._next(self.butter.product_tmpl_id)
        first = self._receive_without_lot(self.butter)
        second = self._receive_without_lot(self.butter)
        self.assertEqual((first.name, second.name), (f"B{number:03}", f"B{number + 1:03}"))
        self.assertEqual(first.product_qty, 10)

    def test_the_category_format_applies_with_the_date_parts(self):
        number = self._next(self.flours)
        lot = self._receive_without_lot(self.flour)
        today = fields.Date.context_today(self.flour)
        self.assertEqual(lot.name, f"FL-{today:%y%m}-{number:04}")

    def test_the_product_format_wins_over_its_category(self):
        number = self._next(self.rye.product_tmpl_id)
        lot = self._receive_without_lot(self.rye)
        self.assertEqual(lot.name, f"RYE{number:02}/{fields.Date.context_today(self.rye):%Y}")

    def test_a_typed_lot_number_is_kept(self):
        number = self._next(self.butter.product_tmpl_id)
        receipt = self.flow._receive_lots(self.mill, [(self.butter, "SUPPLIER-77", 5)])
        self.assertEqual(receipt.move_line_ids.lot_id.name, "SUPPLIER-77")
        self.assertEqual(self._receive_without_lot(self.butter).name, f"B{number:03}")

    def test_a_number_already_typed_by_hand_is_skipped(self):
        number = self._next(self.butter.product_tmpl_id)
        self.flow._receive_lots(self.mill, [(self.butter, f"B{number:03}", 5)])
        self.assertEqual(self._receive_without_lot(self.butter).name, f"B{number + 1:03}")

    def test_a_product_without_format_still_needs_a_lot(self):
        plain = self._lot_product("Salt")
        with self.assertRefused("You need to supply a Lot/Serial number"):
            self.flow._receive_lots(self.mill, [(plain, False, 5)])

    def test_a_manufacturing_order_numbers_its_finished_lot(self):
        self.flow._receive_lots(self.mill, [(self.butter, "BUTTER-IN", 10)])
        production = self.env["mrp.production"].create(
            {"product_id": self.dough.id, "product_qty": 2}
        )
        production.action_confirm()
        number = self._next(self.flours)
        production.action_generate_serial()
        today = fields.Date.context_today(production)
        self.assertEqual(production.lot_producing_id.name, f"FL-{today:%y%m}-{number:04}")
        self.assertEqual(
            self.env["stock.lot"]._get_next_serial(self.company, self.dough),
            f"FL-{today:%y%m}-{number + 1:04}",
        )

    def test_a_lot_created_without_a_name_takes_the_format(self):
        number = self._next(self.butter.product_tmpl_id)
        lot = self.env["stock.lot"].create(
            {"product_id": self.butter.id, "company_id": self.company.id}
        )
        self.assertEqual(lot.name, f"B{number:03}")

    def test_changing_the_format_keeps_the_counter(self):
        number = self._next(self.butter.product_tmpl_id)
        self.assertEqual(self.butter._next_lot_name(), f"B{number:03}")
        self.butter.lot_name_template = "BUT-{seq:05}"
        self.assertEqual(self.butter._next_lot_name(), f"BUT-{number + 1:05}")

    def test_invalid_formats_are_refused_with_the_reason(self):
        for template, reason in [
            ("B-{yy}", "no sequence part"),
            ("B{seq:03}{week}", r"unknown placeholder \{week\}"),
            ("B{seq:03", "unbalanced brace"),
            ("B}{seq}", "unbalanced brace"),
            ("{seq}-{seq}", "more than one"),
        ]:
            with self.subTest(template=template):
                with self.assertRefused(f"Butter is not valid: {reason}", ValidationError):
                    self.butter.lot_name_template = template
                with self.assertRefused(f"Flours is not valid: {reason}", ValidationError):
                    self.env["product.category"].create(
                        {"name": "Flours", "lot_name_template": template}
                    )
        self.assertEqual(self.butter.lot_name_template, "B{seq:03}")
        self.assertEqual(self.butter.lot_sequence_id.prefix, "B")


@tagged("post_install", "-at_install")
class TestLotNumberingConcurrency(TransactionCase):
    """Two storekeepers receive butter at the same moment, each in his own transaction."""

    def _env(self, cr):
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        company = env["res.company"].search([("name", "=", "Race Lot Numbers")])
        if not company:
            company = env["res.company"].create({"name": "Race Lot Numbers"})
        return env(context=dict(env.context, allowed_company_ids=company.ids))

    def test_two_transactions_never_get_the_same_number(self):
        with closing(self.registry.cursor()) as cr:
            env = self._env(cr)
            product = env["product.product"].create(
                {
                    "name": "Race Butter",
                    "is_storable": True,
                    "tracking": "lot",
                    "company_id": env.company.id,
                    "lot_name_template": "RB{seq:04}",
                }
            )
            # the product must be seen by the two racing cursors below (own cursor, not the test's)
            cr.commit()  # pylint: disable=invalid-commit
        with (
            closing(self.registry.cursor()) as first_cr,
            closing(self.registry.cursor()) as second_cr,
        ):
            first, second = self._env(first_cr), self._env(second_cr)
            # both transactions are open; neither has committed what it drew
            first_lot = first["stock.lot"].create({"product_id": product.id})
            second_lot = second["stock.lot"].create({"product_id": product.id})
            first_name, second_name = first_lot.name, second_lot.name
            second_cr.commit()
            first_cr.commit()
        self.assertNotEqual(first_name, second_name)
        self.assertEqual({first_name[:2], second_name[:2]}, {"RB"})
        with closing(self.registry.cursor()) as cr:
            lots = self._env(cr)["stock.lot"].search([("product_id", "=", product.id)])
            self.assertEqual(sorted(lots.mapped("name")), sorted([first_name, second_name]))
