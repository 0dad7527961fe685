from odoo import models


class SaleOrder(models.Model):
    """Traced backward from its deliveries and returns: lots shipped → ingredients →
    vendors and purchase orders."""

    _name = "sale.order"
    _inherit = ["sale.order", "stock.lot.document.trace.mixin"]

    def _traceability_move_lines(self):
        return self.picking_ids.move_line_ids

    def _traceability_direction(self):
        return "up"
