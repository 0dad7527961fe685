from datetime import timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.tests import tagged

from .common import TraceabilityCase


@tagged("post_install", "-at_install")
class TestTimeline(TraceabilityCase):
    """A flour lot's whole life, a day per step: bought, held, released, used in a
    premix, sold, partly returned, partly scrapped, moved to a shelf, drilled."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.quality = cls._user("timeline_quality", "stock_lot_traceability.group_quality_manager")
        cls.manager = cls._user("timeline_recall", "stock_lot_traceability.group_recall_manager")
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.stock = cls.warehouse.lot_stock_id
        cls.shelf = cls.env["stock.location"].create(
            {"name": "Shelf A", "location_id": cls.stock.id}
        )
        cls.start = fields.Datetime.now().replace(microsecond=0) - timedelta(days=20)
        cls._live_a_full_life()

    @classmethod
    def _on_day(cls, day):
        return freeze_time(cls.start + timedelta(days=day, hours=9))

    @classmethod
    def _live_a_full_life(cls):
        flow = cls.flow
        with cls._on_day(0):
            cls.receipt = flow._receive_lots(cls.mill, [(cls.flour, "FLOUR-T", 50)])
        cls.flour_t = cls._lot("FLOUR-T")
        with cls._on_day(1):
            cls.hold = cls.flour_t.with_user(cls.quality)._place_hold(
                "lab_pending", "Mycotoxin screen sent"
            )
        with cls._on_day(2):
            cls.hold.with_user(cls.quality).action_release("Mycotoxins below limit")
        with cls._on_day(3):
            cls.mo = flow._produce_lot(cls.premix, 5, "PREMIX-T", {cls.flour_t: 10, cls.sugar_1: 5})
        cls.premix_t = cls._lot("PREMIX-T")
        with cls._on_day(4):
            cls.delivery = flow._deliver_lots(cls.alpha, [(cls.flour, cls.flour_t, 5)])
        with cls._on_day(5):
            cls.customer_return = flow._return_delivery(cls.delivery, {cls.flour_t: 2})
        with cls._on_day(6):
            cls.scrap = cls.env["stock.scrap"].create(
                {
                    "product_id": cls.flour.id,
                    "lot_id": cls.flour_t.id,
                    "scrap_qty": 1,
                    "location_id": cls.stock.id,
                }
            )
            cls.scrap.action_validate()
        with cls._on_day(7):
            cls.shelving = cls.env["stock.picking"].create(
                {
                    "picking_type_id": cls.warehouse.int_type_id.id,
                    "location_id": cls.stock.id,
                    "location_dest_id": cls.shelf.id,
                    "move_ids": [
                        Command.create(
                            {
                                "name": "FLOUR-T to shelf",
                                "product_id": cls.flour.id,
                                "product_uom_qty": 10,
                                "product_uom": cls.flour.uom_id.id,
                                "location_id": cls.stock.id,
                                "location_dest_id": cls.shelf.id,
                            }
                        )
                    ],
                }
            )
            cls.shelving.action_confirm()
            flow._pick_lots(cls.shelving.move_ids, [(cls.flour_t, 10)])
            flow._validate_picking(cls.shelving)
        with cls._on_day(8):
            cls.drill = (
                cls.env["stock.recall"]
                .with_user(cls.manager)
                .create(
                    {
                        "lot_ids": [Command.set(cls.flour_t.ids)],
                        "is_drill": True,
                        "reason": "Quarterly mock recall",
                        "classification": "class_2",
                    }
                )
            )
            cls.drill.action_compute_scope()

    def _events(self, lot, kind):
        return [event for event in lot._timeline() if event["kind"] == kind]

    def test_full_life_in_order(self):
        timeline = self.flour_t._timeline()
        self.assertEqual(
            [event["kind"] for event in timeline],
            [
                "receipt",
                "hold_placed",
                "hold_released",
                "consumption",
                "delivery",
                "return",
                "scrap",
                "internal",
                "recall_drill",
            ],
        )
        dates = [event["date"] for event in timeline]
        self.assertEqual(dates, sorted(dates))
        self.assertEqual(dates[0], self.start + timedelta(hours=9))
        self.assertEqual(dates[-1], self.start + timedelta(days=8, hours=9))

    def test_events_name_documents_partners_quantities_locations(self):
        receipt, placed, released, consumed, delivered, returned, scrapped, shelved, drill = (
            self.flour_t._timeline()
        )
        order = self.receipt.move_ids.purchase_line_id.order_id
        self.assertEqual(
            (receipt["res_model"], receipt["res_id"], receipt["document"]),
            ("stock.picking", self.receipt.id, self.receipt.name),
        )
        self.assertEqual((receipt["order_model"], receipt["order"]), ("purchase.order", order.name))
        self.assertEqual((receipt["partner"], receipt["quantity"]), ("Mill Co", 50))
        self.assertEqual(receipt["location_id"], self.stock.id)
        self.assertEqual(receipt["uom"], self.flour.uom_id.name)
        self.assertEqual(receipt["user_id"], self.env.user.id)

        self.assertEqual((placed["res_model"], placed["res_id"]), ("stock.lot.hold", self.hold.id))
        self.assertEqual(placed["user_id"], self.quality.id)
        self.assertIn("Mycotoxin screen sent", placed["description"])
        self.assertEqual(released["user_id"], self.quality.id)
        self.assertEqual(released["description"], "Mycotoxins below limit")

        self.assertEqual(
            (consumed["res_model"], consumed["res_id"], consumed["quantity"]),
            ("mrp.production", self.mo.id, 10),
        )
        sale = self.delivery.sale_id
        self.assertEqual(
            (delivered["document"], delivered["order"], delivered["partner"]),
            (self.delivery.name, sale.name, "Alpha Stores"),
        )
        self.assertEqual((delivered["quantity"], delivered["location_id"]), (5, self.stock.id))
        self.assertEqual(
            (returned["res_id"], returned["quantity"], returned["partner"]),
            (self.customer_return.id, 2, "Alpha Stores"),
        )
        self.assertEqual(
            (scrapped["res_model"], scrapped["res_id"], scrapped["quantity"]),
            ("stock.scrap", self.scrap.id, 1),
        )
        self.assertEqual(
            (shelved["location_id"], shelved["location_dest_id"], shelved["quantity"]),
            (self.stock.id, self.shelf.id, 10),
        )
        self.assertEqual((drill["res_model"], drill["res_id"]), ("stock.recall", self.drill.id))

    def test_a_test_result_is_an_event_of_its_lot(self):
        moisture = self.env["product.quality.spec"].create(
            {
                "product_tmpl_id": self.flour.product_tmpl_id.id,
                "name": "Moisture",
                "unit": "%",
                "value_type": "numeric",
                "min_value": 0.0,
                "max_value": 14.0,
                "required": True,
            }
        )
        result = (
            self.env["stock.lot.test.result"]
            .with_user(self.quality)
            .create(
                {
                    "lot_id": self.flour_t.id,
                    "spec_id": moisture.id,
                    "value": "15.2",
                    "date": self.start + timedelta(days=1, hours=12),
                }
            )
        )
        events = self.flour_t._timeline()
        kinds = [event["kind"] for event in events]
        # recorded on day 1, after the hold was placed that morning and before its release
        self.assertEqual(kinds[:4], ["receipt", "hold_placed", "test_result", "hold_released"])
        event = events[2]
        self.assertEqual((event["res_model"], event["res_id"]), (result._name, result.id))
        self.assertEqual(event["user_id"], self.quality.id)
        self.assertIn("Moisture", event["description"])
        self.assertIn("failed", event["description"])

    def test_production_starts_the_premix_timeline(self):
        timeline = self.premix_t._timeline()
        self.assertEqual(timeline[0]["kind"], "production")
        self.assertEqual(
            (timeline[0]["res_model"], timeline[0]["res_id"], timeline[0]["quantity"]),
            ("mrp.production", self.mo.id, 5),
        )
        # the drill traced the flour forward into the premix
        self.assertEqual(timeline[-1]["kind"], "recall_drill")

    def test_timeline_button_lists_clickable_events(self):
        action = self.flour_t.action_view_timeline()
        events = self.env["stock.lot.timeline"].search(action["domain"])
        self.assertEqual(len(events), 9)
        self.assertEqual(events[0].kind, "receipt")
        opened = events[0].action_open_document()
        self.assertEqual(
            (opened["res_model"], opened["res_id"]), ("stock.picking", self.receipt.id)
        )
        opened = events[0].action_open_order()
        self.assertEqual(opened["res_model"], "purchase.order")
        self.assertEqual(events[3].action_open_document()["res_id"], self.mo.id)

    # ------------------------------------------------------------------
    # Search by history
    # ------------------------------------------------------------------
    def _search(self, domain):
        return set(self.env["stock.lot"].search(domain).mapped("name"))

    def test_search_by_purchase_order_receipt_and_vendor(self):
        order = self.receipt.move_ids.purchase_line_id.order_id
        self.assertEqual(
            self._search([("purchase_order_search", "ilike", order.name)]), {"FLOUR-T"}
        )
        self.assertEqual(
            self._search([("receipt_search", "ilike", self.receipt.name)]), {"FLOUR-T"}
        )
        self.assertEqual(
            self._search([("vendor_search_id", "=", self.mill.id)]),
            {"FLOUR-1", "FLOUR-2", "FLOUR-T"},
        )
        self.assertEqual(
            self._search(
                [("vendor_search_id", "ilike", "Farm"), ("product_id", "=", self.eggs.id)]
            ),
            {"EGGS-1"},
        )

    def test_search_by_sales_order_and_customer(self):
        sale = self.delivery_alpha.sale_id
        self.assertEqual(self._search([("sale_order_search", "ilike", sale.name)]), {"BISCUIT-1"})
        self.assertEqual(
            self._search([("customer_search_id", "=", self.alpha.id)]), {"BISCUIT-1", "FLOUR-T"}
        )
        self.assertEqual(self._search([("customer_search_id", "=", self.gamma.id)]), {"BISCUIT-2"})
        not_to_gamma = self._search(
            [("customer_search_id", "!=", self.gamma.id), ("product_id", "=", self.biscuit.id)]
        )
        self.assertEqual(not_to_gamma, {"BISCUIT-1"})

    def test_search_by_date_range_and_product(self):
        day_4 = self.start + timedelta(days=4)
        lots = self._search(
            [
                ("customer_search_id", "ilike", "Alpha"),
                ("delivery_date_search", ">=", day_4),
                ("delivery_date_search", "<", day_4 + timedelta(days=1)),
            ]
        )
        self.assertEqual(lots, {"FLOUR-T"})
        self.assertEqual(
            self._search(
                [
                    ("product_id", "=", self.flour.id),
                    ("receipt_date_search", "<", self.start + timedelta(days=1)),
                ]
            ),
            {"FLOUR-T"},
        )
        self.assertFalse(
            # this factory's lots (the demo data delivered others, weeks ago)
            self._search(
                [
                    ("delivery_date_search", "<", self.start),
                    ("product_id", "in", (self.flour | self.biscuit_premix).ids),
                ]
            ),
            "nothing was delivered before the flour lot was bought",
        )
