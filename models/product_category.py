from odoo import fields, models


class ProductCategory(models.Model):
    _name = "product.category"
    _inherit = ["product.category", "stock.lot.name.template.mixin"]

    hold_on_receipt = fields.Boolean(
        string="Hold Lots on Receipt",
        help="Every lot of a product of this category received from a vendor is put on hold "
        "for incoming inspection when the receipt is validated.",
    )
