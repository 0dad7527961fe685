from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class StockLot(models.Model):
    _inherit = "stock.lot"

    active = fields.Boolean(
        default=True,
        help="Archived lots are hidden from lists and pickers but stay in every trace, "
        "recall and report.",
    )
    parent_link_ids = fields.One2many(
        "stock.lot.link",
        "child_lot_id",
        string="Made From",
        help="Direct inputs of this lot.",
    )
    child_link_ids = fields.One2many(
        "stock.lot.link",
        "parent_lot_id",
        string="Used In",
        help="Lots made directly from this lot.",
    )
    upstream_lot_count = fields.Integer(
        string="Upstream",
        compute="_compute_genealogy_counts",
        help="Lots this lot was made from, at any depth.",
    )
    downstream_lot_count = fields.Integer(
        string="Downstream",
        compute="_compute_genealogy_counts",
        help="Lots made from this lot, at any depth.",
    )
    trace_customer_count = fields.Integer(
        string="Customers",
        compute="_compute_genealogy_counts",
        help="Customers who received this lot or anything made from it.",
    )
    trace_supplier_count = fields.Integer(
        string="Suppliers",
        compute="_compute_genealogy_counts",
        help="Vendors of this lot or of any lot it was made from.",
    )
    hold_ids = fields.One2many(
        "stock.lot.hold",
        "lot_id",
        string="Quality Holds",
        help="Every quality hold of the lot, active or closed.",
    )
    active_hold_ids = fields.One2many(
        "stock.lot.hold",
        "lot_id",
        string="Active Holds",
        domain=[("state", "=", "active")],
        readonly=True,
        help="The holds that keep this lot on hold now.",
    )
    hold_state = fields.Selection(
        [("free", "Free"), ("held", "On Hold")],
        string="Quality Status",
        compute="_compute_hold_state",
        store=True,
        index=True,
        default="free",
        help="A lot is on hold while at least one of its quality holds is active: it cannot "
        "be reserved, consumed, shipped or scrapped, only moved into a quarantine location.",
    )
    hold_count = fields.Integer(
        string="Holds",
        compute="_compute_hold_state",
        store=True,
        help="Quality holds of the lot, active or closed.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_hold_state_not_written(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_hold_state_not_written(vals)
        return super().write(vals)

    @api.model
    def _check_hold_state_not_written(self, vals):
        """The quality status follows the lot's active holds: nobody sets it by hand."""
        written = {"hold_state", "hold_count"} & set(vals)
        if written:
            raise UserError(
                _(
                    "The quality status of a lot is computed from its active holds and cannot "
                    "be written (%(fields)s): place a hold, or release it.",
                    fields=", ".join(sorted(written)),
                )
            )

    @api.constrains("name", "product_id", "company_id")
    def _check_unique_lot(self):
        """An archived lot still owns its number: check uniqueness across archived lots too."""
        return super(StockLot, self.with_context(active_test=False))._check_unique_lot()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_traceability_evidence(self):
        """A lot named by a link, a hold, a recall or a customer delivery is evidence.

        Checked in SQL over every company and archived record: no access right or
        record rule may hide the evidence that makes a lot undeletable.
        """
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT lot.id
                  FROM stock_lot lot
                 WHERE lot.id = ANY(%(ids)s)
                   AND (EXISTS (SELECT 1 FROM stock_lot_link link
                                 WHERE lot.id IN (link.parent_lot_id, link.child_lot_id))
                        OR EXISTS (SELECT 1 FROM stock_lot_hold hold WHERE hold.lot_id = lot.id)
                        OR EXISTS (SELECT 1 FROM stock_recall_origin_lot_rel rel
                                    WHERE rel.lot_id = lot.id)
                        OR EXISTS (SELECT 1 FROM stock_recall_lot line
                                    WHERE line.lot_id = lot.id)
                        OR EXISTS (SELECT 1 FROM stock_move_line ml
                                     JOIN stock_location dest ON dest.id = ml.location_dest_id
                                    WHERE ml.lot_id = lot.id AND ml.state = 'done'
                                      AND dest.usage = 'customer'))
                """,
                ids=self.ids,
            )
        )
        kept = self.browse(row[0] for row in self.env.cr.fetchall())
        if kept:
            raise UserError(
                _(
                    "Lots %(lots)s are traceability evidence (genealogy links, quality holds, "
                    "recalls or customer deliveries) and cannot be deleted; archive them "
                    "instead.",
                    lots=", ".join(kept.mapped("display_name")),
                )
            )

    @api.depends("hold_ids.state")
    def _compute_hold_state(self):
        for lot in self:
            active = lot.hold_ids.filtered(lambda hold: hold.state == "active")
            lot.hold_state = "held" if active else "free"
            lot.hold_count = len(lot.hold_ids)

    # ------------------------------------------------------------------
    # Smart buttons
    # ------------------------------------------------------------------
    @api.depends("parent_link_ids", "child_link_ids")
    def _compute_genealogy_counts(self):
        for lot in self:
            if not lot.id:
                lot.upstream_lot_count = lot.downstream_lot_count = 0
                lot.trace_customer_count = lot.trace_supplier_count = 0
                continue
            upstream, downstream = lot._trace_lots("up"), lot._trace_lots("down")
            lot.upstream_lot_count = len(upstream) - 1
            lot.downstream_lot_count = len(downstream) - 1
            lot.trace_customer_count = len(downstream._delivery_customers())
            lot.trace_supplier_count = len(upstream._receipt_vendors())

    def action_view_upstream_lots(self):
        return self._action_view_trace("up")

    def action_view_downstream_lots(self):
        return self._action_view_trace("down")

    def _action_view_trace(self, direction):
        self.ensure_one()
        lines = self.env["stock.lot.trace.line"]._create_for_trace(self, direction)
        title = _("Upstream of %s") if direction == "up" else _("Downstream of %s")
        return {
            "type": "ir.actions.act_window",
            "name": title % self.display_name,
            "res_model": "stock.lot.trace.line",
            "view_mode": "list,form",
            "domain": [("id", "in", lines.ids)],
            "context": {"create": False},
            "help": self._empty_help(
                _("Nothing was made from this lot yet.")
                if direction == "down"
                else _("This lot was not made from other lots."),
                _(
                    "Lots are linked when a manufacturing order that consumes them is done, "
                    "by a repack, or by hand with Link Lots."
                ),
            ),
        }

    def action_view_trace_customers(self):
        """One line per customer delivery of this lot or of anything made from it, with
        what came back, grouped by customer (``stock.lot.customer.line``)."""
        self.ensure_one()
        lines = self.env["stock.lot.customer.line"]._create_for_lots(
            self._trace_lots("down"), origin_lot_id=self.id
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Customers who received %s", self.display_name),
            "res_model": "stock.lot.customer.line",
            "view_mode": "list",
            "domain": [("id", "in", lines.ids)],
            "context": {"group_by": ["partner_id"], "create": False},
            "help": self._empty_help(
                _("No customer received this lot or anything made from it."),
                _("Deliveries appear here once a delivery order of the lot is validated."),
            ),
        }

    @api.model
    def _empty_help(self, title, text):
        """The empty state of a list opened by a smart button: what is missing, what to do."""
        return Markup('<p class="o_view_nocontent_empty_folder">%s</p><p>%s</p>') % (title, text)

    @api.readonly
    def action_view_trace_suppliers(self):
        self.ensure_one()
        action = self._action_view_partners(
            self._trace_suppliers(), _("Suppliers of %s", self.display_name)
        )
        action["help"] = self._empty_help(
            _("No vendor delivered this lot or what it was made from."),
            _("Vendors appear here once a receipt of the lot or of its inputs is validated."),
        )
        return action

    def _action_view_partners(self, partners, title):
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("id", "in", partners.ids)],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------
    # Holds
    # ------------------------------------------------------------------
    def _held_lots(self):
        return self.filtered(lambda lot: lot.hold_state == "held")

    def _open_recall_lines(self, company):
        """Scope lines of the open, real (not drill) recalls of ``company`` on these lots."""
        if not self.ids:
            return self.env["stock.recall.lot"]
        # sudo: whoever receives goods back must know they are recalled, without reading recalls
        return (
            self.env["stock.recall.lot"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", self.ids),
                    ("company_id", "=", company.id),
                    ("recall_id.state", "in", ("scoped", "in_progress")),
                    ("recall_id.is_drill", "=", False),
                ]
            )
        )

    def _lots_in_open_recall(self, company):
        return self.browse(self._open_recall_lines(company).lot_id.ids)

    def _revive(self, move_line):
        """Unarchive this lot because its number was received again on ``move_line``."""
        self.ensure_one()
        if self.active:
            return
        self.active = True
        self.message_post(
            body=_(
                "Lot unarchived: its number was received again on %s.",
                move_line.picking_id.name or move_line.reference or move_line.move_id.name,
            )
        )

    def _lots_with_stock(self):
        """The lots of ``self`` that have stock in an internal or a transit location."""
        if not self.ids:
            return self
        self.env["stock.quant"].flush_model(["lot_id", "quantity", "location_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT quant.lot_id
                  FROM stock_quant quant
                  JOIN stock_location loc ON loc.id = quant.location_id
                 WHERE quant.lot_id = ANY(%(lot_ids)s) AND loc.usage IN ('internal', 'transit')
                 GROUP BY quant.lot_id
                HAVING SUM(quant.quantity) > 0
                """,
                lot_ids=list(self.ids),
            )
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    def _lock_held_lots(self):
        """Lock these lots against new holds and return those on hold, read from the database.

        Called by the hold gate before stock moves. Placing a hold updates the lot rows
        (:meth:`_lock_for_new_hold`), so a hold committed by another transaction while this
        one validates a transfer is either seen here or makes PostgreSQL refuse this
        transaction (serialization failure, retried by Odoo): it is never missed.
        """
        if not self.ids:
            return self
        self.env["stock.lot.hold"].flush_model(["lot_id", "state"])
        self.env.cr.execute(
            SQL(
                "SELECT id FROM stock_lot WHERE id = ANY(%(ids)s) ORDER BY id FOR SHARE",
                ids=list(self.ids),
            )
        )
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT lot_id FROM stock_lot_hold
                 WHERE lot_id = ANY(%(ids)s) AND state = 'active'
                """,
                ids=list(self.ids),
            )
        )
        return self.browse(row[0] for row in self.env.cr.fetchall())

    def _lock_for_new_hold(self):
        """Take the lot rows before holding them: see :meth:`_lock_held_lots`.

        Only locked here: the new holds then change every one of these rows (their stored
        ``hold_count``, in the same transaction), which is what makes a concurrent gate
        reader fail to serialize rather than miss the hold."""
        if self.ids:
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM stock_lot WHERE id = ANY(%(ids)s) ORDER BY id FOR UPDATE",
                    ids=list(self.ids),
                )
            )

    def _hold_summary(self):
        """'LOT (Product): reason, reason' for each held lot of ``self``, one per line."""
        reasons = dict(
            self.env["stock.lot.hold"]._fields["reason"]._description_selection(self.env)
        )
        own_companies = self.env.companies
        lines = []
        for lot in self.filtered(lambda lot: lot.hold_state == "held"):
            # sudo: the user validating a transfer may not read holds, but must know why;
            # the note of another company's hold (and its recall) stays with that company
            holds = lot.sudo().active_hold_ids
            why = ", ".join(
                f"{reasons[hold.reason]}{f' ({hold.note})' if hold.note else ''}"
                if hold.company_id in own_companies
                else _("%s (held by another company)", reasons[hold.reason])
                for hold in holds
            )
            lines.append(f"- {lot.name} ({lot.product_id.display_name}): {why}")
        return "\n".join(lines)

    def _place_hold(self, reason, note=False, **extra_vals):
        """Create one active hold per lot; returns the holds."""
        vals = {"reason": reason, "note": note, **extra_vals}
        return self.env["stock.lot.hold"].create([{**vals, "lot_id": lot.id} for lot in self])

    def action_open_hold_wizard(self):
        return self._action_hold_wizard(include_downstream=False)

    def action_open_hold_downstream_wizard(self):
        return self._action_hold_wizard(include_downstream=True)

    def _action_hold_wizard(self, include_downstream):
        return {
            "type": "ir.actions.act_window",
            "name": _("Hold Downstream Lots") if include_downstream else _("Place on Hold"),
            "res_model": "stock.lot.hold.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_lot_ids": self.ids,
                "default_include_downstream": include_downstream,
            },
        }

    @api.readonly
    def action_view_holds(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stock_lot_traceability.stock_lot_hold_action"
        )
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {"default_lot_id": self.id}
        return action

    def action_open_release_wizard(self):
        self.ensure_one()
        return self.active_hold_ids.action_open_release_wizard()

    def action_quarantine_impact(self):
        self.ensure_one()
        impact = self.env["stock.lot.quarantine.impact"].create({"lot_id": self.id})
        return {
            "type": "ir.actions.act_window",
            "name": _("Quarantine Impact of %s", self.display_name),
            "res_model": "stock.lot.quarantine.impact",
            "res_id": impact.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_open_link_wizard(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Link Lots"),
            "res_model": "stock.lot.link.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_parent_lot_id": self.id},
        }
