from odoo import fields, models


class StockLotHoldReleaseWizard(models.TransientModel):
    """Release (or cancel) quality holds with the mandatory note QA signs off with."""

    _name = "stock.lot.hold.release.wizard"
    _inherit = ["stock.lot.check.mixin"]
    _description = "Release Quality Holds"

    hold_ids = fields.Many2many(
        "stock.lot.hold", string="Holds", required=True, help="The holds to release or cancel."
    )
    mode = fields.Selection(
        [("release", "Release"), ("cancel", "Cancel (placed by mistake)")],
        required=True,
        default="release",
        help="Release: the lot is fine. Cancel: the hold was placed by mistake.",
    )
    note = fields.Text(required=True, help="Test results, decision and reference documents.")

    def action_confirm(self):
        self.ensure_one()
        if self.mode == "cancel":
            self.hold_ids.action_cancel(self.note)
        else:
            self.hold_ids.action_release(self.note)
        return {"type": "ir.actions.act_window_close"}
