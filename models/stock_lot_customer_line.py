from odoo import _, api, fields, models


class StockLotCustomerLine(models.TransientModel):
    """One customer delivery of a traced lot, with what came back: the *Customers* screen.

    Transient like the trace lines: a snapshot computed on demand, to group by customer,
    total and export.
    """

    _name = "stock.lot.customer.line"
    _inherit = ["stock.lot.check.mixin"]
    _description = "Lot Customer Delivery"
    _order = "partner_id, date desc, id"

    origin_lot_id = fields.Many2one(
        "stock.lot", string="Traced Lot", readonly=True, help="The lot the trace started from."
    )
    trace_id = fields.Many2one(
        "stock.lot.document.trace",
        string="Document Trace",
        readonly=True,
        ondelete="cascade",
        help="The trace of a document this line belongs to.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        readonly=True,
        help="The customer (commercial entity) the lot was delivered to.",
    )
    lot_id = fields.Many2one("stock.lot", required=True, readonly=True, help="The lot delivered.")
    product_id = fields.Many2one("product.product", readonly=True, help="The product delivered.")
    quantity = fields.Float(
        string="Delivered",
        digits="Product Unit of Measure",
        readonly=True,
        help="Quantity of the lot shipped on this delivery, in the product's unit.",
    )
    product_uom_id = fields.Many2one(
        "uom.uom", string="Unit", readonly=True, help="The product's unit of measure."
    )
    returned_qty = fields.Float(
        string="Returned",
        digits="Product Unit of Measure",
        readonly=True,
        help="Quantity of the lot the customer sent back from this delivery.",
    )
    net_qty = fields.Float(
        string="Net",
        digits="Product Unit of Measure",
        readonly=True,
        help="Delivered minus returned: what the customer still has or used.",
    )
    date = fields.Datetime(readonly=True, help="When the delivery was validated.")
    picking_id = fields.Many2one(
        "stock.picking", string="Delivery", readonly=True, help="The delivery order."
    )
    sale_id = fields.Many2one(
        "sale.order", string="Sales Order", readonly=True, help="The sales order shipped."
    )
    company_id = fields.Many2one(
        "res.company", readonly=True, help="The company that shipped the lot."
    )

    @api.model
    def _values_for_lots(self, lots):
        """One value dict per customer delivery of ``lots`` (a delivery and a lot), returns
        netted. Deliveries in one query (``stock.lot._trace_deliveries``), returns in one
        more, allocated as a recall does (``stock.recall.delivery._returned_quantities``):
        to the delivery returned first, then to the customer's newest deliveries of the lot.
        """
        move_lines = lots._trace_deliveries()
        deliveries = [
            {
                "partner_id": (
                    line.picking_id.partner_id or line.move_id.partner_id
                ).commercial_partner_id.id,
                "move_line_id": line.id,
                "move_id": line.move_id.id,
                "lot_id": line.lot_id.id,
                "product_id": line.product_id.id,
                "quantity": line.quantity_product_uom,
                "date_done": line.date,
            }
            for line in move_lines
        ]
        # returns are allocated like a recall's deliveries: one rule for both screens
        returned = self.env["stock.recall.delivery"]._returned_quantities(deliveries, lots)
        merged = {}
        for line, vals in zip(move_lines, deliveries, strict=True):
            key = (line.picking_id.id or f"move-{line.move_id.id}", line.lot_id.id)
            row = merged.setdefault(
                key,
                {
                    "partner_id": vals["partner_id"] or False,
                    "lot_id": line.lot_id.id,
                    "product_id": line.product_id.id,
                    "product_uom_id": line.product_id.uom_id.id,
                    "picking_id": line.picking_id.id,
                    "sale_id": line.move_id.sale_line_id.order_id.id,
                    "company_id": line.company_id.id,
                    "date": line.date,
                    "quantity": 0.0,
                    "returned_qty": 0.0,
                },
            )
            row["quantity"] += vals["quantity"]
            row["returned_qty"] += returned.get(line.id, 0.0)
            row["date"] = max(row["date"], line.date)
        for row in merged.values():
            row["net_qty"] = max(row["quantity"] - row["returned_qty"], 0.0)
        return list(merged.values())

    @api.model
    def _create_for_lots(self, lots, **extra):
        """The customer lines of ``lots`` (already traced: no genealogy walk here)."""
        return self.create([{**vals, **extra} for vals in self._values_for_lots(lots)])

    def action_export_xlsx(self):
        """The lines selected (else those of the list's filters) as an XLSX download,
        through the addon's workbook writer."""
        lines = self or self.search(self.env.context.get("active_domain") or [])
        xlsx = self.env["stock.recall.xlsx"]
        content = xlsx._table_workbook(_("Customers"), self._export_headers(), lines._export_rows())
        origin = lines.origin_lot_id[:1].name or lines.trace_id[:1].name or ""
        return xlsx._download(_("Customers %s.xlsx", origin).replace("/", "-"), content)

    @api.model
    def _export_headers(self):
        return [
            _("Customer"),
            _("Product"),
            _("Lot"),
            _("Delivered"),
            _("Unit"),
            _("Date"),
            _("Delivery"),
            _("Sales Order"),
            _("Returned"),
            _("Net"),
        ]

    def _export_rows(self):
        for line in self:
            yield [
                line.partner_id.display_name or "",
                line.product_id.display_name or "",
                line.lot_id.name,
                line.quantity,
                line.product_uom_id.name or "",
                line.date,
                line.picking_id.name or "",
                line.sale_id.name or "",
                line.returned_qty,
                line.net_qty,
            ]
