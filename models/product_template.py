from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "stock.lot.name.template.mixin"]

    hold_on_receipt = fields.Boolean(
        string="Hold Lots on Receipt",
        help="Every lot of this product received from a vendor is put on hold for incoming "
        "inspection when the receipt is validated. Also set on the product category.",
    )

    quality_spec_ids = fields.One2many(
        "product.quality.spec",
        "product_tmpl_id",
        string="Specifications",
        help="What each lot of this product is tested for: the lines of its Certificate of "
        "Analysis.",
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

    def _lot_name_template_owner(self):
        """The product, or else its nearest category, whose lot number format applies."""
        self.ensure_one()
        if self.lot_name_template:
            return self
        category = self.categ_id
        while category and not category.lot_name_template:
            category = category.parent_id
        return category

    @api.constrains("alert_time")
    def _check_alert_time(self):
        for template in self.filtered(lambda template: template.alert_time < 0):
            raise ValidationError(
                _(
                    "%(product)s: the expiry alert lead time (Alert Date, days before the "
                    "expiration date) cannot be negative.",
                    product=template.display_name,
                )
            )
