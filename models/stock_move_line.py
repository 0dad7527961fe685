from odoo import _, api, models
from odoo.exceptions import UserError


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    def init(self):
        """Index done lines by lot: Odoo 18 has none, and every trace looks lots up here."""
        super().init()
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS stock_move_line_lot_done_idx
                ON stock_move_line (lot_id)
             WHERE state = 'done' AND lot_id IS NOT NULL
            """
        )

    def _blocked_by_hold(self):
        """Lines that would take a held lot out of stock to anywhere but quarantine.

        Allowed: moves into, or between, quarantine locations; returns to the vendor (the
        usual end of a supplier recall); inventory adjustments (counting a held lot); and
        anything that does not leave an internal location.
        """
        return self.filtered(
            lambda line: (
                line.lot_id.hold_state == "held"
                and line.location_id.usage == "internal"
                and not line.location_dest_id.is_quarantine
                and line.location_dest_id.usage != "supplier"
                and not line.move_id.is_inventory
            )
        )

    def _check_not_blocked_by_hold(self):
        """Refuse these lines if any takes a held lot out of stock, naming lots and reasons."""
        blocked = self.filtered(
            lambda line: line.state not in ("done", "cancel")
        )._blocked_by_hold()
        if blocked:
            raise UserError(
                _(
                    "These lots are on quality hold and cannot leave stock (only a move into "
                    "a quarantine location or back to the vendor is allowed):\n%(lots)s",
                    lots=blocked.lot_id._hold_summary(),
                )
            )

    def write(self, vals):
        res = super().write(vals)
        if vals.get("lot_id"):
            self._check_not_blocked_by_hold()
        return res

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.filtered(lambda line: line.lot_id)._check_not_blocked_by_hold()
        late_productions = lines.filtered(
            lambda line: (
                line.state == "done"
                and line.lot_id
                and line.move_id.raw_material_production_id.state == "done"
            )
        ).move_id.raw_material_production_id
        if late_productions:
            # A component line added to a done MO: mrp's create (called by super) has
            # paired it with the produced lines, so link the order again.
            self.env["stock.lot.link"]._link_productions(late_productions.ids)
        return lines
