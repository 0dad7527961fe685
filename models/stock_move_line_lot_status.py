from odoo import api, models

from .stock_lot_status import lot_status_batch

# Changes to a move line that change where its lot is or what is reserved of it.
_STATUS_FIELDS = {"lot_id", "quantity", "location_id", "location_dest_id", "move_id", "state"}


class StockMoveLine(models.Model):
    """Every line that names a lot, reserves it or moves it marks the lot for a status
    refresh (models/stock_lot_status.py), once per batch."""

    _inherit = "stock.move.line"

    def init(self):
        """Index open lines by lot: the lot status reads what is reserved of a lot."""
        res = super().init()
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS stock_move_line_lot_open_idx
                ON stock_move_line (lot_id)
             WHERE state NOT IN ('done', 'cancel') AND lot_id IS NOT NULL
            """
        )
        return res

    @api.model_create_multi
    def create(self, vals_list):
        with lot_status_batch(self.env):
            lines = super().create(vals_list)
            lines.lot_id._mark_lot_status()
        return lines

    def write(self, vals):
        if not _STATUS_FIELDS & set(vals):
            return super().write(vals)
        with lot_status_batch(self.env):
            self.lot_id._mark_lot_status()
            res = super().write(vals)
            self.lot_id._mark_lot_status()
        return res

    def unlink(self):
        with lot_status_batch(self.env):
            self.lot_id._mark_lot_status()
            return super().unlink()

    def _action_done(self):
        with lot_status_batch(self.env):
            self.lot_id._mark_lot_status()
            res = super()._action_done()
            self.exists().lot_id._mark_lot_status()
        return res
