from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import TraceabilityCase

GROUP = "stock_lot_traceability.group_%s"


@tagged("post_install", "-at_install")
class TestAllergens(TraceabilityCase):
    """Gluten in the flour and eggs in the liquid eggs: the premix and the biscuits made
    from them (two manufacturing levels) contain them, and the customers who received those
    biscuits are found by allergen."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        allergen = "stock_lot_traceability.allergen_%s"
        cls.gluten = cls.env.ref(allergen % "gluten")
        cls.egg = cls.env.ref(allergen % "eggs")
        cls.milk = cls.env.ref(allergen % "milk")
        cls.flour_2.allergen_ids = cls.gluten
        cls.eggs_1.allergen_ids = cls.egg
        cls.stock_user = cls._user("alg_stock", "stock.group_stock_user")
        cls.trace_user = cls._user("alg_trace", GROUP % "traceability_user")
        cls.quality = cls._user("alg_quality", GROUP % "quality_manager")
        cls.today = fields.Date.context_today(cls.env["stock.lot"])

    def test_the_fourteen_eu_allergens_are_shipped(self):
        allergens = self.env["stock.lot.allergen"].search([])
        self.assertEqual(len(allergens), 14)
        self.assertIn("Cereals containing gluten", allergens.mapped("name"))

    def test_allergens_propagate_through_two_manufacturing_levels(self):
        # FLOUR-2 (gluten) -> PREMIX-1 and PREMIX-2 -> BISCUIT-1 and BISCUIT-2; EGGS-1 -> both
        self.assertEqual(self.premix_1.inherited_allergen_ids, self.gluten)
        self.assertEqual(self.premix_2.inherited_allergen_ids, self.gluten)
        self.assertEqual(self.biscuit_1.inherited_allergen_ids, self.gluten | self.egg)
        self.assertEqual(self.biscuit_2.inherited_allergen_ids, self.gluten | self.egg)
        self.assertFalse(self.biscuit_1.allergen_ids, "declared allergens are the lot's own")
        self.assertFalse(self.flour_1.inherited_allergen_ids)
        self.assertFalse(self.flour_2.inherited_allergen_ids, "a lot is not its own ingredient")

    def test_one_walk_for_a_whole_list_of_lots(self):
        """The per-lot engine gives each lot its own trace, and a list of lots costs
        one walk of the engine, not one walk per lot."""
        factory = self.flour_1 | self.flour_2 | self.sugar_1 | self.eggs_1
        factory |= self.premix_1 | self.premix_2 | self.biscuit_1 | self.biscuit_2
        for direction in ("up", "down"):
            per_lot = factory._trace_per_lot(direction)
            for lot in factory:
                self.assertEqual(per_lot[lot.id], lot._trace(direction), (lot.name, direction))

        calls = []
        self.env.invalidate_all()
        with self._spy("_trace_per_lot", calls), self._spy("_trace", calls):
            factory.mapped("inherited_allergen_ids")
        self.assertEqual(calls, [("_trace_per_lot", len(factory))])

    def test_an_allergen_declared_later_shows_downstream_at_once(self):
        self.flour_1.allergen_ids = self.milk  # a may-contain declared after production
        self.assertEqual(self.biscuit_1.inherited_allergen_ids, self.gluten | self.egg | self.milk)
        self.assertEqual(self.biscuit_2.inherited_allergen_ids, self.gluten | self.egg)

    def test_search_finds_a_declaring_lot_made_from_another(self):
        self.premix_1.allergen_ids = self.gluten  # declared on the premix too
        found = self.env["stock.lot"].search(
            [("id", "in", self.premix_1.ids), ("inherited_allergen_ids", "in", self.gluten.ids)]
        )
        self.assertEqual(found, self.premix_1)

    def test_search_lots_containing_an_allergen_via_ingredients(self):
        factory = self.flour_1 | self.flour_2 | self.sugar_1 | self.eggs_1
        factory |= self.premix_1 | self.premix_2 | self.biscuit_1 | self.biscuit_2
        Lot = self.env["stock.lot"]
        self.assertEqual(
            Lot.search([("id", "in", factory.ids), ("inherited_allergen_ids", "in", self.egg.ids)]),
            self.biscuit_1 | self.biscuit_2,
        )
        self.assertEqual(
            Lot.search([("id", "in", factory.ids), ("inherited_allergen_ids", "ilike", "gluten")]),
            self.premix_1 | self.premix_2 | self.biscuit_1 | self.biscuit_2,
        )

    # the report ----------------------------------------------------------------
    def _report(self, allergen, date_from, date_to, user=None):
        Report = self.env["stock.lot.allergen.report"].with_user(user or self.trace_user)
        return Report.create(
            {"allergen_id": allergen.id, "date_from": date_from, "date_to": date_to}
        )

    def _rows(self, report):
        action = report.action_compute()
        lines = self.env[action["res_model"]].search(action["domain"])
        customers = self.alpha | self.beta | self.gamma  # the database has demo customers too
        return sorted(
            (line.partner_id.name, line.lot_id.name, line.picking_id.name, line.quantity)
            for line in lines
            if line.partner_id in customers
        )

    def test_customers_who_received_an_allergen_in_a_period(self):
        report = self._report(self.egg, self.today - timedelta(days=1), self.today)
        self.assertEqual(
            self._rows(report),
            sorted(
                [
                    ("Alpha Stores", "BISCUIT-1", self.delivery_alpha.name, 4.0),
                    ("Beta Market", "BISCUIT-1", self.delivery_beta.name, 3.0),
                    ("Beta Market", "BISCUIT-2", self.delivery_beta.name, 2.0),
                    ("Gamma Foods", "BISCUIT-2", self.delivery_gamma.name, 5.0),
                ]
            ),
        )
        line = report.line_ids.filtered(lambda line: line.partner_id == self.alpha)
        self.assertEqual(line.product_id, self.biscuit)
        self.assertEqual(line.date, self.delivery_alpha.move_line_ids.date)

    def test_only_deliveries_of_the_period_count(self):
        self.delivery_alpha.move_line_ids.date = fields.Datetime.now() - timedelta(days=40)
        report = self._report(self.gluten, self.today - timedelta(days=7), self.today)
        self.assertNotIn("Alpha Stores", {row[0] for row in self._rows(report)})
        older = self._report(
            self.gluten, self.today - timedelta(days=41), self.today - timedelta(days=39)
        )
        self.assertEqual([row[0] for row in self._rows(older)], ["Alpha Stores"])

    def test_an_allergen_nobody_received(self):
        report = self._report(
            self.env.ref("stock_lot_traceability.allergen_lupin"), self.today, self.today
        )
        self.assertEqual(self._rows(report), [])

    def test_period_ending_before_it_starts_is_refused(self):
        with self.assertRefused(r"To.*before.*From", ValidationError):
            self._report(self.egg, self.today, self.today - timedelta(days=1))

    def _spy(self, name, calls):
        """Record ``(method, number of lots)`` for each call of a stock.lot method."""
        Lot = type(self.env["stock.lot"])
        original = getattr(Lot, name)

        def wrapper(lots, *args, **kwargs):
            calls.append((name, len(lots)))
            return original(lots, *args, **kwargs)

        return patch.object(Lot, name, wrapper)

    def test_report_is_set_based(self):
        """Twenty more lots declaring eggs: still one engine walk and one delivery query
        for them all, whatever the number of lots."""
        self.env["stock.lot"].create(
            [{"name": f"EGGS-X{i}", "product_id": self.eggs.id} for i in range(20)]
        ).allergen_ids = self.egg
        report = self._report(self.egg, self.today - timedelta(days=1), self.today)
        calls = []
        spies = [self._spy(name, calls) for name in ("_trace", "_trace_deliveries")]
        with spies[0], spies[1]:
            report.action_compute()
        self.assertEqual([name for name, _count in calls], ["_trace", "_trace_deliveries"])
        self.assertGreaterEqual(calls[0][1], 21, "one walk from every lot declaring eggs")
        customers = self.alpha | self.beta | self.gamma
        factory_lines = report.line_ids.filtered(lambda line: line.partner_id in customers)
        self.assertEqual(len(factory_lines), 4)

    # access --------------------------------------------------------------------
    def test_access_per_group(self):
        with self.assertRaises(AccessError):
            self._report(self.egg, self.today, self.today, user=self.stock_user)
        with self.assertRaises(AccessError):
            self.env["stock.lot.allergen"].with_user(self.trace_user).create({"name": "Kiwi"})
        self.env["stock.lot.allergen"].with_user(self.quality).create({"name": "Kiwi"})
        # any inventory user reads allergens and sets them on lots
        self.biscuit_1.with_user(self.stock_user).allergen_ids = self.milk
        self.assertEqual(self.biscuit_1.allergen_ids, self.milk)
        self.assertEqual(
            self.biscuit_1.with_user(self.stock_user).inherited_allergen_ids,
            self.gluten | self.egg,
        )
