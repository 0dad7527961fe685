from odoo import models

from .stock_lot_status import lot_status_batch


class StockMove(models.Model):
    """Validation, reservation and cancellation run as one lot-status batch: the lots
    their move lines and quants touch are refreshed once, at the end."""

    _inherit = "stock.move"

    def _action_done(self, cancel_backorder=False):
        with lot_status_batch(self.env):
            return super()._action_done(cancel_backorder=cancel_backorder)

    def _action_assign(self, force_qty=False):
        with lot_status_batch(self.env):
            return super()._action_assign(force_qty=force_qty)

    def _do_unreserve(self):
        with lot_status_batch(self.env):
            return super()._do_unreserve()

    def _action_cancel(self):
        with lot_status_batch(self.env):
            return super()._action_cancel()
