from odoo import fields, models


class StockLotAllergenReportLine(models.TransientModel):
    """One shipment of a lot containing the allergen to a customer."""

    _name = "stock.lot.allergen.report.line"
    _description = "Customer Shipment Containing an Allergen"
    _order = "partner_id, date, id"

    report_id = fields.Many2one(
        "stock.lot.allergen.report", required=True, ondelete="cascade", index=True
    )
    move_line_id = fields.Many2one("stock.move.line", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    lot_id = fields.Many2one("stock.lot", string="Lot", readonly=True)
    product_id = fields.Many2one("product.product", string="Product", readonly=True)
    picking_id = fields.Many2one("stock.picking", string="Delivery", readonly=True)
    date = fields.Datetime(readonly=True)
    quantity = fields.Float(digits="Product Unit of Measure", readonly=True)
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
