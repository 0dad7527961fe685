from odoo import fields, models


class StockRecallAccountWizardLine(models.TransientModel):
    _name = "stock.recall.account.wizard.line"
    _description = "Recall Customer: Destroyed or Accounted For, per Product"

    wizard_id = fields.Many2one(
        "stock.recall.account.wizard",
        required=True,
        ondelete="cascade",
        help="The wizard this line belongs to.",
    )
    product_line_id = fields.Many2one(
        "stock.recall.partner.product",
        required=True,
        readonly=True,
        help="The customer's line for this product.",
    )
    product_id = fields.Many2one(related="product_line_id.product_id", help="The recalled product.")
    product_uom_id = fields.Many2one(related="product_line_id.product_uom_id")
    shipped_qty = fields.Float(related="product_line_id.shipped_qty")
    returned_qty = fields.Float(related="product_line_id.returned_qty")
    accounted_qty = fields.Float(
        string="Destroyed / Accounted For",
        digits="Product Unit of Measure",
        help="Quantity the customer destroyed or used up.",
    )
