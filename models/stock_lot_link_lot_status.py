from odoo import api, models


class StockLotLink(models.Model):
    """A repack link makes its input lot *repacked* (models/stock_lot_status.py)."""

    _inherit = "stock.lot.link"

    @api.model_create_multi
    def create(self, vals_list):
        links = super().create(vals_list)
        links.filtered(lambda link: link.kind == "repack").parent_lot_id._mark_lot_status()
        return links

    def write(self, vals):
        res = super().write(vals)
        if "active" in vals or "kind" in vals:
            self.with_context(active_test=False).parent_lot_id._mark_lot_status()
        return res
