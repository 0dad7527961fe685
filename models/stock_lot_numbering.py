from odoo import api, models


class StockLot(models.Model):
    """Lot numbers drawn from the product's lot number format (models/product_product.py).

    Odoo creates new lots in three places: a receipt or transfer line with a typed lot name
    (``stock.move.line._create_and_assign_production_lot``), a manufacturing order's
    finished lot (``mrp.production._prepare_stock_lot_values``) and the "next serial"
    suggestions (``_get_next_serial``). A line left empty is named before Odoo refuses it
    (``stock.picking._sanity_check``); the rest meet here or in the MO.
    """

    _inherit = "stock.lot"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("name") and vals.get("product_id"):
                product = self.env["product.product"].browse(vals["product_id"])
                company = self.env["res.company"].browse(vals.get("company_id")) or None
                vals["name"] = product._next_lot_name(company) or vals.get("name")
                if not vals["name"]:
                    del vals["name"]  # Odoo's default number
        return super().create(vals_list)

    @api.model
    def _get_next_serial(self, company, product):
        return product._next_lot_name(company) or super()._get_next_serial(company, product)
