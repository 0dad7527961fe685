from datetime import timedelta

from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from . import evidence


class StockRecall(models.Model):
    """What a Recall Manager does with a scoped recall: hold the stock, notify the
    customers, close or cancel; the smart buttons; the follow-up of silent customers."""

    _inherit = "stock.recall"

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
        for company in self.env["res.company"].search([("recall_follow_up_days", ">", 0)]):
            days = company.recall_follow_up_days
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
