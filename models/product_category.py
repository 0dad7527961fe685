from odoo import fields, models


class ProductCategory(models.Model):
    _inherit = "product.category"

    hold_on_receipt = fields.Boolean(
        string="Hold Lots on Receipt",
        help="Every lot of a product of this category received from a vendor is put on hold "
        "for incoming inspection when the receipt is validated.",
    )
