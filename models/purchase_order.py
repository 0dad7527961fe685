from odoo import models


class PurchaseOrder(models.Model):
    """Traced forward from its receipts: lots received → products made → customers and
    sales orders."""

    _name = "purchase.order"
    _inherit = ["purchase.order", "stock.lot.document.trace.mixin"]

    def _traceability_move_lines(self):
        return self.picking_ids.move_line_ids

    def _traceability_direction(self):
        return "down"
