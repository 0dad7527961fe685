from odoo import fields, models


class StockRecallAccountWizardLine(models.TransientModel):
    _name = "stock.recall.account.wizard.line"
    _description = "Recall Customer: Destroyed or Accounted For, per Product"

    wizard_id = fields.Many2one("stock.recall.account.wizard", required=True, ondelete="cascade")
    product_line_id = fields.Many2one("stock.recall.partner.product", required=True, readonly=True)
    product_id = fields.Many2one(related="product_line_id.product_id")
    product_uom_id = fields.Many2one(related="product_line_id.product_uom_id")
    shipped_qty = fields.Float(related="product_line_id.shipped_qty")
    returned_qty = fields.Float(related="product_line_id.returned_qty")
    accounted_qty = fields.Float(
        string="Destroyed / Accounted For", digits="Product Unit of Measure"
    )
