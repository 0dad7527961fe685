from odoo import _, api, models
from odoo.exceptions import UserError

# Fields of a done move line that change what a manufacturing order consumed or produced.
_GENEALOGY_FIELDS = {"lot_id", "quantity", "product_uom_id", "location_id", "location_dest_id"}


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
        self._relink_done_productions(vals)
        return res

    def _relink_done_productions(self, vals):
        """A done line of a done MO was corrected (MO unlocked, lot or quantity changed):
        write the MO's genealogy again; links that no longer hold are superseded."""
        if not _GENEALOGY_FIELDS & set(vals):
            return
        moves = self.filtered(lambda line: line.state == "done").move_id
        productions = (moves.raw_material_production_id | moves.production_id).filtered(
            lambda production: production.state == "done"
        )
        if productions:
            self.env["stock.lot.link"]._link_productions(productions.ids)

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

    def _create_and_assign_production_lot(self):
        """A lot number received again after its lot was archived: revive that lot (with a
        line in its chatter) instead of creating a duplicate, which the uniqueness of lot
        numbers across archived lots would refuse."""
        revived = self.env["stock.move.line"]
        lot_model = self.env["stock.lot"].with_context(active_test=False)
        for line in self.filtered("lot_name"):
            lot = lot_model.search(
                [
                    ("name", "=", line.lot_name),
                    ("product_id", "=", line.product_id.id),
                    ("company_id", "in", [line.company_id.id, False]),
                    ("active", "=", False),
                ],
                limit=1,
            )
            if lot:
                lot._revive(line)
                line.lot_id = lot
                revived |= line
        return super(StockMoveLine, self - revived)._create_and_assign_production_lot()
