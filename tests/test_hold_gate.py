from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import HoldCase


@tagged("post_install", "-at_install")
class TestHoldGate(HoldCase):
    """An unfriendly inventory user tries every path Odoo offers to move held cocoa out."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shelf = cls.env["stock.location"].create(
            {"name": "Shelf 12", "location_id": cls.stock.id}
        )
        cls.customers = cls.env.ref("stock.stock_location_customers")
        cls.stock_user.groups_id += cls.env.ref("stock.group_tracking_lot")
        cls.stock_manager = cls._user("stock_manager_gate", "stock.group_stock_manager")

    # helpers ---------------------------------------------------------------
    def _quarantine_old_cocoa(self):
        """Hold the old cocoa and move it, as QA does, into quarantine."""
        self._hold(self.cocoa_old)
        to_quarantine = self._transfer(self.cocoa_old, 50, self.quarantine)
        to_quarantine.move_ids.picked = True
        to_quarantine.button_validate()
        return self._quant(self.cocoa_old, self.quarantine)

    # paths that used to leak -------------------------------------------------
    def test_moving_a_package_of_held_stock_from_its_form_is_refused(self):
        quant = self._quarantine_old_cocoa()
        package = self.env["stock.quant.package"].create({"name": "PALLET-7"})
        quant.move_quants(package_dest_id=package, message="Palletised in quarantine")
        self.assertEqual(package.location_id, self.quarantine)
        with self.assertRefused("COCOA-OLD"):
            package.with_user(self.stock_user).location_id = self.shelf
        self.assertStockOf(self.cocoa_old, self.quarantine, 50)
        self.assertStockOf(self.cocoa_old, self.shelf, 0)

    def test_relocating_held_stock_out_of_quarantine_is_refused(self):
        quant = self._quarantine_old_cocoa()
        wizard = (
            self.env["stock.quant.relocate"]
            .with_user(self.stock_manager)
            .create({"quant_ids": [Command.set(quant.ids)], "dest_location_id": self.shelf.id})
        )
        with self.assertRefused("COCOA-OLD"):
            wizard.action_relocate_quants()
        self.assertStockOf(self.cocoa_old, self.quarantine, 50)

    def test_an_inventory_flag_does_not_open_the_gate_to_a_customer(self):
        delivery = self._picking(
            self.cocoa_old, 10, self.stock, self.customers, self.warehouse.out_type_id
        )
        delivery.move_ids.is_inventory = True
        self._hold(self.cocoa_old)
        with self.assertRefused("COCOA-OLD"):
            delivery.with_user(self.stock_user).button_validate()
        self.assertStockOf(self.cocoa_old, self.stock, 50)

    def test_writing_on_a_quant_of_a_held_lot_is_refused(self):
        quant = self._quarantine_old_cocoa().with_user(self.stock_user)
        free_quant = self._quant(self.cocoa_new, self.stock).with_user(self.stock_user)
        package = self.env["stock.quant.package"].create({"name": "PALLET-8"})
        for field, value in [
            ("location_id", self.shelf.id),
            ("lot_id", self.cocoa_new.id),
            ("package_id", package.id),
        ]:
            with self.subTest(field=field), self.assertRefused("COCOA-OLD"):
                quant.write({field: value})
        with self.assertRefused("COCOA-OLD"):
            free_quant.write({"lot_id": self.cocoa_old.id})
        self.assertStockOf(self.cocoa_old, self.quarantine, 50)
        self.assertStockOf(self.cocoa_new, self.stock, 50)

    def test_held_stock_in_transit_is_held_and_cannot_be_shipped(self):
        transit = self.env["stock.location"].create(
            {"name": "Truck to depot", "usage": "transit", "company_id": self.company.id}
        )
        to_transit = self._picking(
            self.cocoa_old, 50, self.stock, transit, self.warehouse.int_type_id
        )
        from_transit = self._picking(
            self.cocoa_old, 50, transit, self.customers, self.warehouse.out_type_id
        )
        to_transit.button_validate()
        self.assertStockOf(self.cocoa_old, transit, 50)
        recall = self.env["stock.recall"].create(
            {"lot_ids": [Command.set(self.cocoa_old.ids)], "reason": "Salmonella at the mill"}
        )
        recall.action_compute_scope()
        recall.action_hold_stock()
        self.assertEqual(recall.hold_ids.lot_id, self.cocoa_old)
        self.assertEqual(self.cocoa_old.hold_state, "held")
        with self.assertRefused("COCOA-OLD"):
            from_transit.with_user(self.stock_user).button_validate()
        self.assertStockOf(self.cocoa_old, transit, 50)

    def test_editing_a_done_delivery_to_ship_a_held_lot_is_refused(self):
        delivery = self._picking(
            self.cocoa_new, 10, self.stock, self.customers, self.warehouse.out_type_id
        )
        delivery.button_validate()
        self._hold(self.cocoa_old)
        delivery.action_toggle_is_locked()
        line = delivery.move_line_ids.with_user(self.stock_user)
        with self.assertRefused("COCOA-OLD"):
            line.lot_id = self.cocoa_old
        with self.assertRefused("COCOA-OLD"):
            line.write({"lot_id": self.cocoa_old})  # a record, as Odoo's own code passes
        self.assertStockOf(self.cocoa_old, self.stock, 50)

    def test_raising_the_quantity_of_a_done_delivery_of_a_held_lot_is_refused(self):
        delivery = self._picking(
            self.cocoa_old, 10, self.stock, self.customers, self.warehouse.out_type_id
        )
        delivery.button_validate()
        self._hold(self.cocoa_old)
        delivery.action_toggle_is_locked()
        line = delivery.move_line_ids.with_user(self.stock_user)
        with self.assertRefused("COCOA-OLD"):
            line.quantity = 15
        self.assertStockOf(self.cocoa_old, self.stock, 40)
        # the customer got less than recorded: stock comes back, allowed (Odoo revalues the
        # edited move, which needs accounting rights: an administrator corrects it)
        delivery.move_line_ids.quantity = 4
        self.assertStockOf(self.cocoa_old, self.stock, 46)

    def test_nobody_writes_the_quality_status(self):
        self._hold(self.cocoa_old)
        for user in (self.stock_user, self.quality, self.env.ref("base.user_admin")):
            with self.subTest(user=user.login), self.assertRefused("computed"):
                self.cocoa_old.with_user(user).sudo().write({"hold_state": "free"})
        with self.assertRefused("computed"):
            self.env["stock.lot"].create(
                {"name": "COCOA-X", "product_id": self.cocoa.id, "hold_state": "held"}
            )
        self.assertEqual(self.cocoa_old.hold_state, "held")

    # what a held lot may do --------------------------------------------------
    def test_scrapping_held_stock_is_allowed_and_recorded_on_the_hold(self):
        hold = self._hold(self.cocoa_old)
        scrap = (
            self.env["stock.scrap"]
            .with_user(self.stock_user)
            .create(
                {
                    "product_id": self.cocoa.id,
                    "lot_id": self.cocoa_old.id,
                    "scrap_qty": 5,
                    "location_id": self.stock.id,
                }
            )
        )
        scrap.action_validate()
        self.assertEqual(scrap.state, "done")
        self.assertStockOf(self.cocoa_old, self.stock, 45)
        self.assertIn("Destroyed", hold.message_ids[0].body)
        self.assertIn(scrap.name, hold.message_ids[0].body)
        recall = self.env["stock.recall"].create(
            {"lot_ids": [Command.set(self.cocoa_old.ids)], "reason": "Destroyed stock check"}
        )
        recall.action_compute_scope()
        self.assertEqual(recall.recall_lot_ids.scrapped_qty, 5)
        self.assertFalse(recall.recall_lot_ids.has_mass_balance_gap)

    def test_a_held_lot_may_arrive_from_a_vendor(self):
        self._hold(self.cocoa_old)
        receipt = self._picking(
            self.cocoa_old,
            5,
            self.env.ref("stock.stock_location_suppliers"),
            self.stock,
            self.warehouse.in_type_id,
        )
        receipt.button_validate()
        self.assertEqual(receipt.state, "done")
        self.assertStockOf(self.cocoa_old, self.stock, 55)
        self.assertEqual(self.cocoa_old.hold_state, "held")

    # quarantine configuration -------------------------------------------------
    def test_quarantine_is_internal_and_inherited_by_sub_locations(self):
        bay = self.env["stock.location"].create(
            {"name": "Bay 1", "location_id": self.quarantine.id}
        )
        self.assertTrue(bay.is_quarantine)
        with self.assertRefused(exception=ValidationError, regex="Bay 1"):
            bay.is_quarantine = False
        with self.assertRefused(exception=ValidationError, regex="internal"):
            self.customers.is_quarantine = True
        self.shelf.location_id = self.quarantine
        self.assertTrue(self.shelf.is_quarantine)
        self.quarantine.is_quarantine = False
        self.assertFalse(bay.is_quarantine or self.shelf.is_quarantine)
        self.quarantine.is_quarantine = True
        self.assertTrue(bay.is_quarantine)
        self._hold(self.cocoa_old)
        into_bay = self._transfer(self.cocoa_old, 50, bay)
        self.assertEqual(into_bay.move_line_ids.lot_id, self.cocoa_old)
        into_bay.move_ids.picked = True
        into_bay.button_validate()
        self.assertStockOf(self.cocoa_old, bay, 50)
