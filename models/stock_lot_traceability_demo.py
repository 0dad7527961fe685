import io
from datetime import timedelta

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from odoo import Command, api, fields, models

from . import evidence

# (days ago, vendor, [(product, lot, vendor lot, quantity)]), oldest first
_RECEIPTS = [
    (
        88,
        "mill",
        [("flour", "FL-24101", "BFM-5521-A", 500), ("flour", "FL-24102", "BFM-5521-B", 500)],
    ),
    (87, "sugar", [("sugar", "SU-8812", "NSR-77120", 300)]),
    (
        86,
        "dairy",
        [("milk_powder", "MP-3301", "VDI-1190", 100), ("milk_powder", "MP-3302", "VDI-1191", 100)],
    ),
    (85, "farm", [("eggs", "EG-0917", "ME-2207", 40), ("eggs", "EG-0918", "ME-2208", 40)]),
    (60, "farm", [("eggs", "EG-0931", "ME-2231", 30)]),
    (45, "mill", [("flour", "FL-24131", "BFM-5580-A", 500)]),
    (30, "farm", [("eggs", "EG-0950", "ME-2250", 12)]),
    (20, "mill", [("flour", "FL-24140", "BFM-5602-C", 400)]),
    (18, "farm", [("eggs", "EG-0963", "ME-2263", 30), ("eggs", "EG-0964", "ME-2264", 20)]),
    (2, "cocoa", [("cocoa", "CC-2611", "ICT-26-0114", 200)]),
]
# (days ago, product, lot, quantity, {component lot: quantity})
_PRODUCTIONS = [
    (83, "premix", "PMX-0001", 100, {"FL-24101": 60, "SU-8812": 25, "MP-3301": 15}),
    (82, "premix", "PMX-0002", 100, {"FL-24101": 30, "FL-24102": 30, "SU-8812": 25, "MP-3301": 15}),
    (81, "biscuit", "BSC-1001", 500, {"PMX-0001": 80, "EG-0917": 20}),
    (80, "biscuit", "BSC-1002", 500, {"PMX-0001": 20, "PMX-0002": 60, "EG-0917": 20}),
    (58, "premix", "PMX-0003", 100, {"FL-24102": 60, "SU-8812": 25, "MP-3302": 15}),
    (57, "biscuit", "BSC-1003", 500, {"PMX-0002": 40, "PMX-0003": 40, "EG-0931": 20}),
    (28, "premix", "PMX-0004", 100, {"FL-24131": 60, "SU-8812": 25, "MP-3302": 15}),
    (27, "biscuit", "BSC-1004", 300, {"PMX-0003": 48, "EG-0950": 12}),
    (10, "biscuit", "BSC-1005", 200, {"PMX-0004": 32, "EG-0963": 8}),
]
# (days ago, customer, {biscuit lot: quantity})
_DELIVERIES = [
    (78, "freshmart", {"BSC-1001": 300}),
    (77, "corner", {"BSC-1001": 120}),
    (76, "school", {"BSC-1002": 200}),
    (74, "cafe", {"BSC-1002": 60}),
    (72, "hospital", {"BSC-1002": 100}),
    (70, "export", {"BSC-1001": 30, "BSC-1002": 100}),
    (55, "hotel", {"BSC-1003": 150}),
    (54, "university", {"BSC-1003": 120}),
    (50, "freshmart", {"BSC-1003": 150}),
    (26, "airline", {"BSC-1004": 100}),
    (25, "deli", {"BSC-1004": 60}),
    (22, "routeshop", {"BSC-1004": 80}),
    (20, "bakery", {"BSC-1003": 50}),
    (8, "cafe", {"BSC-1005": 40}),
    (6, "freshmart", {"BSC-1005": 100}),
    (4, "corner", {"BSC-1005": 30}),
]
# flour moisture results (ISO 712, at most 15.5 %): days ago, lot, value
_MOISTURE = [
    (88, "FL-24101", 13.8),
    (88, "FL-24102", 14.1),
    (45, "FL-24131", 14.4),
    (19, "FL-24140", 16.4),
]

# (days ago, method of the event below)
_EVENTS = [
    (85, "_demo_lab_pending_eggs"),
    (83, "_demo_release_eggs"),
    (73, "_demo_customer_return"),
    (68, "_demo_recall"),
    (19, "_demo_failed_test"),
    (15, "_demo_stock_count"),
    (2, "_demo_drill"),
]


class StockLotTraceabilityDemo(models.AbstractModel):
    """The demo's story: ninety days of a biscuit factory, run through the real flows.

    Every step is a real Odoo or addon action (purchase receipts, manufacturing orders,
    deliveries, returns, test results, holds, recalls, the expiry control); right after it,
    its documents are dated on the story's day (``_date_*``), so that lots, links, holds
    and recall lines read like three months of work, not one install. Guarded evidence
    (links, holds, recall dates) is dated in system mode (models/evidence.py), the way the
    addon's own actions write it; no date needs SQL.
    """

    _name = "stock.lot.traceability.demo"
    _description = "Lot Traceability Demo Story"

    @api.model
    def _create_demo_data(self):
        now = fields.Datetime.now().replace(minute=0, second=0, microsecond=0)
        story = self.with_context(tracking_disable=True, mail_notrack=True, slt_demo_now=now)
        return story._run_story()

    @api.model
    def _run_story(self):
        self._create_quarantine()
        deliveries = {}
        steps = [(days, "receipt", step) for days, *step in _RECEIPTS]
        steps += [(days, "production", step) for days, *step in _PRODUCTIONS]
        steps += [(days, "delivery", step) for days, *step in _DELIVERIES]
        steps += [(days, "event", name) for days, name in _EVENTS]
        # oldest first; on one day: receipts, then production, deliveries, events
        order = {"receipt": 0, "production": 1, "delivery": 2, "event": 3}
        for days, kind, step in sorted(steps, key=lambda s: (-s[0], order[s[1]])):
            when = self._at(days)
            if kind == "receipt":
                self._demo_receipt(when, *step)
            elif kind == "production":
                self._demo_production(when, *step)
            elif kind == "delivery":
                deliveries[(days, step[0])] = self._demo_delivery(when, *step)
            else:
                getattr(self, step)(when, deliveries)
        self._date_expiry()
        self._demo_expiry_control()
        return True

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _now(self):
        return self.env.context["slt_demo_now"]

    def _at(self, days, hour=10):
        return self._now().replace(hour=hour) - timedelta(days=days)

    def _ref(self, name):
        return self.env.ref(f"stock_lot_traceability.{name}_demo")

    def _company_domain(self):
        # received lots of products shared by all companies have no company (Odoo's rule)
        return [("company_id", "in", [self.env.company.id, False])]

    def _lot(self, name):
        return self.env["stock.lot"].search([("name", "=", name), *self._company_domain()], limit=1)

    def _create_quarantine(self):
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        location = self.env["stock.location"].create(
            {
                "name": "Quarantine",
                "location_id": warehouse.view_location_id.id,
                "is_quarantine": True,
            }
        )
        # an XML id, so that the uninstall knows it for the demo's (hooks.py)
        self.env["ir.model.data"]._update_xmlids(
            [
                {
                    "xml_id": "stock_lot_traceability.stock_location_quarantine_demo",
                    "record": location,
                    "noupdate": True,
                }
            ]
        )

    def _opened_on(self, when):
        """Creation date of a record opened on the story's day. Odoo takes a given
        ``create_date`` only while the registry loads, as during the install that loads
        this demo; run later, the record is dated today."""
        return {"create_date": when}

    def _date_picking(self, picking, when):
        """A done transfer on the story's day (its moves, lines and order too)."""
        picking.move_ids.write({"date": when})
        picking.move_line_ids.write({"date": when})
        picking.date_done = when
        if picking.purchase_id:
            order_date = when - timedelta(days=7)
            picking.purchase_id.write({"date_order": order_date, "date_approve": order_date})
        if picking.sale_id:
            picking.sale_id.date_order = when - timedelta(days=2)

    def _story_lots(self):
        names = [lot for _days, _vendor, lines in _RECEIPTS for _p, lot, _v, _q in lines]
        names += [lot for _days, _product, lot, _qty, _consumed in _PRODUCTIONS]
        return self.env["stock.lot"].search([("name", "in", names), *self._company_domain()])

    def _date_expiry(self):
        """Expiry dates from each lot's production date, written once the flows are done
        (lots already past their date would make every later validation ask about it)."""
        for lot in self._story_lots().filtered("product_id.use_expiration_date"):
            product = lot.product_id.product_tmpl_id
            made = fields.Datetime.to_datetime(lot.production_date).replace(hour=10)
            expiry = made + timedelta(days=product.expiration_time)
            alert_days = product.alert_time or self.env.company.lot_expiry_alert_days
            # product_expiry moves the other dates by the change only in a form (onchange):
            # written with the expiration date, from the product's lead times
            lot.write(
                {
                    "expiration_date": expiry,
                    "use_date": expiry - timedelta(days=product.use_time),
                    "removal_date": expiry - timedelta(days=product.removal_time),
                    "alert_date": expiry - timedelta(days=alert_days),
                }
            )

    def _supplier_coa(self, lot, vendor):
        """The vendor's certificate of analysis, filed on the lot as a lot document."""
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pagesize=A4)
        pdf.setTitle(f"Certificate of Analysis {lot.vendor_lot_name}")
        lines = [
            f"{vendor.name} - Certificate of Analysis",
            f"Product: {lot.product_id.name}",
            f"Batch: {lot.vendor_lot_name}",
            f"Production date: {lot.production_date}",
            "Result: conforms to specification.",
        ]
        for index, text in enumerate(lines):
            pdf.drawString(72, 770 - 20 * index, text)
        pdf.save()
        self.env["ir.attachment"].create(
            {
                "name": f"Supplier CoA {lot.vendor_lot_name}.pdf",
                "raw": buffer.getvalue(),
                "mimetype": "application/pdf",
                "res_model": "stock.lot",
                "res_id": lot.id,
                "lot_document_type": "supplier_coa",
            }
        )

    # ------------------------------------------------------------------
    # Flows
    # ------------------------------------------------------------------
    def _demo_receipt(self, when, vendor_key, lines):
        """A purchase received with the vendor's lot numbers, each with its supplier CoA."""
        flow = self.env["stock.lot.traceability.flow"]
        vendor = self._ref(f"res_partner_{vendor_key}")
        products = [self._ref(f"product_{product}") for product, *_rest in lines]
        order = self.env["purchase.order"].create(
            {
                "partner_id": vendor.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_qty": quantity,
                            "price_unit": product.standard_price or 1.0,
                        }
                    )
                    for product, (_key, _lot, _vendor_lot, quantity) in zip(
                        products, lines, strict=True
                    )
                ],
            }
        )
        order.button_confirm()
        receipt = order.picking_ids
        for move, (_key, lot_name, vendor_lot, quantity) in zip(
            receipt.move_ids.sorted("id"), lines, strict=True
        ):
            flow._pick(move, [({"lot_name": lot_name, "vendor_lot_name": vendor_lot}, quantity)])
        flow._validate_picking(receipt)
        self._date_picking(receipt, when)
        for lot in receipt.move_line_ids.lot_id:
            lot.production_date = (when - timedelta(days=1)).date()
            lot.origin_country_id = vendor.country_id
            self._supplier_coa(lot, vendor)
        # a hold placed on receipt (incoming inspection) dates from the receipt
        holds = receipt.move_line_ids.lot_id.active_hold_ids
        evidence.system(holds).write({"placed_at": when})
        return receipt

    def _demo_production(self, when, product_key, lot_name, quantity, consumed):
        flow = self.env["stock.lot.traceability.flow"]
        production = flow._produce_lot(
            self._ref(f"product_{product_key}"),
            quantity,
            lot_name,
            {self._lot(name): qty for name, qty in consumed.items()},
        )
        production.with_context(force_date=True).write(
            {"date_start": when - timedelta(hours=3), "date_finished": when}
        )
        moves = production.move_raw_ids | production.move_finished_ids
        moves.move_line_ids.write({"date": when})
        links = self.env["stock.lot.link"].search([("production_id", "=", production.id)])
        evidence.system(links).write({"date": when})
        production.lot_producing_id.production_date = when.date()
        return production

    def _demo_delivery(self, when, customer_key, quantities):
        biscuit = self._ref("product_biscuit")
        delivery = self.env["stock.lot.traceability.flow"]._deliver_lots(
            self._ref(f"res_partner_customer_{customer_key}"),
            [(biscuit, self._lot(name), qty) for name, qty in quantities.items()],
        )
        self._date_picking(delivery, when)
        return delivery

    # ------------------------------------------------------------------
    # Events
    # ------------------------------------------------------------------
    def _demo_lab_pending_eggs(self, when, deliveries):
        hold = self._lot("EG-0918")._place_hold(
            "lab_pending", "Salmonella screen sent to the lab, results expected in 48 h."
        )
        evidence.system(hold).write({"placed_at": when})

    def _demo_release_eggs(self, when, deliveries):
        hold = self._lot("EG-0918").active_hold_ids
        hold.action_release("Lab report LR-2207: Salmonella absent in 25 g.")
        evidence.system(hold).write({"released_at": when})

    def _demo_customer_return(self, when, deliveries):
        """City Schools send back 20 biscuits of BSC-1002 (damaged cartons)."""
        returned = self.env["stock.lot.traceability.flow"]._return_delivery(
            deliveries[(76, "school")], {self._lot("BSC-1002"): 20}
        )
        self._date_picking(returned, when)

    def _demo_failed_test(self, when, deliveries):
        """Flour moisture results; FL-24140 fails, and the rule holds it."""
        spec = self._ref("product_quality_spec_flour_moisture")
        self.env["stock.lot.test.result"].create(
            [
                {
                    "lot_id": self._lot(name).id,
                    "spec_id": spec.id,
                    "value": value,
                    "date": self._at(days, hour=15),
                    "reference": f"LAB-{name}",
                }
                for days, name, value in _MOISTURE
            ]
        )
        holds = self._lot("FL-24140").active_hold_ids.filtered(
            lambda hold: hold.reason == "failed_test"
        )
        evidence.system(holds).write({"placed_at": self._at(19, hour=15)})

    def _demo_stock_count(self, when, deliveries):
        """The monthly count finds a torn bag of sugar: 4 kg written off as damaged."""
        lot = self._lot("SU-8812")
        quant = self.env["stock.quant"].search(
            [("lot_id", "=", lot.id), ("location_id.usage", "=", "internal"), ("quantity", ">", 0)],
            limit=1,
        )
        quant.with_context(inventory_mode=True).write(
            {
                "inventory_quantity": quant.quantity - 4,
                "adjustment_reason_id": self.env.ref(
                    "stock_lot_traceability.adjustment_reason_damage"
                ).id,
            }
        )
        quant.action_apply_inventory()
        lines = self.env["stock.move.line"].search(
            [("lot_id", "=", lot.id), ("move_id.is_inventory", "=", True)]
        )
        lines.move_id.write({"date": when})
        lines.write({"date": when})

    def _demo_recall(self, when, deliveries):
        """A hospital finds plastic in biscuits of BSC-1002: recall, returns, closed."""
        recall = self.env["stock.recall"].create(
            {
                **self._opened_on(when),
                "lot_ids": [Command.set(self._lot("BSC-1002").ids)],
                "classification": "class_2",
                "reason": "Customer complaint: fragments of a blue plastic scraper found in "
                "Butter Biscuits lot BSC-1002 (Saint-Louis Hospital Kitchens).",
            }
        )
        recall.action_compute_scope()
        recall.action_hold_stock()
        recall.action_notify_customers()
        system = evidence.system(recall)
        system.write({"scope_started_at": when, "scoped_at": when})
        system.scope_id.computed_at = when
        evidence.system(recall.hold_ids).write({"placed_at": when})
        lines = recall.partner_line_ids
        evidence.system(lines).write({"notified_at": when})
        returned_by = self._ref("res_partner_customer_hospital") | self._ref(
            "res_partner_customer_cafe"
        )
        for line in lines:
            if line.partner_id in returned_by:
                action = line.action_create_return()
                for picking in self.env["stock.picking"].search(action["domain"]):
                    self.env["stock.lot.traceability.flow"]._validate_picking(picking)
                    self._date_picking(picking, when + timedelta(days=3))
                evidence.system(line).write({"returned_at": when + timedelta(days=3)})
            else:
                line.action_acknowledge()
                evidence.system(line).write({"acknowledged_at": when + timedelta(days=1)})
        recall.action_close()
        system.closed_at = when + timedelta(days=6)

    def _demo_drill(self, when, deliveries):
        """The quarterly mock recall, still open: scoped, stock to hold reported."""
        drill = self.env["stock.recall"].create(
            {
                **self._opened_on(when),
                "lot_ids": [Command.set(self._lot("FL-24102").ids)],
                "is_drill": True,
                "classification": "class_2",
                "reason": "Quarterly mock recall (BRCGS 3.11.3): trace flour lot FL-24102 "
                "forward to customers and back to the mill.",
            }
        )
        drill.action_compute_scope()
        drill.action_hold_stock()
        evidence.system(drill).write({"scope_started_at": when, "scoped_at": when})
        evidence.system(drill.scope_id).computed_at = when

    def _demo_expiry_control(self):
        """Today's run of the daily expiry control: expired lots with stock are held."""
        self.env["stock.lot"]._cron_expiry_control()
        holds = self.env["stock.lot.hold"].search(
            [("reason", "=", "expired"), ("lot_id", "in", self._story_lots().ids)]
        )
        for hold in holds:
            expired = hold.lot_id.expiration_date + timedelta(days=1)
            evidence.system(hold).write({"placed_at": min(expired, self._now())})
