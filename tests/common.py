from contextlib import contextmanager
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, new_test_user


class TraceabilityMixin:
    """Master data of a small biscuit factory, shared by the ORM and the browser tests."""

    @classmethod
    def _create_partners(cls):
        partners = cls.env["res.partner"].create(
            [
                {"name": "Mill Co", "email": "sales@mill.example.com"},
                {"name": "Sugar Co", "email": "sales@sugar.example.com"},
                {"name": "Farm Co", "email": "sales@farm.example.com"},
                {"name": "Alpha Stores", "email": "qa@alpha.example.com"},
                {"name": "Beta Market", "email": "qa@beta.example.com"},
                {"name": "Gamma Foods", "email": "qa@gamma.example.com"},
            ]
        )
        cls.mill, cls.sugar_co, cls.farm, cls.alpha, cls.beta, cls.gamma = partners

    @classmethod
    def _lot_product(cls, name, **vals):
        return cls.env["product.product"].create(
            {"name": name, "is_storable": True, "tracking": "lot", "standard_price": 1.0, **vals}
        )

    @classmethod
    def _bom(cls, product, components):
        return cls.env["mrp.bom"].create(
            {
                "product_tmpl_id": product.product_tmpl_id.id,
                "product_qty": 1.0,
                "consumption": "flexible",
                "bom_line_ids": [
                    Command.create({"product_id": component.id, "product_qty": qty})
                    for component, qty in components
                ],
            }
        )

    @classmethod
    def _create_products(cls):
        cls.flour = cls._lot_product("Flour T55", use_expiration_date=True, expiration_time=180)
        cls.sugar = cls._lot_product("Sugar")
        cls.eggs = cls._lot_product("Liquid Eggs", use_expiration_date=True, expiration_time=20)
        cls.premix = cls._lot_product("Dough Premix")
        cls.biscuit = cls._lot_product("Butter Biscuits", sale_ok=True)
        cls.biscuit_premix = cls.premix | cls.biscuit
        cls._bom(cls.premix, [(cls.flour, 2.0), (cls.sugar, 1.0)])
        cls._bom(cls.biscuit, [(cls.premix, 1.0), (cls.eggs, 1.0)])

    @classmethod
    def _lot(cls, name):
        return cls.env["stock.lot"].search([("name", "=", name)], limit=1)

    @classmethod
    def _user(cls, login, groups, company=None):
        company = company or cls.company
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    def _quant(self, lot, location):
        return self.env["stock.quant"].search(
            [("lot_id", "=", lot.id), ("location_id", "=", location.id), ("quantity", ">", 0)]
        )

    def _picking(self, lot, quantity, source, destination, picking_type, **move_vals):
        """A transfer of ``lot`` with its move line picked by hand, not validated."""
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": lot.name,
                            "product_id": lot.product_id.id,
                            "product_uom_qty": quantity,
                            "product_uom": lot.product_id.uom_id.id,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                            **move_vals,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.move_ids.move_line_ids.unlink()
        self.env["stock.move.line"].create(
            {
                "move_id": picking.move_ids.id,
                "picking_id": picking.id,
                "product_id": lot.product_id.id,
                "lot_id": lot.id,
                "quantity": quantity,
                "location_id": source.id,
                "location_dest_id": destination.id,
            }
        )
        picking.move_ids.picked = True
        return picking

    def assertStockOf(self, lot, location, quantity):
        self.assertEqual(sum(self._quant(lot, location).mapped("quantity")), quantity)

    @contextmanager
    def assertRefused(self, regex, exception=UserError):
        """Like assertRaisesRegex, and what the refused call wrote is rolled back (Odoo's
        assertRaises runs it in a savepoint), so the test can check nothing was left behind."""
        with self.assertRaises(exception) as caught:
            yield caught
        self.assertRegex(str(caught.exception), regex)

    def assertTrace(self, lot, direction, expected, **kwargs):
        """Compare a trace with ``{lot: depth}`` expected, by lot name for readable diffs."""
        trace = lot._trace(direction, **kwargs)
        got = {self.env["stock.lot"].browse(lot_id).name: depth for lot_id, depth in trace.items()}
        self.assertEqual(got, {lot.name: depth for lot, depth in expected.items()})


class TraceabilityCase(TraceabilityMixin, TransactionCase):
    """A small biscuit factory: three vendors, two manufacturing levels, three customers.

    Receipts (purchase orders)      MOs, level 1 (premix)      MOs, level 2 (biscuits)
        FLOUR-1 (Mill)  ─┐
        FLOUR-2 (Mill)  ─┼─> PREMIX-1 ─────────────┐
        SUGAR-1 (Sugar) ─┘                          ├─> BISCUIT-1 ─> Alpha (4 of 6 sold), Beta (3)
        FLOUR-2, SUGAR-1 ──> PREMIX-2 ──┐           │
        EGGS-1 (Farm) ──────────────────┴───────────┴─> BISCUIT-2 ─> Beta (2), Gamma (5, 2 back)
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.flow = cls.env["stock.lot.traceability.flow"]
        cls.company = cls.env.company
        cls._create_partners()
        cls._create_products()
        cls._run_factory()

    @classmethod
    def _run_factory(cls):
        flow = cls.flow
        flow._receive_lots(cls.mill, [(cls.flour, "FLOUR-1", 100), (cls.flour, "FLOUR-2", 100)])
        flow._receive_lots(cls.sugar_co, [(cls.sugar, "SUGAR-1", 100)])
        flow._receive_lots(cls.farm, [(cls.eggs, "EGGS-1", 100)])
        cls.flour_1, cls.flour_2 = cls._lot("FLOUR-1"), cls._lot("FLOUR-2")
        cls.sugar_1, cls.eggs_1 = cls._lot("SUGAR-1"), cls._lot("EGGS-1")
        cls.mo_premix_1 = flow._produce_lot(
            cls.premix, 10, "PREMIX-1", {cls.flour_1: 15, cls.flour_2: 5, cls.sugar_1: 10}
        )
        cls.mo_premix_2 = flow._produce_lot(
            cls.premix, 10, "PREMIX-2", {cls.flour_2: 20, cls.sugar_1: 10}
        )
        cls.premix_1, cls.premix_2 = cls._lot("PREMIX-1"), cls._lot("PREMIX-2")
        cls.mo_biscuit_1 = flow._produce_lot(
            cls.biscuit, 10, "BISCUIT-1", {cls.premix_1: 10, cls.eggs_1: 10}
        )
        cls.mo_biscuit_2 = flow._produce_lot(
            cls.biscuit, 10, "BISCUIT-2", {cls.premix_2: 10, cls.eggs_1: 10}
        )
        cls.biscuit_1, cls.biscuit_2 = cls._lot("BISCUIT-1"), cls._lot("BISCUIT-2")
        cls.delivery_alpha = flow._deliver_lots(
            cls.alpha, [(cls.biscuit, cls.biscuit_1, 4)], ordered={cls.biscuit: 6}
        )
        cls.delivery_beta = flow._deliver_lots(
            cls.beta, [(cls.biscuit, cls.biscuit_1, 3), (cls.biscuit, cls.biscuit_2, 2)]
        )
        cls.delivery_gamma = flow._deliver_lots(cls.gamma, [(cls.biscuit, cls.biscuit_2, 5)])
        cls.return_gamma = flow._return_delivery(cls.delivery_gamma, {cls.biscuit_2: 2})


class HoldCase(TraceabilityCase):
    """The factory, plus two lots of cocoa in stock, a quarantine location and the users."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock = cls.warehouse.lot_stock_id
        cls.category = cls.env["product.category"].create({"name": "Cocoa products"})
        cls.cocoa = cls._lot_product(
            "Cocoa Powder", use_expiration_date=True, categ_id=cls.category.id, sale_ok=True
        )
        cls.flow._receive_lots(cls.mill, [(cls.cocoa, "COCOA-OLD", 50)])
        cls.flow._receive_lots(cls.mill, [(cls.cocoa, "COCOA-NEW", 50)])
        cls.cocoa_old, cls.cocoa_new = cls._lot("COCOA-OLD"), cls._lot("COCOA-NEW")
        now = fields.Datetime.now()
        cls.cocoa_old.expiration_date = now + timedelta(days=30)
        cls.cocoa_new.expiration_date = now + timedelta(days=90)
        cls.quality = cls._user("quality_holds", "stock_lot_traceability.group_quality_manager")
        cls.stock_user = cls._user("stock_holds", "stock.group_stock_user")
        cls.quarantine = cls.env["stock.location"].create(
            {"name": "Quarantine", "location_id": cls.stock.id, "is_quarantine": True}
        )

    # helpers ---------------------------------------------------------------
    def _hold(self, lots, reason="failed_test", note="Salmonella screen positive"):
        return lots.with_user(self.quality)._place_hold(reason, note)

    def _sell(self, product, quantity, partner=None):
        order = self.env["sale.order"].create(
            {
                "partner_id": (partner or self.alpha).id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": quantity})
                ],
            }
        )
        order.action_confirm()
        return order.picking_ids

    def _use_removal(self, xmlid):
        self.category.removal_strategy_id = self.env.ref(xmlid)

    def _transfer(self, lot, quantity, destination):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.int_type_id.id,
                "location_id": self.stock.id,
                "location_dest_id": destination.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": lot.name,
                            "product_id": lot.product_id.id,
                            "product_uom_qty": quantity,
                            "product_uom": lot.product_id.uom_id.id,
                            "location_id": self.stock.id,
                            "location_dest_id": destination.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        return picking
