from odoo import models


class MrpProduction(models.Model):
    """Traced both ways: backward from what it made and consumed (ingredients, vendors),
    forward from what it made (products made from it, customers)."""

    _name = "mrp.production"
    _inherit = ["mrp.production", "stock.lot.document.trace.mixin"]

    def _traceability_move_lines(self):
        return self.move_raw_ids.move_line_ids | self.move_finished_ids.move_line_ids

    def _traceability_lots(self, direction=None):
        finished = (
            self.move_finished_ids.move_line_ids.filtered(
                lambda line: line.state != "cancel"
            ).lot_id
            | self.lot_producing_id
        )
        if direction == "down":
            # what its ingredients were also used in is not this order's business
            return finished
        return finished | super()._traceability_lots(direction)
