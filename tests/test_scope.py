from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import Form, new_test_user, tagged

from .common import TraceabilityCase


class ScopeCase(TraceabilityCase):
    """Helpers for scenarios the factory does not run: unbuilds, corrections, returns."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._user("scope_manager", "stock_lot_traceability.group_recall_manager")
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.customers = cls.env.ref("stock.stock_location_customers")

    def _recall(self, lots, **vals):
        recall = (
            self.env["stock.recall"]
            .with_user(self.manager)
            .create(
                {
                    "lot_ids": [Command.set(lots.ids)],
                    "reason": "Metal fragments found in a customer's pack",
                    **vals,
                }
            )
        )
        recall.action_compute_scope()
        return recall

    def _unbuild(self, production, quantity):
        form = Form(self.env["mrp.unbuild"])
        form.mo_id = production
        form.product_qty = quantity
        unbuild = form.save()
        unbuild.action_unbuild()
        return unbuild

    def _start_production(self, product, quantity, lot_name, bom=None):
        bom = bom or self.env["mrp.bom"]._bom_find(product)[product]
        production = self.env["mrp.production"].create(
            {"product_id": product.id, "product_qty": quantity, "bom_id": bom.id}
        )
        production.action_confirm()
        production.lot_producing_id = self.env["stock.lot"].create(
            {"name": lot_name, "product_id": product.id, "company_id": production.company_id.id}
        )
        production.qty_producing = quantity
        return production

    def _finish_production(self, production, consumed):
        for move in production.move_raw_ids:
            self.flow._pick_lots(move, consumed.items())
        result = production.button_mark_done()
        if isinstance(result, dict) and result.get("res_model"):
            self.flow._confirm_wizard(result)
        self.assertEqual(production.state, "done")
        return production

    def _receive_from_customer(self, customer, lot, quantity):
        """A receipt typed by hand (no return wizard) of goods a customer sends back."""
        picking = self.env["stock.picking"].create(
            {
                "partner_id": customer.id,
                "picking_type_id": self.warehouse.in_type_id.id,
                "location_id": self.customers.id,
                "location_dest_id": self.warehouse.lot_stock_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": lot.product_id.name,
                            "product_id": lot.product_id.id,
                            "product_uom_qty": quantity,
                            "product_uom": lot.product_id.uom_id.id,
                            "location_id": self.customers.id,
                            "location_dest_id": self.warehouse.lot_stock_id.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        self.flow._pick_lots(picking.move_ids, [(lot, quantity)])
        self.flow._validate_picking(picking)
        return picking

    def _links(self, lot, active=True):
        links = lot.with_context(active_test=False).parent_link_ids
        return links.filtered(lambda link: link.active == active)

    def _edges(self, links):
        return {(link.parent_lot_id.name, link.quantity) for link in links}


@tagged("post_install", "-at_install")
class TestTimeAwareTrace(ScopeCase):
    def test_an_unbuild_does_not_make_older_products_of_its_components_downstream(self):
        """BISCUIT-1 is unbuilt into PREMIX-1 and EGGS-1 an hour later, and BISCUIT-3 is made
        from them after that: BISCUIT-2, made from EGGS-1 before the unbuild, holds nothing
        of BISCUIT-1."""
        now = fields.Datetime.now()
        with freeze_time(now + timedelta(hours=1)):
            self._unbuild(self.mo_biscuit_1, 1)
        with freeze_time(now + timedelta(hours=2)):
            self.flow._produce_lot(self.biscuit, 1, "BISCUIT-3", {self.premix_1: 1, self.eggs_1: 1})
        biscuit_3 = self._lot("BISCUIT-3")
        self.assertTrace(
            self.biscuit_1,
            "down",
            {self.biscuit_1: 0, self.premix_1: 1, self.eggs_1: 1, biscuit_3: 2},
        )
        self.assertTrace(
            self.biscuit_2,
            "up",
            {
                self.biscuit_2: 0,
                self.premix_2: 1,
                self.eggs_1: 1,
                self.flour_2: 2,
                self.sugar_1: 2,
            },
        )
        self.assertTrace(
            biscuit_3,
            "up",
            {
                biscuit_3: 0,
                self.premix_1: 1,
                self.eggs_1: 1,
                self.biscuit_1: 2,
                self.flour_1: 2,
                self.flour_2: 2,
                self.sugar_1: 2,
            },
        )
        self.assertEqual(self.biscuit_1._trace_customers(), self.alpha | self.beta)

    def test_a_lot_reached_twice_keeps_its_earliest_arrival_and_its_shortest_depth(self):
        """A -> D directly, but late; A -> B -> D early enough for D -> E to count."""
        lots = self.env["stock.lot"].create(
            [{"name": f"RW-{name}", "product_id": self.sugar.id} for name in "ABDE"]
        )
        lot_a, lot_b, lot_d, lot_e = lots
        start = fields.Datetime.now()
        for parent, child, hours in ((lot_a, lot_d, 5), (lot_a, lot_b, 1), (lot_b, lot_d, 2)):
            self._manual_link(parent, child, start + timedelta(hours=hours))
        self._manual_link(lot_d, lot_e, start + timedelta(hours=3))
        self.assertTrace(lot_a, "down", {lot_a: 0, lot_b: 1, lot_d: 1, lot_e: 3})
        self.assertTrace(lot_a, "down", {lot_a: 0, lot_b: 1, lot_d: 1}, max_depth=2)
        # upstream, mirrored: E came from D at 3 h, so only what reached D before counts
        self.assertTrace(lot_e, "up", {lot_e: 0, lot_d: 1, lot_b: 2, lot_a: 3})

    def _manual_link(self, parent, child, date):
        return self.env["stock.lot.link"].create(
            {
                "parent_lot_id": parent.id,
                "child_lot_id": child.id,
                "kind": "manual",
                "date": date,
                "note": "Rework",
            }
        )


@tagged("post_install", "-at_install")
class TestManufacturingTruth(ScopeCase):
    def test_components_scrapped_from_an_mo_are_not_linked_to_its_lot(self):
        production = self._start_production(self.premix, 10, "PREMIX-S")
        scrap = self.env["stock.scrap"].create(
            {
                "production_id": production.id,
                "product_id": self.flour.id,
                "lot_id": self.flour_2.id,
                "scrap_qty": 3,
            }
        )
        scrap.action_validate()
        self.assertEqual(scrap.move_ids.raw_material_production_id, production)
        self._finish_production(production, {self.flour_1: 20, self.sugar_1: 10})
        premix_s = self._lot("PREMIX-S")
        self.assertEqual(self._edges(self._links(premix_s)), {("FLOUR-1", 20.0), ("SUGAR-1", 10.0)})
        self.assertNotIn(premix_s.id, self.flour_2._trace("down"))

    def test_correcting_a_done_mo_supersedes_its_links(self):
        """PREMIX-1 really used FLOUR-3, not FLOUR-2, and 8 of SUGAR-1, not 10."""
        self.flow._receive_lots(self.mill, [(self.flour, "FLOUR-3", 50)])
        flour_3 = self._lot("FLOUR-3")
        kept = self._links(self.premix_1).filtered(lambda link: link.parent_lot_id == self.flour_1)
        old = self._links(self.premix_1) - kept
        production = self.mo_premix_1
        production.action_toggle_is_locked()
        raw_lines = production.move_raw_ids.move_line_ids
        raw_lines.filtered(lambda line: line.lot_id == self.flour_2).lot_id = flour_3
        raw_lines.filtered(lambda line: line.lot_id == self.sugar_1).quantity = 8

        active = self._links(self.premix_1)
        self.assertEqual(
            self._edges(active), {("FLOUR-1", 15.0), ("FLOUR-3", 5.0), ("SUGAR-1", 8.0)}
        )
        self.assertIn(kept, active)
        self.assertEqual(self._links(self.premix_1, active=False), old)
        by_input = {link.parent_lot_id: link for link in active}
        for link in old:
            self.assertFalse(link.active)
            replacement = by_input[flour_3 if link.parent_lot_id == self.flour_2 else self.sugar_1]
            self.assertEqual(link.superseded_by_id, replacement)
            self.assertIn(link, replacement.supersedes_ids)
        self.assertEqual(self._edges(old), {("FLOUR-2", 5.0), ("SUGAR-1", 10.0)})
        self.assertNotIn(self.premix_1.id, self.flour_2._trace("down"))
        self.assertIn(self.biscuit_1.id, flour_3._trace("down"))

    def test_each_consumed_quantity_is_counted_once_over_the_lots_produced(self):
        """An MO making 10 premix and 5 bran from 30 of FLOUR-1: 20 + 10, not 30 + 30."""
        bran = self._lot_product("Bran")
        bom = self.env["mrp.bom"].create(
            {
                "product_tmpl_id": self.premix.product_tmpl_id.id,
                "product_qty": 1.0,
                "consumption": "flexible",
                "bom_line_ids": [Command.create({"product_id": self.flour.id, "product_qty": 3})],
                "byproduct_ids": [Command.create({"product_id": bran.id, "product_qty": 0.5})],
            }
        )
        production = self._start_production(self.premix, 10, "PREMIX-B", bom=bom)
        bran_1 = self.env["stock.lot"].create({"name": "BRAN-1", "product_id": bran.id})
        self.flow._pick(production.move_byproduct_ids, [({"lot_id": bran_1.id}, 5)])
        self._finish_production(production, {self.flour_1: 30})
        links = self.flour_1.child_link_ids.filtered(lambda link: link.production_id == production)
        self.assertEqual(
            {(link.child_lot_id.name, link.quantity) for link in links},
            {("PREMIX-B", 20.0), ("BRAN-1", 10.0)},
        )
        self.assertEqual(sum(links.mapped("quantity")), 30.0)


@tagged("post_install", "-at_install")
class TestReturns(ScopeCase):
    def test_every_return_from_a_customer_nets_its_deliveries(self):
        """Gamma sends 1 more of BISCUIT-2 back on a receipt typed by hand; Beta, who got
        2, sends back 4 (more than it was shipped): no quantity goes negative."""
        self._receive_from_customer(self.gamma, self.biscuit_2, 1)
        self._receive_from_customer(self.beta, self.biscuit_2, 4)
        recall = self._recall(self.biscuit_2, is_drill=True)
        deliveries = {
            (delivery.partner_id, delivery.picking_id): (
                delivery.quantity,
                delivery.returned_qty,
                delivery.net_qty,
            )
            for delivery in recall.delivery_ids.filtered(lambda d: d.lot_id == self.biscuit_2)
        }
        self.assertEqual(
            deliveries,
            {
                (self.beta, self.delivery_beta): (2.0, 2.0, 0.0),
                (self.gamma, self.delivery_gamma): (5.0, 3.0, 2.0),
            },
        )
        rows = {
            (row["partner_id"], row["lot_id"]): (row["delivered"], row["returned"], row["net"])
            for row in self.biscuit_2._trace_customer_quantities()
        }
        self.assertEqual(
            rows,
            {
                (self.beta.id, self.biscuit_2.id): (2.0, 2.0, 0.0),
                (self.gamma.id, self.biscuit_2.id): (5.0, 3.0, 2.0),
            },
        )

    def test_recalled_goods_sent_back_go_to_quarantine_on_hold(self):
        """BISCUIT-1 is sold out, so the recall holds nothing; what Alpha sends back is
        received in the warehouse's quarantine location and put on recall hold."""
        quarantine = self.env["stock.location"].create(
            {
                "name": "Quarantine",
                "location_id": self.warehouse.view_location_id.id,
                "is_quarantine": True,
            }
        )
        self.warehouse.quarantine_location_id = quarantine
        self.flow._deliver_lots(self.alpha, [(self.biscuit, self.biscuit_1, 3)])
        recall = self._recall(self.biscuit_1)
        recall.action_hold_stock()
        self.assertEqual(self.biscuit_1.hold_state, "free")
        recall.action_notify_customers()
        alpha_line = recall.partner_line_ids.filtered(lambda line: line.partner_id == self.alpha)
        action = alpha_line.action_create_return()
        returns = self.env["stock.picking"].search(action["domain"])
        self.assertEqual(returns.location_dest_id, quarantine)
        self.flow._validate_picking(returns[0])
        self.assertEqual(self.biscuit_1.hold_state, "held")
        hold = self.biscuit_1.active_hold_ids
        self.assertEqual((hold.reason, hold.recall_id), ("recall", recall))
        self.assertEqual(
            self.biscuit_1.quant_ids.filtered(
                lambda quant: quant.quantity > 0 and quant.location_id.usage == "internal"
            ).location_id,
            quarantine,
        )
        # Odoo's own return wizard proposes the quarantine location too
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_model="stock.picking", active_id=self.delivery_beta.id)
            .create({"picking_id": self.delivery_beta.id})
        )
        self.assertEqual(
            wizard._prepare_picking_default_values()["location_dest_id"], quarantine.id
        )

    def test_create_return_uses_the_return_wizard_once_per_delivery(self):
        """Beta got BISCUIT-1 and BISCUIT-2 on one delivery: a recall of BISCUIT-2 returns
        only its 2 units, through Odoo's wizard, never the test flows."""
        recall = self._recall(self.biscuit_2)
        recall.action_notify_customers()
        beta_line = recall.partner_line_ids.filtered(lambda line: line.partner_id == self.beta)
        flow_class = type(self.env["stock.lot.traceability.flow"])
        with patch.object(flow_class, "_prepare_return", side_effect=AssertionError("flow")):
            action = beta_line.action_create_return()
        returned = self.env["stock.picking"].search(action["domain"])
        self.assertEqual(len(returned), 1)
        self.assertEqual(returned.return_id, self.delivery_beta)
        self.assertEqual(returned.recall_partner_id, beta_line)
        self.assertEqual(
            {
                (line.lot_id, line.quantity)
                for line in returned.move_line_ids.filtered(lambda line: line.quantity)
            },
            {(self.biscuit_2, 2.0)},
        )
        self.flow._validate_picking(returned)
        self.assertEqual(beta_line.returned_qty, 2.0)
        self.assertEqual(beta_line.state, "returned")

    def test_receiving_an_archived_lot_number_revives_the_lot(self):
        old = self.env["stock.lot"].create({"name": "FLOUR-OLD", "product_id": self.flour.id})
        old.action_archive()
        self.flow._receive_lots(self.mill, [(self.flour, "FLOUR-OLD", 10)])
        lots = (
            self.env["stock.lot"]
            .with_context(active_test=False)
            .search([("name", "=", "FLOUR-OLD"), ("product_id", "=", self.flour.id)])
        )
        self.assertEqual(lots, old)
        self.assertTrue(old.active)
        self.assertEqual(old.product_qty, 10.0)
        self.assertIn("unarchived", old.message_ids[0].body)


@tagged("post_install", "-at_install")
class TestCompanies(ScopeCase):
    """Sugar lot SUGAR-S is shared by two companies; each makes syrup from it and sells it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Syrups B"})
        cls.syrup = cls._lot_product("Syrup", sale_ok=True)
        cls._bom(cls.syrup, [(cls.sugar, 1.0)]).company_id = False  # both companies use it
        cls.shared = cls.env["stock.lot"].create(
            {"name": "SUGAR-S", "product_id": cls.sugar.id, "company_id": False}
        )
        flow_b = cls.flow.with_company(cls.company_b)
        cls.flow._receive_lots(cls.sugar_co, [(cls.sugar, "SUGAR-S", 50)])
        flow_b._receive_lots(cls.sugar_co, [(cls.sugar, "SUGAR-S", 30)])
        cls.flow._produce_lot(cls.syrup, 5, "SYRUP-A", {cls.shared: 5})
        flow_b._produce_lot(cls.syrup, 10, "SYRUP-B", {cls.shared: 10})
        cls.syrup_a, cls.syrup_b = cls._lot("SYRUP-A"), cls._lot("SYRUP-B")
        cls.flow._deliver_lots(cls.alpha, [(cls.syrup, cls.syrup_a, 5)])
        flow_b._deliver_lots(cls.beta, [(cls.syrup, cls.syrup_b, 10)])
        cls.manager.company_ids = cls.company | cls.company_b
        cls.user_b = new_test_user(
            cls.env,
            login="stock_b",
            groups="stock.group_stock_user",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )

    def test_a_recall_scopes_within_its_company_and_its_hold_blocks_everywhere(self):
        recall = self._recall(self.shared)
        self.assertEqual(recall.recall_lot_ids.lot_id, self.shared | self.syrup_a)
        self.assertEqual(recall.partner_line_ids.partner_id, self.alpha)
        balance = recall.recall_lot_ids.filtered(lambda line: line.lot_id == self.shared)
        self.assertEqual(
            (balance.received_qty, balance.consumed_qty, balance.on_hand_qty),
            (50.0, 5.0, 45.0),
        )
        self.assertFalse(balance.has_mass_balance_gap)

        recall.action_hold_stock()
        shared_b = self.shared.with_user(self.user_b)
        self.assertEqual(shared_b.hold_state, "held")
        self.assertFalse(self.env["stock.lot.hold"].with_user(self.user_b).search([]))
        summary = shared_b._hold_summary()
        self.assertIn("SUGAR-S", summary)
        self.assertIn("held by another company", summary)
        self.assertNotIn(recall.name, summary)
        self.assertIn(recall.name, self.shared.with_user(self.manager)._hold_summary())
        # the shared lot's chatter, which every company reads, names neither note nor recall
        self.assertFalse(
            [body for body in shared_b.message_ids.mapped("body") if recall.name in body]
        )
