from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

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
        string="Reference", required=True, readonly=True, copy=False, default=lambda self: _("New")
    )
    lot_id = fields.Many2one(
        "stock.lot",
        string="Lot",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    product_id = fields.Many2one(related="lot_id.product_id", store=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    reason = fields.Selection(HOLD_REASONS, required=True, default="other", tracking=True)
    note = fields.Text(help="What is suspected, what QA is waiting for.")
    state = fields.Selection(
        [("active", "On Hold"), ("released", "Released"), ("cancelled", "Cancelled")],
        required=True,
        default="active",
        readonly=True,
        index=True,
        tracking=True,
        copy=False,
    )
    placed_by_id = fields.Many2one(
        "res.users", string="Placed By", readonly=True, default=lambda self: self.env.user
    )
    placed_at = fields.Datetime(
        string="Placed On", readonly=True, required=True, default=fields.Datetime.now
    )
    released_by_id = fields.Many2one("res.users", string="Closed By", readonly=True, copy=False)
    released_at = fields.Datetime(string="Closed On", readonly=True, copy=False)
    release_note = fields.Text(readonly=True, copy=False, tracking=True)
    recall_id = fields.Many2one(
        "stock.recall", string="Recall", index="btree_not_null", readonly=True, check_company=True
    )

    # What a user may change, per state, like account.move.write; the rest is evidence,
    # written once at creation or by action_release / action_cancel (models/evidence.py).
    _EDITABLE_FIELDS = {"active": {"note"}, "released": set(), "cancelled": set()}

    @api.model_create_multi
    def create(self, vals_list):
        if not evidence.is_system(self):
            for vals in vals_list:
                # who placed it and when is stamped, never typed; a hold is born active
                vals.update(
                    state="active",
                    placed_by_id=self.env.uid,
                    placed_at=fields.Datetime.now(),
                    released_by_id=False,
                    released_at=False,
                    release_note=False,
                )
        lots = self.env["stock.lot"].browse(
            [vals["lot_id"] for vals in vals_list if vals.get("lot_id")]
        )
        lots._lock_for_new_hold()
        company_by_lot = {lot.id: lot.company_id.id for lot in lots}
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("stock.lot.hold") or _("New")
            if vals.get("lot_id") and company_by_lot.get(vals["lot_id"]):
                vals.setdefault("company_id", company_by_lot[vals["lot_id"]])
        holds = super().create(vals_list)
        holds._log_on_lots(_("Placed on hold"), with_note=True)
        holds._schedule_review_activities()
        return holds

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
        self.activity_feedback(["mail.mail_activity_data_todo"], feedback=note)

    # ------------------------------------------------------------------
    # Chatter and activities
    # ------------------------------------------------------------------
    def _log_on_lots(self, label, with_note=False, extra=None):
        reasons = dict(self._fields["reason"]._description_selection(self.env))
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
            hold.lot_id.message_post(body=Markup("<br/>").join(parts))

    def _schedule_review_activities(self):
        """A To-Do for every quality manager of the lot's company, to review the hold."""
        group = self.env.ref("stock_lot_traceability.group_quality_manager")
        for hold in self:
            reviewers = group.users.filtered(
                lambda user, hold=hold: hold.company_id in user.company_ids and not user.share
            )
            reviewers = (reviewers - hold.placed_by_id) or hold.placed_by_id
            for user in reviewers:
                hold.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=user.id,
                    summary=_("Review hold on lot %s", hold.lot_id.display_name),
                )
