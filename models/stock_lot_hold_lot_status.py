from odoo import api, models


class StockLotHold(models.Model):
    """Placing, releasing or cancelling a hold changes its lot's condition."""

    _inherit = "stock.lot.hold"

    @api.model_create_multi
    def create(self, vals_list):
        holds = super().create(vals_list)
        holds.lot_id._mark_lot_status(condition_only=True)
        return holds

    def write(self, vals):
        res = super().write(vals)
        if "state" in vals:
            self.lot_id._mark_lot_status(condition_only=True)
        return res
