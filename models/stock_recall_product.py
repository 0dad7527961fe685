from odoo import fields, models


class StockRecallProduct(models.Model):
    """A recall's totals for one product, in that product's unit of measure.

    Quantities of different products (kilograms of flour, units of biscuits) are never
    added up: each product has its own shipped, recovered and effectiveness figures, and
    the recall's effectiveness is the lowest of them.
    """

    _name = "stock.recall.product"
    _inherit = ["stock.recall.evidence.mixin"]
    _description = "Recall Product Totals"
    _order = "recall_id, effectiveness, product_id"

    recall_id = fields.Many2one(
        "stock.recall", required=True, index=True, ondelete="cascade", help="The recall."
    )
    company_id = fields.Many2one(
        related="recall_id.company_id", store=True, help="The company of the recall."
    )
    scope_id = fields.Many2one(
        "stock.recall.scope",
        string="Scope Version",
        index=True,
        ondelete="cascade",
        help="The scope version of these totals.",
    )
    superseded = fields.Boolean(
        string="Older Scope",
        readonly=True,
        help="Totals of an older scope version, kept as computed.",
    )
    product_id = fields.Many2one(
        "product.product", required=True, ondelete="restrict", help="The recalled product."
    )
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    lot_count = fields.Integer(string="Lots", help="Affected lots of the product.")
    on_hand_qty = fields.Float(
        string="On Hand", digits="Product Unit of Measure", help="Stock of the affected lots."
    )
    mass_balance_gap = fields.Float(
        string="Mass-Balance Gap",
        digits="Product Unit of Measure",
        help="Quantity that is neither in stock nor accounted for.",
    )
    shipped_qty = fields.Float(
        string="Shipped (net)",
        digits="Product Unit of Measure",
        help="Shipped to customers, net of the returns made before the recall began, "
        "including shipments that name no customer.",
    )
    returned_qty = fields.Float(
        string="Returned", digits="Product Unit of Measure", help="Returned since the recall began."
    )
    accounted_qty = fields.Float(
        string="Destroyed / Accounted For",
        digits="Product Unit of Measure",
        help="Declared destroyed or used up by the customers.",
    )
    recovered_qty = fields.Float(
        string="Recovered",
        digits="Product Unit of Measure",
        help="Returned or accounted for, customer by customer, never more than was shipped.",
    )
    effectiveness = fields.Float(
        string="Effectiveness (%)",
        digits=(16, 1),
        help="Recovered / shipped (net), between 0 and 100 %; 100 % when nothing was shipped.",
    )
