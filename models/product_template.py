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

    allergen_ids = fields.Many2many(
        "stock.lot.allergen",
        "product_template_allergen_rel",
        "product_tmpl_id",
        "allergen_id",
        string="Allergens",
        help="Allergens this product always contains: its new lots declare them by default "
        "(a lot can be corrected). Allergens of ingredients are found through the genealogy.",
    )
