from odoo import api, fields, models


class StockInventoryAdjustmentName(models.TransientModel):
    """Odoo's Apply dialog of Physical Inventory, with the reason of the adjustment."""

    _inherit = "stock.inventory.adjustment.name"

    adjustment_reason_id = fields.Many2one(
        "stock.adjustment.reason",
        help="Given to every counted line that has no reason of its own.",
    )
    needs_adjustment_reason = fields.Boolean(
        compute="_compute_needs_adjustment_reason",
        help="A counted lot-tracked product needs a reason.",
    )

    @api.depends("quant_ids")
    def _compute_needs_adjustment_reason(self):
        for wizard in self:
            quants = wizard.quant_ids.filtered("inventory_quantity_set")
            wizard.needs_adjustment_reason = bool(
                quants._adjusted().filtered(lambda quant: not quant.adjustment_reason_id)
            )

    def action_apply(self):
        if self.adjustment_reason_id:
            self.quant_ids.filtered(
                lambda quant: quant.inventory_quantity_set and not quant.adjustment_reason_id
            ).adjustment_reason_id = self.adjustment_reason_id
        return super().action_apply()
