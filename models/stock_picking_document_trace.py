from odoo import models


class StockPicking(models.Model):
    """Deliveries and customer returns are traced backward, receipts forward, other
    transfers both ways."""

    _name = "stock.picking"
    _inherit = ["stock.picking", "stock.lot.document.trace.mixin"]

    def _traceability_move_lines(self):
        return self.move_line_ids

    def _traceability_direction(self):
        self.ensure_one()
        usages = {self.location_id.usage, self.location_dest_id.usage}
        if "customer" in usages:
            return "up"
        if self.location_id.usage == "supplier":
            return "down"
        return "both"
