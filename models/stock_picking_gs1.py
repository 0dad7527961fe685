from odoo import models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def action_open_gs1_capture(self):
        """The GS1 capture of this receipt (wizards/stock_gs1_capture.py)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stock_lot_traceability.stock_gs1_capture_action"
        )
        action["context"] = {"default_picking_id": self.id}
        return action
