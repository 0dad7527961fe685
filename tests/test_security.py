from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import TraceabilityCase


@tagged("post_install", "-at_install")
class TestSecurity(TraceabilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Biscuits B Ltd"})
        cls.user_b = cls._user(
            "trace_b", "stock_lot_traceability.group_traceability_user", company=cls.company_b
        )
        cls.lot_b = cls.env["stock.lot"].create(
            {"name": "B-SUGAR-1", "product_id": cls.sugar.id, "company_id": cls.company_b.id}
        )

    def test_user_of_another_company_sees_nothing_of_company_a(self):
        env_b = self.env(user=self.user_b)
        self.assertFalse(env_b["stock.lot.link"].search([]))
        self.assertEqual(self.lot_b.with_env(env_b)._trace("down"), {self.lot_b.id: 0})
        # Odoo lets every company see a lot of a shared product; what it went into does not
        flour_seen_by_b = self.flour_2.with_env(env_b)
        self.assertEqual(flour_seen_by_b._trace("down"), {self.flour_2.id: 0})
        self.assertFalse(flour_seen_by_b._trace_customers())
        self.assertFalse(flour_seen_by_b._trace_suppliers())
        self.assertFalse(self.biscuit_1.with_env(env_b)._trace_deliveries())
        with self.assertRaises(AccessError):
            self.premix_1.parent_link_ids[:1].with_env(env_b).read(["quantity"])

    def test_traceability_user_reads_but_cannot_link(self):
        reader = self._user("trace_reader", "stock_lot_traceability.group_traceability_user")
        self.assertEqual(self.flour_2.with_user(reader).downstream_lot_count, 4)
        self.assertTrue(self.env["stock.lot.link"].with_user(reader).search([]))
        with self.assertRaises(AccessError):
            self.env["stock.lot.link.wizard"].with_user(reader).create(
                {"parent_lot_id": self.eggs_1.id, "child_lot_id": self.premix_2.id, "reason": "x"}
            )

    def test_stock_user_without_traceability_group_cannot_read_links(self):
        stock_user = self._user("plain_stock", "stock.group_stock_user")
        with self.assertRaises(AccessError):
            self.env["stock.lot.link"].with_user(stock_user).search([])
