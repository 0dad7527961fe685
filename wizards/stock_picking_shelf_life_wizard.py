from odoo import _, fields, models
from odoo.exceptions import UserError


class StockPickingShelfLifeWizard(models.TransientModel):
    """Shipping lots with less than the customer's minimum remaining shelf life: only a
    Quality Manager may confirm, with a reason recorded on the delivery."""

    _name = "stock.picking.shelf.life.wizard"
    _description = "Minimum Shelf Life Override"

    picking_ids = fields.Many2many(
        "stock.picking", string="Deliveries", readonly=True, help="The deliveries being validated."
    )
    summary = fields.Text(readonly=True, help="Lots with less shelf life than the customer asks.")
    note = fields.Text(string="Reason", help="Why the customer accepts, who agreed, reference.")
    can_override = fields.Boolean(
        compute="_compute_can_override", help="You may ship despite the short shelf life."
    )

    def _compute_can_override(self):
        self.can_override = self.env.user.has_group("stock_lot_traceability.group_quality_manager")

    def action_override(self):
        self.ensure_one()
        if not (self.note or "").strip():
            raise UserError(
                _("Give the reason for shipping lots with less than the minimum shelf life.")
            )
        self.picking_ids._override_shelf_life(self.note)
        to_validate = self.env["stock.picking"].browse(
            self.env.context.get("button_validate_picking_ids") or self.picking_ids.ids
        )
        return to_validate.button_validate()
