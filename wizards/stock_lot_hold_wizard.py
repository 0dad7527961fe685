from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.stock_lot_hold import HOLD_REASONS


class StockLotHoldWizard(models.TransientModel):
    """Place one or more lots on hold, optionally with every downstream lot still in stock."""

    _name = "stock.lot.hold.wizard"
    _inherit = ["stock.lot.check.mixin"]
    _description = "Place Lots on Hold"

    lot_ids = fields.Many2many("stock.lot", string="Lots", required=True, help="The lots to hold.")
    include_downstream = fields.Boolean(
        string="Hold Downstream Lots",
        help="Also hold every lot made from these lots, at any depth, that still has stock.",
    )
    reason = fields.Selection(
        HOLD_REASONS, required=True, default="other", help="Why the lots are held."
    )
    note = fields.Text(help="What was found, for the people who will release the lots.")
    target_lot_ids = fields.Many2many(
        "stock.lot",
        string="Lots to Hold",
        compute="_compute_target_lot_ids",
        help="The lots that will be put on hold.",
    )
    target_count = fields.Integer(
        compute="_compute_target_lot_ids", help="Number of lots that will be put on hold."
    )

    @api.depends("lot_ids", "include_downstream")
    def _compute_target_lot_ids(self):
        for wizard in self:
            wizard.target_lot_ids = wizard._target_lots()
            wizard.target_count = len(wizard.target_lot_ids)

    def _target_lots(self):
        lots = self.lot_ids._origin
        if not self.include_downstream:
            return lots
        downstream = lots._trace_lots("down") - lots
        return lots | downstream._lots_with_stock()

    def action_confirm(self):
        self.ensure_one()
        lots = self._target_lots()
        if not lots:
            raise UserError(_("Select at least one lot to put on hold."))
        holds = lots._place_hold(self.reason, self.note)
        if len(holds) == 1:
            return {"type": "ir.actions.act_window_close"}
        return {
            "type": "ir.actions.act_window",
            "name": _("Holds Placed"),
            "res_model": "stock.lot.hold",
            "view_mode": "list,form",
            "domain": [("id", "in", holds.ids)],
        }
