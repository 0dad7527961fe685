from odoo import fields, models


class StockLotAllergenReportLine(models.TransientModel):
    """One shipment of a lot containing the allergen to a customer."""

    _name = "stock.lot.allergen.report.line"
    _description = "Customer Shipment Containing an Allergen"
    _order = "partner_id, date, id"

    report_id = fields.Many2one(
        "stock.lot.allergen.report",
        required=True,
        ondelete="cascade",
        index=True,
        help="The report this line belongs to.",
    )
    move_line_id = fields.Many2one("stock.move.line", readonly=True, help="The delivery line.")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", readonly=True, help="The customer delivered."
    )
    lot_id = fields.Many2one(
        "stock.lot",
        readonly=True,
        help="The lot delivered that contains the allergen.",
    )
    product_id = fields.Many2one("product.product", readonly=True, help="The product delivered.")
    picking_id = fields.Many2one(
        "stock.picking", string="Delivery", readonly=True, help="The delivery order."
    )
    date = fields.Datetime(readonly=True, help="When the delivery was validated.")
    quantity = fields.Float(
        digits="Product Unit of Measure",
        readonly=True,
        help="Quantity delivered, in the product's unit.",
    )
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
