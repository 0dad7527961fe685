from odoo import api, fields, models


class StockLotSupplierLine(models.TransientModel):
    """One supplier receipt of a traced lot: where a backward trace ends (vendor,
    purchase order, receipt)."""

    _name = "stock.lot.supplier.line"
    _inherit = ["stock.lot.check.mixin"]
    _description = "Lot Supplier Receipt"
    _order = "partner_id, date desc, id"

    trace_id = fields.Many2one(
        "stock.lot.document.trace",
        string="Document Trace",
        readonly=True,
        ondelete="cascade",
        help="The trace of a document this line belongs to.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Vendor",
        readonly=True,
        help="The vendor (commercial entity) the lot was received from.",
    )
    lot_id = fields.Many2one("stock.lot", required=True, readonly=True, help="The lot received.")
    product_id = fields.Many2one("product.product", readonly=True, help="The product received.")
    quantity = fields.Float(
        string="Received",
        digits="Product Unit of Measure",
        readonly=True,
        help="Quantity of the lot received on this receipt, in the product's unit.",
    )
    product_uom_id = fields.Many2one(
        "uom.uom", string="Unit", readonly=True, help="The product's unit of measure."
    )
    date = fields.Datetime(readonly=True, help="When the receipt was validated.")
    picking_id = fields.Many2one(
        "stock.picking", string="Receipt", readonly=True, help="The receipt."
    )
    purchase_id = fields.Many2one(
        "purchase.order",
        string="Purchase Order",
        readonly=True,
        help="The purchase order received.",
    )
    company_id = fields.Many2one(
        "res.company", readonly=True, help="The company that received the lot."
    )

    @api.model
    def _values_for_lots(self, lots):
        """One value dict per receipt of ``lots`` (a receipt and a lot), from the lots'
        supplier receipt lines (``stock.lot._trace_receipts``, one query)."""
        merged = {}
        for line in lots._trace_receipts():
            move = line.move_id
            order = move.purchase_line_id.order_id
            vendor = order.partner_id or line.picking_id.partner_id or move.partner_id
            key = (line.picking_id.id or f"move-{move.id}", line.lot_id.id)
            row = merged.setdefault(
                key,
                {
                    "partner_id": vendor.commercial_partner_id.id,
                    "lot_id": line.lot_id.id,
                    "product_id": line.product_id.id,
                    "product_uom_id": line.product_id.uom_id.id,
                    "picking_id": line.picking_id.id,
                    "purchase_id": order.id,
                    "company_id": line.company_id.id,
                    "date": line.date,
                    "quantity": 0.0,
                },
            )
            row["quantity"] += line.quantity_product_uom
            row["date"] = max(row["date"], line.date)
        return list(merged.values())

    @api.model
    def _create_for_lots(self, lots, **extra):
        """The supplier lines of ``lots`` (already traced: no genealogy walk here)."""
        return self.create([{**vals, **extra} for vals in self._values_for_lots(lots)])
