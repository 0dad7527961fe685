from odoo import _, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import format_date, plaintext2html

from . import evidence

_OVERRIDE_FIELDS = {
    "shelf_life_override_by_id",
    "shelf_life_override_date",
    "shelf_life_override_note",
}


class StockPicking(models.Model):
    _inherit = "stock.picking"

    recall_partner_id = fields.Many2one(
        "stock.recall.partner",
        string="Recall Customer",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The recall this return receipt brings goods back for.",
    )
    recall_id = fields.Many2one(
        related="recall_partner_id.recall_id",
        string="Recall",
        help="The recall this return belongs to.",
    )
    shelf_life_override_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        copy=False,
        help="The Quality Manager who let this delivery ship lots with less than the "
        "customer's minimum remaining shelf life.",
    )
    shelf_life_override_date = fields.Datetime(
        string="Shelf Life Override On",
        readonly=True,
        copy=False,
        help="When the short shelf life was accepted.",
    )
    shelf_life_override_note = fields.Text(
        string="Shelf Life Override Reason",
        readonly=True,
        copy=False,
        help="Why the short shelf life was accepted.",
    )

    def write(self, vals):
        if _OVERRIDE_FIELDS & set(vals) and not evidence.is_system(self):
            raise UserError(
                _(
                    "The shelf life override of %(pickings)s is recorded by a Quality "
                    "Manager's confirmation, never typed.",
                    pickings=", ".join(self.mapped("name")),
                )
            )
        return super().write(vals)

    def _action_done(self):
        res = super()._action_done()
        self._refresh_recalls_of_returns()
        self._hold_recalled_returns()
        return res

    def _hold_recalled_returns(self):
        """Goods of an open recall sent back by a customer are held again, for that recall
        (a lot that is on hold already stays on hold): never free stock."""
        for picking in self:
            lots = picking.move_line_ids.filtered(
                lambda line: (
                    line.state == "done"
                    and line.lot_id
                    and line.location_id.usage == "customer"
                    and line.location_dest_id.usage == "internal"
                )
            ).lot_id
            vals_list = []
            for recall_line in lots._open_recall_lines(picking.company_id):
                recall, lot = recall_line.recall_id, recall_line.lot_id
                if recall in lot.active_hold_ids.recall_id:
                    continue
                vals_list.append(
                    {
                        "lot_id": lot.id,
                        "reason": "recall",
                        "recall_id": recall.id,
                        "company_id": recall.company_id.id,
                        "note": _(
                            "Recall %(recall)s: sent back by the customer on %(picking)s.",
                            recall=recall.name,
                            picking=picking.name,
                        ),
                    }
                )
            if vals_list:
                # sudo: the hold is placed by the system when the receiving user validates
                self.env["stock.lot.hold"].sudo().create(vals_list)

    def _refresh_recalls_of_returns(self):
        """Goods of an open recall's lots coming back from customers count as recovered at
        once, whether or not the return was created from the recall."""
        lots = self.move_line_ids.filtered(
            lambda line: (
                line.state == "done" and line.lot_id and line.location_id.usage == "customer"
            )
        ).lot_id
        if not lots:
            return
        # sudo: whoever validates a return updates the recalls of its lots, readable or not
        scope_lines = (
            self.env["stock.recall.lot"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", lots.ids),
                    ("superseded", "=", False),
                    ("recall_id.state", "in", ("scoped", "in_progress")),
                ]
            )
        )
        scope_lines.recall_id._refresh_quantities()

    def _sanity_check(self, separate_pickings=True):
        self.move_line_ids._name_new_lots_from_template()
        return super()._sanity_check(separate_pickings=separate_pickings)

    # ------------------------------------------------------------------
    # Customer minimum remaining shelf life
    # ------------------------------------------------------------------
    def _pre_action_done_hook(self):
        res = super()._pre_action_done_hook()
        if res is True:
            short = self._short_shelf_life_lines().picking_id.filtered(
                lambda picking: not picking.shelf_life_override_by_id
            )
            if short:
                return short._action_shelf_life_override_wizard()
        return res

    def _short_shelf_life_lines(self):
        """Lines shipping a lot that arrives with less than the customer's minimum remaining
        shelf life (nothing for customers without one)."""
        lines = self.env["stock.move.line"]
        for move in self.move_ids.filtered(lambda move: move.state not in ("done", "cancel")):
            min_date = move._min_expiration_date()
            if min_date:
                lines |= move.move_line_ids.filtered(
                    lambda line, min_date=min_date, move=move: (
                        line.lot_id.expiration_date
                        and line.lot_id.expiration_date < min_date
                        and (line.picked or not move.picked)
                    )
                )
        return lines

    def _shelf_life_summary(self):
        """One line per short lot: its expiration date and the customer's minimum."""
        return "\n".join(
            _(
                "- %(picking)s: lot %(lot)s (%(product)s) expires on %(date)s; "
                "%(partner)s requires %(days)s days of remaining shelf life.",
                picking=line.picking_id.name,
                lot=line.lot_id.name,
                product=line.product_id.display_name,
                date=format_date(self.env, line.lot_id.expiration_date),
                partner=line.picking_id.partner_id.display_name,
                days=line.picking_id.partner_id._min_shelf_life_days(),
            )
            for line in self._short_shelf_life_lines()
        )

    def _action_shelf_life_override_wizard(self):
        wizard = self.env["stock.picking.shelf.life.wizard"].create(
            {"picking_ids": [fields.Command.set(self.ids)], "summary": self._shelf_life_summary()}
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Minimum Shelf Life Not Met"),
            "res_model": "stock.picking.shelf.life.wizard",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
            "context": dict(self.env.context),
        }

    def _override_shelf_life(self, note):
        """Record a Quality Manager's decision to ship short shelf life on these deliveries."""
        if not self.env.user.has_group("stock_lot_traceability.group_quality_manager"):
            raise AccessError(
                _(
                    "Only a Quality Manager may let %(pickings)s ship lots with less than the "
                    "customer's minimum remaining shelf life.",
                    pickings=", ".join(self.mapped("name")),
                )
            )
        for picking in self:
            summary = picking._shelf_life_summary()
            evidence.system(picking).write(
                {
                    "shelf_life_override_by_id": self.env.uid,
                    "shelf_life_override_date": fields.Datetime.now(),
                    "shelf_life_override_note": note,
                }
            )
            picking.message_post(
                body=plaintext2html(
                    _(
                        "Minimum remaining shelf life overridden by %(user)s: %(note)s\n%(lots)s",
                        user=self.env.user.name,
                        note=note,
                        lots=summary,
                    )
                )
            )
