from odoo import api, fields, models


class StockGs1CaptureLine(models.TransientModel):
    """One scanned label: what it says is read again from the scan itself (never taken
    from the screen), and whether it fits a line of the receipt."""

    _name = "stock.gs1.capture.line"
    _description = "Scanned GS1 Label"

    wizard_id = fields.Many2one(
        "stock.gs1.capture", required=True, ondelete="cascade", help="The capture of a receipt."
    )
    raw = fields.Char(string="Scan", required=True, help="The label as scanned or pasted.")
    product_id = fields.Many2one(
        "product.product", compute="_compute_parsed", help="The product of the GTIN."
    )
    gtin = fields.Char(string="GTIN", compute="_compute_parsed", help="AI (01) or (02).")
    lot_name = fields.Char(
        string="Vendor Lot", compute="_compute_parsed", help="The vendor's lot, AI (10)."
    )
    serial = fields.Char(compute="_compute_parsed", help="The serial number, AI (21).")
    production_date = fields.Date(
        compute="_compute_parsed", help="Production or packaging date, AI (11) or (13)."
    )
    expiration_date = fields.Date(
        compute="_compute_parsed", help="Expiry or best before date, AI (17) or (15)."
    )
    quantity = fields.Float(
        compute="_compute_parsed",
        digits="Product Unit of Measure",
        help="In the product's unit: the net weight, or the count times the packaging.",
    )
    product_uom_id = fields.Many2one(
        related="product_id.uom_id", string="Unit", help="The product's unit of measure."
    )
    matched = fields.Boolean(
        string="On the Receipt",
        compute="_compute_parsed",
        help="The receipt has a line of this product waiting for goods.",
    )
    error = fields.Char(compute="_compute_parsed", help="Why this scan cannot be applied.")

    @api.depends("raw", "wizard_id.picking_id")
    def _compute_parsed(self):
        for line in self:
            parsed = line.wizard_id._parse_line(line.raw or "")
            move = line.wizard_id._move_for(parsed["product_id"]) if parsed["product_id"] else None
            error = parsed["error"]
            if not error and not move:
                error = self.env._(
                    "%(product)s is not on this receipt",
                    product=self.env["product.product"].browse(parsed["product_id"]).display_name,
                )
            line.update(
                {
                    "product_id": parsed["product_id"],
                    "gtin": parsed["gtin"],
                    "lot_name": parsed["lot_name"],
                    "serial": parsed["serial"],
                    "production_date": parsed["production_date"],
                    "expiration_date": parsed["expiration_date"],
                    "quantity": parsed["quantity"],
                    "matched": bool(move),
                    "error": error,
                }
            )
