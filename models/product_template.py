from odoo import fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    hold_on_receipt = fields.Boolean(
        string="Hold Lots on Receipt",
        help="Every lot of this product received from a vendor is put on hold for incoming "
        "inspection when the receipt is validated. Also set on the product category.",
    )

    def _holds_on_receipt(self):
        self.ensure_one()
        return self.hold_on_receipt or self.categ_id.hold_on_receipt
