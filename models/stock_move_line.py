from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

# Changes to a done move line that move stock again (Odoo applies them to the quants at once):
# they pass the hold gate again, and change what a done manufacturing order consumed.
_DONE_LINE_MOVING_FIELDS = {
    "lot_id",
    "quantity",
    "product_uom_id",
    "location_id",
    "location_dest_id",
}


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    adjustment_reason_id = fields.Many2one(related="move_id.adjustment_reason_id")
    adjustment_currency_id = fields.Many2one(
        related="move_id.adjustment_currency_id", help="Currency of the adjustment value."
    )
    adjustment_value = fields.Monetary(
        related="move_id.adjustment_value", currency_field="adjustment_currency_id"
    )

    def init(self):
        """Index done lines by lot, then source location: Odoo 18 has no index on the lot,
        every trace looks lots up here, and a recall finds the few customer returns of
        thousands of lots in the index alone (the key is no wider than the lot alone)."""
        res = super().init()
        self.env.cr.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'stock_move_line_lot_done_idx'"
        )
        row = self.env.cr.fetchone()
        if row and "location_id" not in row[0]:  # the lot-only index of version 18.0.1.1.0
            self.env.cr.execute("DROP INDEX stock_move_line_lot_done_idx")
        self.env.cr.execute(
            """
            CREATE INDEX IF NOT EXISTS stock_move_line_lot_done_idx
                ON stock_move_line (lot_id, location_id)
             WHERE state = 'done' AND lot_id IS NOT NULL
            """
        )
        return res

    # ------------------------------------------------------------------
    # The hold gate
    # ------------------------------------------------------------------
    def _check_held_lots(self):
        """The hold gate: refuse these lines if any moves a held lot where the rule forbids.

        Every stock movement passes here when it becomes done (:meth:`_action_done`), when a
        done line is edited, and when a line is created for a held lot. The rule is
        :meth:`stock.location._accepts_held_lots_from`; the hold state is read from the
        database under a lock (:meth:`stock.lot._lock_held_lots`), whatever the move's flags.
        """
        lines = self.filtered(
            lambda line: line.lot_id and line.state != "cancel" and line.quantity > 0
        )
        self._refuse_held_movements(
            [(line.lot_id, line.location_id, line.location_dest_id) for line in lines]
        )

    @api.model
    def _refuse_held_movements(self, movements):
        """Refuse ``(lot, source, destination)`` movements the hold rule forbids."""
        lots = self.env["stock.lot"].union(*(lot for lot, _source, _destination in movements))
        held = lots._lock_held_lots()
        blocked = [
            (lot, destination)
            for lot, source, destination in movements
            if lot in held and not destination._accepts_held_lots_from(source)
        ]
        if blocked:
            blocked_lots = self.env["stock.lot"].union(*(lot for lot, _dest in blocked))
            destinations = self.env["stock.location"].union(*(dest for _lot, dest in blocked))
            raise UserError(
                _(
                    "These lots are on quality hold and cannot go to %(destinations)s (a held "
                    "lot may only go to a quarantine location, back to its vendor, or be "
                    "scrapped):\n%(lots)s",
                    destinations=", ".join(destinations.mapped("display_name")),
                    lots=blocked_lots._hold_summary(),
                )
            )

    def _action_done(self):
        self._check_held_lots()
        had_lot = {line.id for line in self if line.lot_id}
        res = super()._action_done()
        done = self.exists()
        # lots named by lot_name are found or created during Odoo's own _action_done
        done.filtered(lambda line: line.id not in had_lot)._check_held_lots()
        done._log_destruction_on_holds()
        return res

    def _log_destruction_on_holds(self):
        """Scrap and inventory losses of held lots end the hold's stock: say so on the hold."""
        destroyed = self.filtered(
            lambda line: (
                line.lot_id.hold_state == "held" and line.location_dest_id.usage == "inventory"
            )
        )
        for line in destroyed:
            document = line.move_id.scrap_id.name or line.reference or line.move_id.name
            body = Markup("%s") % _(
                "Destroyed: %(quantity)s %(uom)s of %(lot)s from %(location)s (%(document)s).",
                quantity=line.quantity,
                uom=line.product_uom_id.name,
                lot=line.lot_id.name,
                location=line.location_id.display_name,
                document=document,
            )
            # sudo: the user scrapping (an inventory user) may not write on holds; the system
            # records what happened to the held stock
            for hold in line.lot_id.sudo().active_hold_ids:
                hold.message_post(body=body)

    def _check_done_line_edit(self, vals):
        """A done line edited afterwards moves stock again (Odoo updates the quants at once):
        gate what it would move before anything is written. Moving less of the same lot
        between the same locations gives stock back and is always allowed."""
        if not _DONE_LINE_MOVING_FIELDS & set(vals):
            return
        records = {
            # Odoo's own write takes records as well as ids for these fields
            name: vals[name]
            if isinstance(vals[name], models.BaseModel)
            else self.env[model].browse(vals[name])
            for name, model in (
                ("lot_id", "stock.lot"),
                ("location_id", "stock.location"),
                ("location_dest_id", "stock.location"),
            )
            if name in vals
        }
        movements = []
        for line in self.filtered(lambda line: line.state == "done"):
            lot = records.get("lot_id", line.lot_id)
            source = records.get("location_id", line.location_id)
            destination = records.get("location_dest_id", line.location_dest_id)
            quantity = vals.get("quantity", line.quantity)
            moves_more = (
                lot != line.lot_id
                or source != line.location_id
                or destination != line.location_dest_id
                or "product_uom_id" in vals
                or float_compare(
                    quantity, line.quantity, precision_rounding=line.product_uom_id.rounding
                )
                > 0
            )
            if lot and quantity > 0 and moves_more:
                movements.append((lot, source, destination))
        self._refuse_held_movements(movements)

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    def write(self, vals):
        self._check_done_line_edit(vals)
        res = super().write(vals)
        if vals.get("lot_id"):
            self.filtered(lambda line: line.state != "done")._check_held_lots()
        self._relink_done_productions(vals)
        return res

    def _relink_done_productions(self, vals):
        """A done line of a done MO was corrected (MO unlocked, lot or quantity changed):
        write the MO's genealogy again; links that no longer hold are superseded."""
        if not _DONE_LINE_MOVING_FIELDS & set(vals):
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
        lines._check_held_lots()
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

    def _name_new_lots_from_template(self):
        """Give a lot name from the product's lot number format to the lines that create
        lots (receipts, or any operation type that creates lots) and were left empty: one
        lot per move for lot-tracked products, one per line for serials. Lines of products
        without a format are left to Odoo (which asks for a lot)."""
        lines = self.filtered(
            lambda line: (
                line.state not in ("done", "cancel")
                and line.product_id.tracking in ("lot", "serial")
                and not line.lot_id
                and not line.lot_name
                and line.picking_type_id.use_create_lots
                and float_compare(line.quantity, 0, precision_rounding=line.product_uom_id.rounding)
                > 0
                and (line.picked or not any(line.picking_id.move_line_ids.mapped("picked")))
                and line.product_id.product_tmpl_id._lot_name_template_owner()
            )
        )
        name_by_move = {}
        for line in lines:
            if line.product_id.tracking == "serial" or line.move_id.id not in name_by_move:
                name = line.product_id._next_lot_name(line.company_id)
                name_by_move[line.move_id.id] = name
            line.lot_name = name_by_move[line.move_id.id]
