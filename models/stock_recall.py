from datetime import timedelta

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from . import evidence

CLASSIFICATIONS = [
    ("class_1", "Class I - serious health hazard"),
    ("class_2", "Class II - remote health hazard"),
    ("class_3", "Class III - unlikely to cause harm"),
]

RECALL_STATES = [
    ("draft", "Draft"),
    ("scoped", "Scoped"),
    ("in_progress", "In Progress"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]


class StockRecall(models.Model):
    """A recall, or a mock-recall drill, of one or more lots and everything made from them."""

    _name = "stock.recall"
    _description = "Recall"
    _inherit = ["stock.lot.check.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: _("New"),
        help="The recall's reference.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        help="The company running the recall.",
    )
    lot_ids = fields.Many2many(
        "stock.lot",
        "stock_recall_origin_lot_rel",
        "recall_id",
        "lot_id",
        string="Origin Lots",
        required=True,
        check_company=True,
        context={"active_test": False},
        help="The lots the problem was found in; everything made from them is in scope.",
    )
    product_ids = fields.Many2many(
        "product.product",
        compute="_compute_product_ids",
        string="Products",
        help="Products of the origin lots.",
    )
    reason = fields.Text(
        required=True, tracking=True, help="What was found and why the lots are recalled."
    )
    classification = fields.Selection(
        CLASSIFICATIONS,
        required=True,
        default="class_2",
        tracking=True,
        help="How serious the health hazard is (FDA classes).",
    )
    is_drill = fields.Boolean(
        string="Mock Recall (Drill)",
        tracking=True,
        help="A drill computes and times everything but places no hold and e-mails no "
        "customer: notifications go to the responsible user.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        required=True,
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
        help="Who runs the recall.",
    )
    state = fields.Selection(
        RECALL_STATES,
        required=True,
        default="draft",
        readonly=True,
        tracking=True,
        index=True,
        copy=False,
        help="Draft, scoped, in progress (acted on), closed or cancelled.",
    )
    cancel_reason = fields.Text(
        readonly=True, tracking=True, copy=False, help="Why the recall was cancelled."
    )
    customer_instructions = fields.Text(
        default=lambda self: _(
            "Stop selling and using the products and lots listed below, put them aside, "
            "and reply to this e-mail with the quantity you still hold. We will arrange "
            "collection or destruction."
        ),
        help="Included in the e-mail sent to every customer.",
    )

    scope_started_at = fields.Datetime(
        readonly=True, copy=False, help="When the first scope computation started."
    )
    scoped_at = fields.Datetime(readonly=True, copy=False, help="When the scope was last computed.")
    scope_seconds = fields.Float(
        string="Time to Scope (s)",
        readonly=True,
        copy=False,
        digits=(16, 3),
        help="Seconds it took to compute the scope.",
    )
    closed_at = fields.Datetime(readonly=True, copy=False, help="When the recall was closed.")
    hours_to_close = fields.Float(
        compute="_compute_hours_to_close",
        store=True,
        digits=(16, 2),
        string="Time to Close (h)",
        help="Hours from the first scope to closing.",
    )

    recall_lot_ids = fields.One2many(
        "stock.recall.lot",
        "recall_id",
        string="Affected Lots",
        domain=[("superseded", "=", False)],
        help="The lots of the current scope version.",
    )
    delivery_ids = fields.One2many(
        "stock.recall.delivery",
        "recall_id",
        string="Deliveries",
        domain=[("superseded", "=", False)],
        help="The customer deliveries of the current scope version.",
    )
    scope_id = fields.Many2one(
        "stock.recall.scope",
        string="Scope Version",
        readonly=True,
        copy=False,
        help="The current scope version.",
    )
    scope_ids = fields.One2many(
        "stock.recall.scope",
        "recall_id",
        string="Scope History",
        readonly=True,
        help="Every scope computed, newest first.",
    )
    scope_count = fields.Integer(
        string="Scope Versions", compute="_compute_scope_count", help="Scope versions computed."
    )
    scope_move_line_mark = fields.Integer(
        readonly=True,
        copy=False,
        help="Technical: the last stock move line when the recall was first scoped. Customer "
        "returns up to it net the shipped quantities; later ones count as recovered.",
    )
    product_line_ids = fields.One2many(
        "stock.recall.product",
        "recall_id",
        string="Product Totals",
        domain=[("superseded", "=", False)],
        readonly=True,
        help="Shipped, recovered and effectiveness per product.",
    )
    partner_line_ids = fields.One2many(
        "stock.recall.partner",
        "recall_id",
        string="Customers",
        help="Customers to notify and their follow-up.",
    )
    hold_ids = fields.One2many(
        "stock.lot.hold", "recall_id", string="Recall Holds", help="Holds placed by the recall."
    )
    upstream_lot_ids = fields.Many2many(
        "stock.lot",
        "stock_recall_upstream_lot_rel",
        "recall_id",
        "lot_id",
        string="Upstream Lots",
        readonly=True,
        copy=False,
        help="What the origin lots were made from: where the root cause may come from.",
    )
    supplier_ids = fields.Many2many(
        "res.partner",
        "stock_recall_supplier_rel",
        "recall_id",
        "partner_id",
        string="Root-Cause Suppliers",
        readonly=True,
        copy=False,
        help="Vendors of the upstream lots: where the root cause may come from.",
    )

    affected_lot_count = fields.Integer(
        compute="_compute_counts", store=True, help="Lots in the current scope."
    )
    delivery_count = fields.Integer(
        compute="_compute_counts", store=True, help="Customer deliveries of affected lots."
    )
    customer_count = fields.Integer(
        compute="_compute_counts", store=True, help="Customers to notify."
    )
    unassigned_delivery_count = fields.Integer(
        string="Deliveries Without Customer",
        compute="_compute_counts",
        store=True,
        help="Shipments of affected lots that name no customer: no e-mail can reach them.",
    )
    hold_count = fields.Integer(compute="_compute_hold_count", help="Holds placed by the recall.")
    mass_balance_gap_count = fields.Integer(
        string="Mass-Balance Gaps",
        compute="_compute_counts",
        store=True,
        help="Affected lots whose quantities do not add up.",
    )
    effectiveness_product_id = fields.Many2one(
        "product.product",
        string="Lowest Product",
        compute="_compute_effectiveness",
        store=True,
        help="The product with the lowest effectiveness: it sets the recall's.",
    )
    shipped_qty = fields.Float(
        string="Shipped (lowest product)",
        compute="_compute_effectiveness",
        store=True,
        digits="Product Unit of Measure",
        help="Net quantity shipped of the lowest product, in its unit of measure. Quantities "
        "of different products are never added up: see the Products tab.",
    )
    accounted_qty = fields.Float(
        string="Recovered (lowest product)",
        compute="_compute_effectiveness",
        store=True,
        digits="Product Unit of Measure",
        help="Quantity of the lowest product returned or accounted for by the customers.",
    )
    effectiveness = fields.Float(
        string="Effectiveness (%)",
        compute="_compute_effectiveness",
        store=True,
        digits=(16, 1),
        help="The lowest effectiveness of the recalled products, each being its recovered "
        "(returned or accounted for) / shipped quantity in its own unit of measure, "
        "between 0 and 100 %. A recall is only as effective as its worst product.",
    )
    xlsx_attachment_id = fields.Many2one(
        "ir.attachment", readonly=True, copy=False, help="The last recall workbook exported."
    )
    pdf_attachment_id = fields.Many2one(
        "ir.attachment", readonly=True, copy=False, help="The last recall report printed."
    )

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    # Written only by the recall's actions (models/evidence.py), like account.move.write:
    # the scope, its timing and state; then what a user may change depends on the state.
    _ACTION_FIELDS = {
        "state",
        "cancel_reason",
        "scope_started_at",
        "scoped_at",
        "scope_seconds",
        "closed_at",
        "scope_id",
        "scope_ids",
        "scope_move_line_mark",
        "recall_lot_ids",
        "delivery_ids",
        "partner_line_ids",
        "product_line_ids",
        "hold_ids",
        "upstream_lot_ids",
        "supplier_ids",
        "xlsx_attachment_id",
        "pdf_attachment_id",
    }
    _FROZEN_ONCE_SCOPED = {"lot_ids", "is_drill", "company_id"}

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("stock.recall") or _("New")
            if not evidence.is_system(self):
                self._check_user_create(vals)
        return super().create(vals_list)

    @api.model
    def _check_user_create(self, vals):
        """A recall is born a draft: its scope and state only come from its actions."""
        given = [name for name in self._ACTION_FIELDS if vals.get(name)]
        if given:
            raise UserError(
                _(
                    "A new recall cannot be given %(fields)s: they are written by its actions.",
                    fields=", ".join(self._fields[name].string for name in given),
                )
            )
        # explicit values: context defaults (default_state=...) must not seed them either
        vals.update(state="draft", scope_started_at=False, scoped_at=False, closed_at=False)

    def write(self, vals):
        if not evidence.is_system(self):
            for recall in self:
                recall._check_user_write(vals)
        return super().write(vals)

    def _check_user_write(self, vals):
        if self.state in ("closed", "cancelled"):
            allowed = set()
            why = _("A closed or cancelled recall is an audit record.")
        else:
            allowed = set(self._fields) - self._ACTION_FIELDS
            if self.state != "draft":
                allowed -= self._FROZEN_ONCE_SCOPED
            if all(
                command[0] == Command.UPDATE for command in vals.get("partner_line_ids", [(0,)])
            ):
                # the customers list of the form: each line's own guard decides
                allowed.add("partner_line_ids")
            why = _(
                "The origin lots, drill flag and company are fixed once the recall is scoped; "
                "its scope, customers and state are written by its actions."
            )
        evidence.check_writable(self, vals, allowed, why)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_scoped(self):
        scoped = self.filtered(lambda recall: recall.state != "draft" or recall.scoped_at)
        if scoped:
            raise UserError(
                _(
                    "Recalls that were scoped are audit records and cannot be deleted: "
                    "cancel %(recalls)s instead.",
                    recalls=", ".join(scoped.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("lot_ids")
    def _compute_product_ids(self):
        for recall in self:
            recall.product_ids = recall.lot_ids.product_id

    @api.depends("scope_started_at", "closed_at", "create_date")
    def _compute_hours_to_close(self):
        for recall in self:
            start = recall.scope_started_at or recall.create_date
            if recall.closed_at and start:
                recall.hours_to_close = (recall.closed_at - start).total_seconds() / 3600
            else:
                recall.hours_to_close = 0.0

    @api.depends("recall_lot_ids.mass_balance_gap", "delivery_ids", "partner_line_ids")
    def _compute_counts(self):
        """Counted in SQL for saved recalls: a scope may hold thousands of lines."""
        saved = self.filtered("id")
        counts = saved._line_counts() if saved else {}
        for recall in saved:
            recall.update(counts[recall.id])
        for recall in self - saved:
            recall.affected_lot_count = len(recall.recall_lot_ids)
            recall.delivery_count = len(recall.delivery_ids)
            recall.customer_count = len(recall.partner_line_ids)
            recall.unassigned_delivery_count = len(
                recall.delivery_ids.filtered(lambda delivery: not delivery.partner_id)
            )
            recall.mass_balance_gap_count = len(
                recall.recall_lot_ids.filtered("has_mass_balance_gap")
            )

    def _line_counts(self):
        """``{recall id: {count field: value}}`` of the current scope's lines."""
        for model_name in ("stock.recall.lot", "stock.recall.delivery", "stock.recall.partner"):
            self.env[model_name].flush_model()
        counts = {
            recall_id: {
                "affected_lot_count": 0,
                "delivery_count": 0,
                "customer_count": 0,
                "unassigned_delivery_count": 0,
                "mass_balance_gap_count": 0,
            }
            for recall_id in self.ids
        }
        self.env.cr.execute(
            SQL(
                """
                SELECT recall_id, COUNT(*), COUNT(*) FILTER (WHERE has_mass_balance_gap)
                  FROM stock_recall_lot
                 WHERE recall_id = ANY(%(ids)s) AND superseded IS NOT TRUE
                 GROUP BY recall_id
                """,
                ids=self.ids,
            )
        )
        for recall_id, lot_count, gap_count in self.env.cr.fetchall():
            counts[recall_id].update(affected_lot_count=lot_count, mass_balance_gap_count=gap_count)
        self.env.cr.execute(
            SQL(
                """
                SELECT recall_id, COUNT(*), COUNT(*) FILTER (WHERE partner_id IS NULL)
                  FROM stock_recall_delivery
                 WHERE recall_id = ANY(%(ids)s) AND superseded IS NOT TRUE
                 GROUP BY recall_id
                """,
                ids=self.ids,
            )
        )
        for recall_id, delivery_count, unassigned_count in self.env.cr.fetchall():
            counts[recall_id].update(
                delivery_count=delivery_count, unassigned_delivery_count=unassigned_count
            )
        self.env.cr.execute(
            SQL(
                """
                SELECT recall_id, COUNT(*) FROM stock_recall_partner
                 WHERE recall_id = ANY(%(ids)s) GROUP BY recall_id
                """,
                ids=self.ids,
            )
        )
        for recall_id, customer_count in self.env.cr.fetchall():
            counts[recall_id]["customer_count"] = customer_count
        return counts

    @api.depends("scope_ids")
    def _compute_scope_count(self):
        for recall in self:
            recall.scope_count = len(recall.scope_ids)

    @api.depends("hold_ids")
    def _compute_hold_count(self):
        for recall in self:
            recall.hold_count = len(recall.hold_ids)

    @api.depends(
        "product_line_ids.effectiveness",
        "product_line_ids.shipped_qty",
        "product_line_ids.recovered_qty",
    )
    def _compute_effectiveness(self):
        for recall in self:
            lowest = recall.product_line_ids.filtered("shipped_qty").sorted(
                lambda line: (line.effectiveness, line.product_id.id)
            )[:1]
            recall.effectiveness_product_id = lowest.product_id
            recall.shipped_qty = lowest.shipped_qty
            recall.accounted_qty = lowest.recovered_qty
            recall.effectiveness = lowest.effectiveness if lowest else 100.0

    # ------------------------------------------------------------------
    # Scope
    # ------------------------------------------------------------------
    def _check_recall_manager(self):
        if not self.env.user.has_group("stock_lot_traceability.group_recall_manager"):
            raise AccessError(_("Only Recall Managers can act on recalls."))

    def _check_state(self, allowed, action):
        for recall in self:
            if recall.state not in allowed:
                raise UserError(
                    _(
                        "Recall %(recall)s is %(state)s: it cannot be %(action)s.",
                        recall=recall.name,
                        state=dict(RECALL_STATES)[recall.state].lower(),
                        action=action,
                    )
                )

    # ------------------------------------------------------------------
    # Act
    # ------------------------------------------------------------------
    def action_hold_stock(self):
        """Hold every affected lot that still has stock (a drill only reports them)."""
        self._check_recall_manager()
        self._check_state(("scoped", "in_progress"), _("acted on"))
        for recall in self:
            lots = recall.recall_lot_ids.lot_id._lots_with_stock()
            already = recall.hold_ids.filtered(lambda hold: hold.state == "active").lot_id
            to_hold = lots - already
            if recall.is_drill:
                recall.message_post(
                    body=_(
                        "Drill: %(count)s lots with stock would be put on hold (%(lots)s). "
                        "No hold was placed.",
                        count=len(to_hold),
                        lots=", ".join(to_hold.mapped("name")) or _("none"),
                    )
                )
            elif to_hold:
                holds = to_hold._place_hold(
                    "recall",
                    _("Recall %(recall)s", recall=recall.name),
                    recall_id=recall.id,
                    company_id=recall.company_id.id,
                )
                recall._post_hold_digest(holds)
            evidence.system(recall).state = "in_progress"
        return True

    def _post_hold_digest(self, holds, listed=30):
        """One message for all the holds a recall placed: counts per product, first lots."""
        self.ensure_one()
        per_product = Markup("").join(
            Markup("<li>%s: %s</li>") % (product.display_name, len(product_holds))
            for product, product_holds in holds.grouped("product_id").items()
        )
        names = ", ".join(holds[:listed].lot_id.mapped("name"))
        if len(holds) > listed:
            names = _("%(names)s and %(count)s more", names=names, count=len(holds) - listed)
        self.message_post(
            body=Markup("<p>%s</p><ul>%s</ul><p>%s</p>")
            % (
                _(
                    "%(count)s lots put on hold (%(first)s to %(last)s):",
                    count=len(holds),
                    first=holds[:1].name,
                    last=holds[-1:].name,
                ),
                per_product,
                _("Lots: %s", names),
            )
        )

    def action_notify_customers(self):
        """E-mail every customer not yet notified (the responsible user, for a drill)."""
        self._check_recall_manager()
        self._check_state(("scoped", "in_progress"), _("acted on"))
        template = self.env.ref("stock_lot_traceability.stock_recall_partner_mail_template")
        for recall in self:
            lines = recall.partner_line_ids.filtered(lambda line: line.state == "to_notify")
            if not recall.is_drill:
                missing = lines.filtered(lambda line: not line.email)
                if missing:
                    raise UserError(
                        _(
                            "These customers have no e-mail address: %(partners)s. Add one or "
                            "waive them before notifying.",
                            partners=", ".join(missing.partner_id.mapped("display_name")),
                        )
                    )
            for line in lines:
                email_values = {}
                if recall.is_drill:
                    email_values = {
                        "email_to": recall.user_id.email_formatted,
                        "recipient_ids": [],
                    }
                template.send_mail(line.id, email_values=email_values)
            evidence.system(lines).write(
                {
                    "state": "notified",
                    "notified_at": fields.Datetime.now(),
                    "notified_by_id": self.env.uid,
                }
            )
            recall.message_post(
                body=_(
                    "%(count)s customers notified%(drill)s.",
                    count=len(lines),
                    drill=_(" (drill: e-mails sent to the responsible only)")
                    if recall.is_drill
                    else "",
                )
            )
            evidence.system(recall).state = "in_progress"
        return True

    def action_close(self):
        self._check_recall_manager()
        self._check_state(("scoped", "in_progress"), _("closed"))
        for recall in self:
            if not recall.scope_id or not recall.recall_lot_ids:
                raise UserError(
                    _(
                        "Recall %(recall)s cannot be closed: it has no computed scope or no "
                        "affected lot.",
                        recall=recall.name,
                    )
                )
            open_lines = recall.partner_line_ids.filtered(
                lambda line: line.state in ("to_notify", "notified")
            )
            if open_lines:
                raise UserError(
                    _(
                        "Recall %(recall)s cannot be closed: these customers have neither "
                        "acknowledged nor been waived: %(partners)s.",
                        recall=recall.name,
                        partners=", ".join(open_lines.partner_id.mapped("display_name")),
                    )
                )
            evidence.system(recall).write({"state": "closed", "closed_at": fields.Datetime.now()})
            recall.message_post(
                body=_(
                    "Recall closed in %(hours).2f h. Effectiveness: %(effectiveness).1f %% "
                    "(lowest product). %(products)s",
                    effectiveness=recall.effectiveness,
                    hours=recall.hours_to_close,
                    products="; ".join(recall._product_effectiveness_lines()),
                )
            )
            recall.activity_ids.action_feedback(feedback=_("Recall closed"))
        return True

    def action_cancel(self, reason):
        self._check_recall_manager()
        self._check_state(("draft", "scoped", "in_progress"), _("cancelled"))
        if not (reason or "").strip():
            raise UserError(_("Give the reason for cancelling the recall."))
        evidence.system(self).write({"state": "cancelled", "cancel_reason": reason})
        return True

    def action_open_cancel_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Cancel Recall"),
            "res_model": "stock.recall.cancel.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_recall_id": self.id},
        }

    # ------------------------------------------------------------------
    # Smart buttons
    # ------------------------------------------------------------------
    def _action_view(self, model, name, records):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": [("id", "in", records.ids)],
            "context": {"create": False},
        }

    @api.readonly
    def action_view_scopes(self):
        self.ensure_one()
        action = self._action_view("stock.recall.scope", _("Scope History"), self.scope_ids)
        action["context"] = {"create": False, "delete": False, "edit": False}
        return action

    @api.readonly
    def action_view_holds(self):
        self.ensure_one()
        return self._action_view("stock.lot.hold", _("Recall Holds"), self.hold_ids)

    @api.readonly
    def action_view_pickings(self):
        self.ensure_one()
        return self._action_view(
            "stock.picking", _("Recalled Deliveries"), self.delivery_ids.picking_id
        )

    # ------------------------------------------------------------------
    # Follow-up
    # ------------------------------------------------------------------
    @api.model
    def _cron_follow_up(self):
        """Remind the responsible of customers who have not acknowledged after N days."""
        todo_type = self.env.ref("mail.mail_activity_data_todo")
        for company in self.env["res.company"].search([]):
            days = company.recall_follow_up_days
            if days <= 0:
                continue
            deadline = fields.Datetime.now() - timedelta(days=days)
            lines = self.env["stock.recall.partner"].search(
                [
                    ("recall_id.company_id", "=", company.id),
                    ("recall_id.state", "=", "in_progress"),
                    ("state", "=", "notified"),
                    ("notified_at", "<=", deadline),
                ]
            )
            for recall, recall_lines in lines.grouped("recall_id").items():
                summary = _("Recall follow-up: customers to chase")
                if recall.activity_ids.filtered(
                    lambda act, summary=summary: (
                        act.summary == summary and act.activity_type_id == todo_type
                    )
                ):
                    continue
                recall.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=recall.user_id.id,
                    summary=summary,
                    note=Markup("<p>%s</p><ul>%s</ul>")
                    % (
                        _("No acknowledgement after %s days from:", days),
                        Markup("").join(
                            Markup("<li>%s</li>") % partner.display_name
                            for partner in recall_lines.partner_id
                        ),
                    ),
                )
