from odoo import _, fields, models
from odoo.exceptions import UserError


class StockRecallCancelWizard(models.TransientModel):
    """Ask for the reason before cancelling a recall or waiving customers."""

    _name = "stock.recall.cancel.wizard"
    _inherit = ["stock.lot.check.mixin"]
    _description = "Recall Cancellation or Waiver"

    mode = fields.Selection(
        [("cancel", "Cancel"), ("waive", "Waive")],
        default="cancel",
        help="Cancel the recall, or waive customers.",
    )
    recall_id = fields.Many2one("stock.recall", help="The recall.")
    partner_line_ids = fields.Many2many(
        "stock.recall.partner", string="Customers", help="The customers to waive."
    )
    reason = fields.Text(required=True, help="Why, for the audit trail.")

    def action_confirm(self):
        self.ensure_one()
        if self.mode == "waive" and not self.partner_line_ids:
            raise UserError(_("Select the customers to waive."))
        if self.mode != "waive" and not self.recall_id:
            raise UserError(_("Select the recall to cancel."))
        if self.mode == "waive":
            self.partner_line_ids.action_waive(self.reason)
        else:
            self.recall_id.action_cancel(self.reason)
        return {"type": "ir.actions.act_window_close"}
