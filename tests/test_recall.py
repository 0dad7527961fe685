import io
from datetime import timedelta

import openpyxl
from freezegun import freeze_time
from pypdf import PdfReader

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import TraceabilityCase


@tagged("post_install", "-at_install")
class TestRecall(TraceabilityCase):
    """A third level — gift boxes of biscuits — shipped to a fourth customer, Delta.

    FLOUR-2 ─> PREMIX-1 ─> BISCUIT-1 ─> BOX-1 ─> Delta        BISCUIT-1 ─> Alpha 4, Beta 3
           └─> PREMIX-2 ─> BISCUIT-2 ─> BOX-2 ─> Delta        BISCUIT-2 ─> Beta 2, Gamma 5 (2 back)
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.delta = cls.env["res.partner"].create(
            {"name": "Delta Gifts", "email": "qa@delta.example.com"}
        )
        cls.box = cls._lot_product("Biscuit Gift Box", sale_ok=True)
        cls._bom(cls.box, [(cls.biscuit, 2.0)])
        cls.flow._produce_lot(cls.box, 1, "BOX-1", {cls.biscuit_1: 2})
        cls.flow._produce_lot(cls.box, 2, "BOX-2", {cls.biscuit_2: 4})
        cls.box_1, cls.box_2 = cls._lot("BOX-1"), cls._lot("BOX-2")
        cls.delivery_delta = cls.flow._deliver_lots(
            cls.delta, [(cls.box, cls.box_1, 1), (cls.box, cls.box_2, 1)]
        )
        cls.manager = cls._user("recall_manager", "stock_lot_traceability.group_recall_manager")
        cls.quality = cls._user("recall_quality", "stock_lot_traceability.group_quality_manager")

    def _recall(self, lots, is_drill=False, **vals):
        recall = (
            self.env["stock.recall"]
            .with_user(self.manager)
            .create(
                {
                    "lot_ids": [Command.set(lots.ids)],
                    "is_drill": is_drill,
                    "reason": "Undeclared peanut traces in flour",
                    "classification": "class_1",
                    **vals,
                }
            )
        )
        recall.action_compute_scope()
        return recall

    def _mails(self, recall):
        return self.env["mail.mail"].search(
            [("model", "=", "stock.recall.partner"), ("res_id", "in", recall.partner_line_ids.ids)]
        )

    # scope -------------------------------------------------------------------
    def test_scope_lots_deliveries_and_customers_are_exact(self):
        recall = self._recall(self.flour_2)
        self.assertEqual(recall.state, "scoped")
        self.assertTrue(recall.name.startswith("RCL/"))
        self.assertGreater(recall.scope_seconds, 0)
        self.assertEqual(
            {(line.lot_id, line.depth) for line in recall.recall_lot_ids},
            {
                (self.flour_2, 0),
                (self.premix_1, 1),
                (self.premix_2, 1),
                (self.biscuit_1, 2),
                (self.biscuit_2, 2),
                (self.box_1, 3),
                (self.box_2, 3),
            },
        )
        self.assertEqual(
            {
                (line.partner_id, line.picking_id, line.lot_id, line.quantity, line.returned_qty)
                for line in recall.delivery_ids
            },
            {
                (self.alpha, self.delivery_alpha, self.biscuit_1, 4.0, 0.0),
                (self.beta, self.delivery_beta, self.biscuit_1, 3.0, 0.0),
                (self.beta, self.delivery_beta, self.biscuit_2, 2.0, 0.0),
                (self.gamma, self.delivery_gamma, self.biscuit_2, 5.0, 2.0),
                (self.delta, self.delivery_delta, self.box_1, 1.0, 0.0),
                (self.delta, self.delivery_delta, self.box_2, 1.0, 0.0),
            },
        )
        self.assertEqual(
            {(line.partner_id, line.quantity, line.email) for line in recall.partner_line_ids},
            {
                (self.alpha, 4.0, "qa@alpha.example.com"),
                (self.beta, 5.0, "qa@beta.example.com"),
                (self.gamma, 3.0, "qa@gamma.example.com"),
                (self.delta, 2.0, "qa@delta.example.com"),
            },
        )
        self.assertEqual(
            recall.delivery_ids.sale_id.partner_id, self.alpha | self.beta | self.gamma | self.delta
        )
        self.assertEqual(recall.supplier_ids, self.mill)

    def test_backward_trace_shows_the_root_cause_suppliers(self):
        recall = self._recall(self.biscuit_1)
        self.assertEqual(
            recall.upstream_lot_ids,
            self.premix_1 | self.eggs_1 | self.flour_1 | self.flour_2 | self.sugar_1,
        )
        self.assertEqual(recall.supplier_ids, self.mill | self.sugar_co | self.farm)
        self.assertEqual(recall.recall_lot_ids.lot_id, self.biscuit_1 | self.box_1)

    def test_a_lot_without_downstream_has_a_small_valid_scope(self):
        lonely = self.env["stock.lot"].create({"name": "LONELY-9", "product_id": self.sugar.id})
        recall = self._recall(lonely)
        self.assertEqual(recall.recall_lot_ids.lot_id, lonely)
        self.assertFalse(recall.delivery_ids)
        self.assertFalse(recall.partner_line_ids)
        recall.with_user(self.manager).action_close()
        self.assertEqual(recall.state, "closed")
        self.assertEqual(recall.effectiveness, 100.0)

    def test_a_shipment_naming_no_customer_is_flagged_not_lost(self):
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company.id)], limit=1
        )
        customers = self.env.ref("stock.stock_location_customers")
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.out_type_id.id,
                "location_id": warehouse.lot_stock_id.id,
                "location_dest_id": customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": "counter sale",
                            "product_id": self.flour.id,
                            "product_uom_qty": 1,
                            "product_uom": self.flour.uom_id.id,
                            "location_id": warehouse.lot_stock_id.id,
                            "location_dest_id": customers.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        self.flow._pick_lots(picking.move_ids, [(self.flour_2, 1)])
        self.flow._validate_picking(picking)
        recall = self._recall(self.flour_2)
        orphan = recall.delivery_ids.filtered(lambda line: line.picking_id == picking)
        self.assertEqual((orphan.lot_id, orphan.quantity), (self.flour_2, 1.0))
        self.assertFalse(orphan.partner_id)
        self.assertEqual(recall.unassigned_delivery_count, 1)
        self.assertEqual(len(recall.partner_line_ids), 4)

    def test_an_archived_lot_stays_in_scope(self):
        self.biscuit_1.action_archive()
        self.assertFalse(self.biscuit_1.active)
        recall = self._recall(self.flour_2)
        self.assertIn(self.biscuit_1, recall.recall_lot_ids.lot_id)
        self.assertIn(self.alpha, recall.partner_line_ids.partner_id)

    # mass balance --------------------------------------------------------------
    def test_mass_balance_holds_and_detects_an_unrecorded_adjustment(self):
        recall = self._recall(self.flour_2)
        flour_line = recall.recall_lot_ids.filtered(lambda line: line.lot_id == self.flour_2)
        self.assertEqual(
            (flour_line.received_qty, flour_line.consumed_qty, flour_line.on_hand_qty),
            (100.0, 25.0, 75.0),
        )
        gamma_lot = recall.recall_lot_ids.filtered(lambda line: line.lot_id == self.biscuit_2)
        self.assertEqual(
            (gamma_lot.produced_qty, gamma_lot.shipped_qty, gamma_lot.returned_qty),
            (10.0, 7.0, 2.0),
        )
        self.assertEqual(recall.mass_balance_gap_count, 0)
        stock = self.env["stock.warehouse"].search([], limit=1).lot_stock_id
        # someone edits the stock without a move (no inventory adjustment, no scrap)
        self.env["stock.quant"]._update_available_quantity(
            self.flour, stock, -3, lot_id=self.flour_2
        )
        recall.action_compute_scope()
        flour_line = recall.recall_lot_ids.filtered(lambda line: line.lot_id == self.flour_2)
        self.assertEqual(flour_line.mass_balance_gap, 3.0)
        self.assertTrue(flour_line.has_mass_balance_gap)
        self.assertEqual(recall.mass_balance_gap_count, 1)

    def test_inventory_adjustment_is_an_explained_difference(self):
        stock = self.env["stock.warehouse"].search([], limit=1).lot_stock_id
        quant = self.env["stock.quant"].search(
            [("lot_id", "=", self.flour_2.id), ("location_id", "=", stock.id)]
        )
        quant.inventory_quantity = 70
        quant.action_apply_inventory()
        recall = self._recall(self.flour_2)
        flour_line = recall.recall_lot_ids.filtered(lambda line: line.lot_id == self.flour_2)
        self.assertEqual((flour_line.adjusted_qty, flour_line.on_hand_qty), (-5.0, 70.0))
        self.assertFalse(flour_line.has_mass_balance_gap)

    # drill -----------------------------------------------------------------------
    def test_drill_places_no_hold_and_mails_only_the_responsible(self):
        recall = self._recall(self.flour_2, is_drill=True)
        recall.action_hold_stock()
        self.assertFalse(recall.hold_ids)
        self.assertEqual(self.biscuit_1.hold_state, "free")
        self.assertIn("No hold was placed", recall.message_ids[0].body)
        recall.action_notify_customers()
        mails = self._mails(recall)
        self.assertEqual(len(mails), 4)
        self.assertEqual(set(mails.mapped("email_to")), {self.manager.email_formatted})
        self.assertFalse(mails.recipient_ids)
        self.assertTrue(all(mail.subject.startswith("[DRILL]") for mail in mails))
        self.assertEqual(set(recall.partner_line_ids.mapped("state")), {"notified"})

    # real recall ---------------------------------------------------------------
    def test_recall_holds_stock_blocks_a_pending_delivery_and_closes(self):
        # the rest of Alpha's order waits, reserved on the biscuit lots still in stock
        pending_delivery = self.delivery_alpha.backorder_ids
        self.assertTrue(pending_delivery.move_line_ids.lot_id)
        recall = self._recall(self.flour_2)
        recall.action_hold_stock()
        held = recall.hold_ids.lot_id
        self.assertEqual(held, self.flour_2 | self.biscuit_1 | self.biscuit_2 | self.box_2)
        self.assertEqual(set(recall.hold_ids.mapped("reason")), {"recall"})
        self.assertEqual(recall.state, "in_progress")
        pending_delivery.move_ids.picked = True
        with self.assertRaisesRegex(UserError, "on quality hold"):
            pending_delivery.button_validate()

        recall.action_notify_customers()
        mails = self._mails(recall)
        self.assertEqual(
            set(mails.mapped("email_to")),
            {
                "qa@alpha.example.com",
                "qa@beta.example.com",
                "qa@gamma.example.com",
                "qa@delta.example.com",
            },
        )
        self.assertIn("BISCUIT-1", mails.filtered(lambda m: "alpha" in m.email_to).body_html)
        with self.assertRaisesRegex(UserError, "Beta Market"):
            recall.action_close()

        alpha, beta, gamma, delta = (
            recall.partner_line_ids.filtered(lambda line, p=partner: line.partner_id == p)
            for partner in (self.alpha, self.beta, self.gamma, self.delta)
        )
        action = delta.action_create_return()
        returns = self.env["stock.picking"].search(action["domain"])
        self.assertEqual(returns.recall_partner_id, delta)
        for picking in returns:
            self.flow._validate_picking(picking)
        self.assertEqual(delta.returned_qty, 2.0)
        self.assertEqual(delta.state, "returned")
        alpha.action_acknowledge()
        alpha.action_record_accounted({self.biscuit: 4.0})
        beta.action_acknowledge()
        beta.action_record_accounted({self.biscuit: 2.0})
        gamma.action_waive("Customer went out of business; stock destroyed by receiver")
        recall.action_close()
        self.assertEqual(recall.state, "closed")
        # per product, never added up: boxes 2 of 2 back (Delta); biscuits 4 (Alpha) + 2
        # (Beta) of 12 shipped net; the recall is as effective as its lowest product
        boxes, biscuits = (
            recall.product_line_ids.filtered(lambda line, p=product: line.product_id == p)
            for product in (self.box, self.biscuit)
        )
        self.assertEqual((boxes.shipped_qty, boxes.recovered_qty, boxes.effectiveness), (2, 2, 100))
        self.assertEqual((biscuits.shipped_qty, biscuits.recovered_qty), (12.0, 6.0))
        self.assertEqual(recall.effectiveness_product_id, self.biscuit)
        self.assertEqual(recall.shipped_qty, 12.0)
        self.assertAlmostEqual(recall.effectiveness, 50.0, places=1)
        self.assertGreaterEqual(recall.hours_to_close, 0.0)
        with self.assertRaisesRegex(UserError, "closed"):
            recall.action_close()
        with self.assertRaisesRegex(UserError, "closed"):
            recall.action_compute_scope()
        with self.assertRaisesRegex(UserError, "closed"):
            recall.action_hold_stock()
        with self.assertRaises(UserError):
            recall.unlink()

    def test_cancel_needs_a_reason_and_recompute_keeps_notifications(self):
        recall = self._recall(self.flour_2)
        recall.action_notify_customers()
        recall.action_compute_scope()
        self.assertEqual(set(recall.partner_line_ids.mapped("state")), {"notified"})
        self.assertEqual(len(recall.partner_line_ids), 4)
        with self.assertRaisesRegex(UserError, "reason"):
            recall.action_cancel(" ")
        wizard = (
            self.env["stock.recall.cancel.wizard"]
            .with_user(self.manager)
            .create({"recall_id": recall.id, "reason": "Lab confirmed a false positive"})
        )
        wizard.action_confirm()
        self.assertEqual(recall.state, "cancelled")
        with self.assertRaisesRegex(UserError, "cancelled"):
            recall.action_compute_scope()

    # exports -------------------------------------------------------------------
    def test_xlsx_export_has_every_sheet_with_headers_and_rows(self):
        recall = self._recall(self.flour_2)
        action = recall.action_export_xlsx()
        self.assertIn(f"/web/content/{recall.xlsx_attachment_id.id}", action["url"])
        workbook = openpyxl.load_workbook(io.BytesIO(recall.xlsx_attachment_id.raw))
        self.assertEqual(
            workbook.sheetnames,
            ["Summary", "Affected lots", "Deliveries", "Customers", "Mass balance", "FSMA 204"],
        )
        rows = {
            name: list(workbook[name].iter_rows(values_only=True)) for name in workbook.sheetnames
        }
        self.assertEqual(len(rows["Affected lots"]) - 1, 7)
        self.assertEqual(len(rows["Deliveries"]) - 1, 6)
        self.assertEqual(len(rows["Customers"]) - 1, 4)
        self.assertEqual(len(rows["Mass balance"]) - 1, 7)
        self.assertEqual(
            rows["FSMA 204"][0],
            (
                "Traceability Lot Code",
                "Product Description",
                "Quantity",
                "Unit of Measure",
                "Ship-To Location",
                "Ship-From Location",
                "Ship Date",
                "Traceability Lot Code Source",
                "Reference Document Type",
                "Reference Document Number",
            ),
        )
        self.assertEqual(len(rows["FSMA 204"]) - 1, 6)
        fsma = workbook["FSMA 204"]
        self.assertEqual(fsma.auto_filter.ref, "A1:J7")
        self.assertEqual(fsma.freeze_panes, "A2")
        self.assertIn(
            ("BISCUIT-1", "Butter Biscuits", 4, "Units"), [row[:4] for row in rows["FSMA 204"]]
        )

    def test_pdf_report_names_the_lots_and_customers(self):
        recall = self._recall(self.flour_2)
        recall.action_print_report()
        attachment = recall.pdf_attachment_id
        self.assertEqual(attachment.mimetype, "application/pdf")
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(attachment.raw)).pages)
        for expected in (
            "FLOUR-2",
            "BISCUIT-1",
            "BOX-2",
            "Alpha Stores",
            "Gamma Foods",
            "Delta Gifts",
            recall.name,
            "Mass balance",
        ):
            self.assertIn(expected, text)

    # starting a recall -----------------------------------------------------------
    def test_wizard_finds_lots_from_a_vendor_lot_number_or_a_supplier_notice(self):
        self.flour_2.ref = "MILL-778"
        wizard_model = self.env["stock.recall.wizard"].with_user(self.manager)
        wizard = wizard_model.create(
            {
                "origin": "vendor_lot",
                "product_id": self.flour.id,
                "vendor_lot": "mill-778",
                "reason": "Supplier notice",
            }
        )
        self.assertEqual(wizard.found_lot_ids, self.flour_2)
        notice = wizard_model.create(
            {
                "origin": "supplier_notice",
                "vendor_id": self.mill.id,
                "vendor_lot": "MILL-778",
                "reason": "Supplier notice",
            }
        )
        action = notice.action_create_recall()
        recall = self.env["stock.recall"].browse(action["res_id"])
        self.assertEqual(recall.lot_ids, self.flour_2)
        self.assertEqual(recall.state, "scoped")
        wrong_vendor = wizard_model.create(
            {
                "origin": "supplier_notice",
                "vendor_id": self.farm.id,
                "vendor_lot": "MILL-778",
                "reason": "Supplier notice",
            }
        )
        with self.assertRaisesRegex(UserError, "Farm Co.*MILL-778"):
            wrong_vendor.action_create_recall()

    def test_only_recall_managers_create_and_act(self):
        with self.assertRaises(AccessError):
            self.env["stock.recall"].with_user(self.quality).create(
                {"lot_ids": [Command.set(self.flour_2.ids)], "reason": "x"}
            )
        recall = self._recall(self.flour_2)
        self.assertEqual(recall.with_user(self.quality).affected_lot_count, 7)
        with self.assertRaises(UserError):
            recall.with_user(self.quality).action_hold_stock()
        stock_user = self._user("recall_stock_user", "stock.group_stock_user")
        with self.assertRaises(AccessError):
            recall.with_user(stock_user).read(["name"])

    def test_follow_up_reminds_the_responsible(self):
        recall = self._recall(self.flour_2)
        with freeze_time(fields.Datetime.now() - timedelta(days=5)):
            recall.action_notify_customers()
        recall.partner_line_ids.filtered(
            lambda line: line.partner_id == self.alpha
        ).action_acknowledge()
        self.env["stock.recall"]._cron_follow_up()
        activity = recall.activity_ids.filtered(lambda act: "follow-up" in act.summary)
        self.assertEqual(activity.user_id, self.manager)
        self.assertIn("Beta Market", activity.note)
        self.assertNotIn("Alpha Stores", activity.note)
        self.env["stock.recall"]._cron_follow_up()
        self.assertEqual(
            len(recall.activity_ids.filtered(lambda act: "follow-up" in act.summary)), 1
        )
