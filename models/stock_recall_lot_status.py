from odoo import models
from odoo.tools import SQL

from .stock_lot_status import lot_status_batch


class StockRecall(models.Model):
    """A recall that is scoped, re-scoped, closed or cancelled changes the condition of
    the lots in its scope (current and older versions: a lot may have left it)."""

    _inherit = "stock.recall"

    def action_hold_stock(self):
        """The holds placed and the recall's new state touch the same lots: one refresh."""
        with lot_status_batch(self.env):
            return super().action_hold_stock()

    def write(self, vals):
        res = super().write(vals)
        if "state" in vals:
            self._scope_lots()._mark_lot_status(condition_only=True)
        return res

    def _scope_lots(self):
        self.env["stock.recall.lot"].flush_model(["recall_id", "lot_id"])
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT lot_id FROM stock_recall_lot WHERE recall_id = ANY(%(ids)s)",
                ids=self.ids,
            )
        )
        return self.env["stock.lot"].browse(row[0] for row in self.env.cr.fetchall())
