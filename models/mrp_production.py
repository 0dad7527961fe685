from odoo import models


class MrpProduction(models.Model):
    _inherit = "mrp.production"

    def _post_inventory(self, cancel_backorder=False):
        res = super()._post_inventory(cancel_backorder=cancel_backorder)
        self.env["stock.lot.link"]._link_productions(self.ids)
        return res

    def _prepare_stock_lot_values(self):
        """The finished lot is named from the product's lot number format, when it has one."""
        name = self.product_id._next_lot_name(self.company_id)
        if not name:
            return super()._prepare_stock_lot_values()
        return {"product_id": self.product_id.id, "name": name}
