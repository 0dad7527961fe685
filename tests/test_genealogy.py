from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from ..hooks import post_init_hook
from .common import TraceabilityCase


@tagged("post_install", "-at_install")
class TestGenealogy(TraceabilityCase):
    def _edges(self, links):
        return {
            (link.parent_lot_id.name, link.child_lot_id.name, link.kind, link.quantity)
            for link in links
        }

    def test_done_mo_links_every_consumed_lot_to_the_produced_lot(self):
        self.assertEqual(
            self._edges(self.premix_1.parent_link_ids),
            {
                ("FLOUR-1", "PREMIX-1", "production", 15.0),
                ("FLOUR-2", "PREMIX-1", "production", 5.0),
                ("SUGAR-1", "PREMIX-1", "production", 10.0),
            },
        )
        self.assertEqual(self.premix_1.parent_link_ids.production_id, self.mo_premix_1)
        self.assertEqual(self.premix_1.parent_link_ids.product_uom_id, self.flour.uom_id)
        self.assertEqual(
            self._edges(self.flour_2.child_link_ids),
            {
                ("FLOUR-2", "PREMIX-1", "production", 5.0),
                ("FLOUR-2", "PREMIX-2", "production", 20.0),
            },
        )

    def test_backfill_rebuilds_the_links_of_existing_orders(self):
        link_model = self.env["stock.lot.link"]
        before = self._edges(link_model.search([]))
        self.assertEqual(
            len(link_model.search([("production_id.product_id", "in", self.biscuit_premix.ids)])),
            9,
        )
        self.env.cr.execute("DELETE FROM stock_lot_link")
        self.env.invalidate_all()
        self.assertFalse(link_model.search([]))
        post_init_hook(self.env)
        self.assertEqual(self._edges(link_model.search([])), before)

    def test_linking_twice_is_idempotent(self):
        count = self.env["stock.lot.link"].search_count([])
        self.env["stock.lot.link"]._link_productions(self.mo_premix_1.ids)
        self.assertEqual(self.env["stock.lot.link"].search_count([]), count)

    def test_unbuild_links_the_unbuilt_lot_to_the_recovered_components(self):
        unbuild_form = Form(self.env["mrp.unbuild"])
        unbuild_form.mo_id = self.mo_biscuit_1
        unbuild_form.product_qty = 1
        unbuild = unbuild_form.save()
        with freeze_time(fields.Datetime.now() + timedelta(hours=1)):
            unbuild.action_unbuild()
        links = self.env["stock.lot.link"].search([("unbuild_id", "=", unbuild.id)])
        self.assertEqual(
            {(link.parent_lot_id, link.child_lot_id, link.kind) for link in links},
            {
                (self.biscuit_1, self.premix_1, "unbuild"),
                (self.biscuit_1, self.eggs_1, "unbuild"),
            },
        )
        self.assertEqual(links.production_id, self.mo_biscuit_1)
        # the unbuild closes a cycle premix -> biscuit -> premix: the walk still ends;
        # the eggs recovered from the biscuits came back after BISCUIT-2 was made of eggs
        self.assertTrace(
            self.premix_1,
            "down",
            {self.premix_1: 0, self.biscuit_1: 1, self.eggs_1: 2},
        )

    def test_manual_link_wizard_needs_a_reason_and_logs_both_lots(self):
        quality = self._user("quality_link", "stock_lot_traceability.group_quality_manager")
        wizard_model = self.env["stock.lot.link.wizard"].with_user(quality)
        with self.assertRaisesRegex(UserError, "(?i)reason"):
            wizard_model.create(
                {"parent_lot_id": self.eggs_1.id, "child_lot_id": self.premix_2.id, "reason": " "}
            ).action_link()
        wizard = wizard_model.create(
            {
                "parent_lot_id": self.eggs_1.id,
                "child_lot_id": self.premix_2.id,
                "quantity": 2,
                "reason": "Egg wash added by hand at the mixer",
            }
        )
        wizard.action_link()
        link = self.premix_2.parent_link_ids.filtered(lambda link: link.kind == "manual")
        self.assertEqual(link.parent_lot_id, self.eggs_1)
        self.assertEqual(link.note, "Egg wash added by hand at the mixer")
        for lot in (self.eggs_1, self.premix_2):
            self.assertIn("Egg wash added by hand", lot.message_ids[0].body)
        self.assertIn(self.premix_2.id, self.eggs_1._trace("down"))
        with self.assertRaises(ValidationError):
            wizard_model.create(
                {
                    "parent_lot_id": self.eggs_1.id,
                    "child_lot_id": self.premix_2.id,
                    "quantity": 1,
                    "reason": "again",
                }
            ).action_link()

    def test_a_lot_cannot_be_linked_to_itself(self):
        wizard = self.env["stock.lot.link.wizard"].create(
            {"parent_lot_id": self.eggs_1.id, "child_lot_id": self.eggs_1.id, "reason": "x"}
        )
        with self.assertRaisesRegex(UserError, "EGGS-1"):
            wizard.action_link()

    def test_links_are_never_deleted_and_only_manual_ones_archived(self):
        production_link = self.premix_1.parent_link_ids[:1]
        with self.assertRaises(UserError):
            production_link.unlink()
        with self.assertRaises(UserError):
            production_link.action_archive()
        with self.assertRaises(UserError):
            production_link.write({"child_lot_id": self.premix_2.id})
        manual = self.env["stock.lot.link"].create(
            {
                "parent_lot_id": self.sugar_1.id,
                "child_lot_id": self.biscuit_2.id,
                "kind": "manual",
                "note": "Icing sugar dusted on the line",
            }
        )
        self.assertIn(self.biscuit_2.id, self.sugar_1._trace("down"))
        manual.action_archive()
        self.assertTrue(manual.exists())
        self.assertNotIn(self.biscuit_2.id, self.sugar_1._trace("down", max_depth=1))
        self.assertIn(manual, self.biscuit_2.with_context(active_test=False).parent_link_ids)

    def test_an_archived_lot_keeps_its_number_and_its_links(self):
        self.premix_1.action_archive()
        with self.assertRaises(ValidationError):
            self.env["stock.lot"].create({"name": "PREMIX-1", "product_id": self.premix.id})
        self.assertIn(self.premix_1.id, self.flour_1._trace("down"))
        self.assertEqual(self.flour_1.downstream_lot_count, 2)
