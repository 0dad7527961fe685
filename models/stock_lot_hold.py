from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL
from odoo.tools.mail import generate_tracking_message_id

from . import evidence

HOLD_REASONS = [
    ("incoming_inspection", "Incoming inspection"),
    ("failed_test", "Failed test"),
    ("lab_pending", "Lab result pending"),
    ("supplier_recall", "Supplier recall"),
    ("customer_complaint", "Customer complaint"),
    ("expired", "Expired"),
    ("recall", "Recall"),
    ("other", "Other"),
]


class StockLotHold(models.Model):
    """A quality hold: while active, its lot cannot be reserved, consumed or shipped."""

    _name = "stock.lot.hold"
    _description = "Lot Quality Hold"
    _inherit = ["stock.lot.check.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "placed_at desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: _("New"),
        help="The hold's reference.",
    )
    lot_id = fields.Many2one(
        "stock.lot",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
        help="The lot held.",
    )
    product_id = fields.Many2one(
        related="lot_id.product_id", store=True, help="The product of the lot held."
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        help="The company that placed the hold.",
    )
    reason = fields.Selection(
        HOLD_REASONS, required=True, default="other", tracking=True, help="Why the lot is held."
    )
    note = fields.Text(help="What is suspected, what QA is waiting for.")
    state = fields.Selection(
        [("active", "On Hold"), ("released", "Released"), ("cancelled", "Cancelled")],
        required=True,
        default="active",
        readonly=True,
        index=True,
        tracking=True,
        copy=False,
        help="On Hold until a Quality Manager releases or cancels it.",
    )
    placed_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        default=lambda self: self.env.user,
        help="Who placed the hold.",
    )
    placed_at = fields.Datetime(
        string="Placed On",
        readonly=True,
        required=True,
        default=fields.Datetime.now,
        help="When the hold was placed.",
    )
    released_by_id = fields.Many2one(
        "res.users",
        string="Closed By",
        readonly=True,
        copy=False,
        help="Who released or cancelled the hold.",
    )
    released_at = fields.Datetime(
        string="Closed On",
        readonly=True,
        copy=False,
        help="When the hold was released or cancelled.",
    )
    release_note = fields.Text(
        readonly=True, copy=False, tracking=True, help="Why the hold was released or cancelled."
    )
    recall_id = fields.Many2one(
        "stock.recall",
        index="btree_not_null",
        readonly=True,
        check_company=True,
        help="The recall that placed this hold.",
    )

    # What a user may change, per state, like account.move.write; the rest is evidence,
    # written once at creation or by action_release / action_cancel (models/evidence.py).
    _EDITABLE_FIELDS = {"active": {"note"}, "released": set(), "cancelled": set()}

    @api.model_create_multi
    def create(self, vals_list):
        """Create all the holds in one insert, then log them and schedule their review for
        the whole batch: one chatter line per lot, one activity per reviewer (on the recall
        for recall holds), no message or follower per hold."""
        now = fields.Datetime.now()
        if not evidence.is_system(self):
            for vals in vals_list:
                # who placed it and when is stamped, never typed; a hold is born active
                vals.update(
                    state="active",
                    placed_by_id=self.env.uid,
                    placed_at=now,
                    released_by_id=False,
                    released_at=False,
                    release_note=False,
                )
        lots = self.env["stock.lot"].browse(
            [vals["lot_id"] for vals in vals_list if vals.get("lot_id")]
        )
        lots._lock_for_new_hold()
        company_by_lot = {lot.id: lot.company_id.id for lot in lots}
        new = _("New")
        unnamed = [vals for vals in vals_list if vals.get("name", new) == new]
        for vals, name in zip(unnamed, self._next_names(len(unnamed)), strict=True):
            vals["name"] = name
        for vals in vals_list:
            # one placing time per batch: a batch's review activity covers its holds
            vals.setdefault("placed_at", now)
            if vals.get("lot_id") and company_by_lot.get(vals["lot_id"]):
                vals.setdefault("company_id", company_by_lot[vals["lot_id"]])
        holds = super(StockLotHold, self.with_context(tracking_disable=True)).create(vals_list)
        holds = holds.with_env(self.env)  # later writes (release, cancel) are tracked
        holds._log_on_lots(_("Placed on hold"), with_note=True)
        holds._schedule_review_activities()
        return holds

    def _check_company(self, fnames=None):
        """The standard check, record by record, costs a second for the thousands of holds
        a recall places at once: the lots and recall of all the holds of one company are
        checked together first, and only a batch that fails is checked record by record
        (the standard check, for its exact message)."""
        names = self._fields if fnames is None or "company_id" in fnames else fnames
        fields_checked = [
            name
            for name in names
            if self._fields[name].relational and self._fields[name].check_company
        ]
        if len(self) < 2 or not fields_checked:
            return super()._check_company(fnames)
        for company, holds in self.grouped("company_id").items():
            for name in fields_checked:
                linked = holds.sudo()[name].with_context(active_test=False)
                domain = linked._check_company_domain(company)
                if linked and domain and linked.filtered_domain(domain) != linked:
                    return super()._check_company(fnames)
        return None

    def write(self, vals):
        if not evidence.is_system(self):
            for hold in self:
                evidence.check_writable(
                    hold,
                    vals,
                    self._EDITABLE_FIELDS[hold.state],
                    _(
                        "Only the note of an active hold may change: release or cancel it "
                        "(and place a new hold if the lot or reason was wrong)."
                    )
                    if hold.state == "active"
                    else _("A released or cancelled hold is a closed record."),
                )
        return super().write(vals)

    @api.model
    def _next_names(self, count):
        """``count`` references of the hold sequence, drawn in one query."""
        if not count:
            return []
        sequence = self.env["ir.sequence"].search(
            [("code", "=", "stock.lot.hold"), ("company_id", "in", [self.env.company.id, False])],
            order="company_id",
            limit=1,
        )
        if not sequence:
            return [_("New")] * count
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence._next() for _index in range(count)]
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{sequence.id:03d}",
                count,
            )
        )
        prefix, suffix = sequence._get_prefix_suffix()
        return [
            f"{prefix}{number:0{sequence.padding}d}{suffix}" for (number,) in self.env.cr.fetchall()
        ]

    @api.ondelete(at_uninstall=False)
    def _unlink_except_traceability_record(self):
        raise UserError(
            _(
                "Quality holds are kept as traceability records and cannot be deleted: "
                "release or cancel %(holds)s instead.",
                holds=", ".join(self.mapped("display_name")),
            )
        )

    @api.depends("name", "lot_id")
    def _compute_display_name(self):
        for hold in self:
            hold.display_name = (
                f"{hold.name} ({hold.lot_id.display_name})" if hold.lot_id else hold.name
            )

    # ------------------------------------------------------------------
    # Release / cancel
    # ------------------------------------------------------------------
    def action_release(self, note):
        """Release these holds; the lots become free once none of their holds is active."""
        self._close("released", note)

    def action_cancel(self, note):
        """Cancel holds placed by mistake (kept in history with the reason)."""
        self._close("cancelled", note)

    def action_open_release_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Release Holds"),
            "res_model": "stock.lot.hold.release.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_hold_ids": self.filtered(lambda h: h.state == "active").ids},
        }

    def action_open_cancel_wizard(self):
        action = self.action_open_release_wizard()
        action["name"] = _("Cancel Holds")
        action["context"]["default_mode"] = "cancel"
        return action

    def _close(self, state, note):
        if not self.env.user.has_group("stock_lot_traceability.group_quality_manager"):
            raise AccessError(_("Only Quality Managers can release or cancel quality holds."))
        if not (note or "").strip():
            raise UserError(_("Explain why the hold is lifted: a note is required."))
        not_active = self.filtered(lambda hold: hold.state != "active")
        if not_active:
            raise UserError(
                _(
                    "These holds are no longer active: %(holds)s.",
                    holds=", ".join(not_active.mapped("display_name")),
                )
            )
        evidence.system(self).write(
            {
                "state": state,
                "release_note": note,
                "released_by_id": self.env.user.id,
                "released_at": fields.Datetime.now(),
            }
        )
        label = _("Hold released") if state == "released" else _("Hold cancelled")
        self._log_on_lots(label, extra=note)
        self._close_review_activities(note)

    # ------------------------------------------------------------------
    # Chatter and activities
    # ------------------------------------------------------------------
    def _log_on_lots(self, label, with_note=False, extra=None):
        """One chatter line per lot for these holds, written in one batch."""
        reasons = dict(self._fields["reason"]._description_selection(self.env))
        bodies = {}
        for hold in self:
            parts = [
                Markup("<b>%s</b>: %s (%s)") % (label, hold._get_html_link(), reasons[hold.reason])
            ]
            # a lot shared between companies has one chatter for all: notes stay on the hold
            private = not hold.lot_id.company_id
            if with_note and hold.note and not private:
                parts.append(hold.note)
            if extra and not private:
                parts.append(extra)
            body = Markup("<br/>").join(parts)
            previous = bodies.get(hold.lot_id.id)
            bodies[hold.lot_id.id] = previous + Markup("<br/>") + body if previous else body
        self._message_log_lots(bodies)

    def _message_log_lots(self, bodies):
        """Log ``{lot_id: body}`` on the lots' chatter as ``_message_log_batch`` does (one
        internal note each, same author, no notification), in one INSERT.

        The ORM creates and sanitizes messages one by one: seconds for the thousands of
        lots a recall holds. The bodies here are built from escaped ``Markup``, so there is
        nothing to sanitize."""
        if not bodies:
            return
        lots = self.env["stock.lot"].browse(list(bodies))
        author_id, email_from = lots._message_compute_author(raise_on_email=False)
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO mail_message (
                    model, res_id, body, message_type, subtype_id, is_internal, author_id,
                    email_from, reply_to, message_id, email_add_signature, date,
                    create_uid, create_date, write_uid, write_date)
                SELECT 'stock.lot', note.res_id, note.body, 'notification', %(subtype_id)s,
                       TRUE, %(author_id)s, %(email_from)s, %(reply_to)s, %(message_id)s, FALSE,
                       %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(res_ids)s::integer[], %(bodies)s::text[]) AS note(res_id, body)
                """,
                subtype_id=self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
                author_id=author_id or None,
                email_from=email_from or None,
                reply_to=self.env["mail.thread"]._notify_get_reply_to(default=email_from)[False],
                message_id=generate_tracking_message_id("message-notify"),
                now=now,
                uid=self.env.uid,
                res_ids=list(bodies),
                bodies=[str(body) for body in bodies.values()],
            )
        )
        lots.invalidate_recordset(["message_ids"])

    def _review_batches(self):
        """``{(company, placed by, recall, placed at): holds}``: the holds placed together,
        which one review activity per reviewer covers."""
        return self.grouped(
            lambda hold: (hold.company_id, hold.placed_by_id, hold.recall_id, hold.placed_at)
        )

    def _schedule_review_activities(self):
        """One review activity per quality manager of the company and batch of holds (not
        per hold): on the recall for recall holds, else on the first hold of the batch."""
        group = self.env.ref("stock_lot_traceability.group_quality_manager")
        for (company, placed_by, recall, _placed_at), holds in self._review_batches().items():
            reviewers = group.users.filtered(
                lambda user, company=company: company in user.company_ids and not user.share
            )
            reviewers = (reviewers - placed_by) or placed_by
            record = recall or holds[:1]
            summary, note = holds._review_summary()
            for user in reviewers:
                record.activity_schedule(
                    "stock_lot_traceability.mail_activity_type_hold_review",
                    user_id=user.id,
                    summary=summary,
                    note=note,
                )

    def _review_summary(self, listed=20):
        """Summary and note of the review activity of these holds (the first lots named)."""
        if len(self) == 1:
            return _("Review hold on lot %s", self.lot_id.display_name), False
        names = ", ".join(self[:listed].lot_id.mapped("display_name"))
        if len(self) > listed:
            names = _("%(names)s and %(count)s more", names=names, count=len(self) - listed)
        summary = _("Review %(count)s quality holds", count=len(self))
        if self.recall_id:
            summary = _(
                "Review %(count)s holds of recall %(recall)s",
                count=len(self),
                recall=self.recall_id[:1].name,
            )
        return summary, Markup("<p>%s</p>") % _("Lots: %s", names)

    def _close_review_activities(self, note):
        """Mark done the review activities of the batches whose holds are all lifted."""
        activity_type = "stock_lot_traceability.mail_activity_type_hold_review"
        for company, placed_by, recall, placed_at in self._review_batches():
            if recall:
                if not recall.hold_ids.filtered(lambda hold: hold.state == "active"):
                    # sudo: Quality Managers only read recalls, yet lifting the last hold of
                    # a recall ends the review the recall gave them
                    recall.sudo().activity_feedback([activity_type], feedback=note)
                continue
            batch = self.search(
                [
                    ("recall_id", "=", False),
                    ("company_id", "=", company.id),
                    ("placed_by_id", "=", placed_by.id),
                    ("placed_at", "=", placed_at),
                ]
            )
            if not batch.filtered(lambda hold: hold.state == "active"):
                batch.activity_feedback([activity_type], feedback=note)
