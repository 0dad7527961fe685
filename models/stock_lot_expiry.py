from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.tools import format_amount, format_date, formatLang


class StockLot(models.Model):
    """Expiry control: the company's default alert lead time and the daily expiry control
    (digest to the inventory managers, ``expired`` holds on newly expired stock)."""

    _inherit = "stock.lot"

    expiry_reported = fields.Boolean(
        readonly=True,
        copy=False,
        help="The daily expiry control has reported this lot as expired (and held its "
        "stock). Cleared when the expiration date changes.",
    )

    @api.depends("product_id", "expiration_date")
    def _compute_dates(self):
        """A product without an alert lead time of its own (Alert Date 0) takes the
        company's default (Inventory settings)."""
        res = super()._compute_dates()
        for lot in self:
            if (
                lot.expiration_date
                and lot.alert_date == lot.expiration_date
                and not lot.product_id.alert_time
            ):
                days = (lot.company_id or self.env.company).lot_expiry_alert_days
                if days:
                    lot.alert_date = lot.expiration_date - timedelta(days=days)
        return res

    def write(self, vals):
        if "expiration_date" in vals and "expiry_reported" not in vals:
            vals = {**vals, "expiry_reported": False}
        return super().write(vals)

    # ------------------------------------------------------------------
    # Daily expiry control
    # ------------------------------------------------------------------
    @api.model
    def _cron_expiry_control(self):
        """Per company: hold the stock of newly expired lots (one ``expired`` hold per lot,
        none if one is active already) and queue one digest mail to the inventory managers
        listing the near-expiry and newly expired lots, with quantity and value.

        Set-based: the stock is read from the expiry report (one grouped query), the holds
        are created in one call, one ``mail.mail`` per company.
        """
        self.env.flush_all()  # the report is a SQL view over lots and quants
        report = self.env["stock.lot.expiry.report"]
        groups = report._read_group(
            [("expiry_state", "in", ("near_expiry", "expired"))],
            ["company_id", "expiry_state", "lot_id"],
            ["quantity:sum", "value:sum"],
        )
        per_company = {}
        for company, state, lot, quantity, value in groups:
            if state == "expired" and lot.expiry_reported:
                continue
            per_company.setdefault(company, {"near_expiry": [], "expired": []})
            per_company[company][state].append((lot, quantity, value))
        newly_expired = self.browse(
            lot.id for lines in per_company.values() for lot, _quantity, _value in lines["expired"]
        )
        newly_expired._hold_expired_stock()
        mails = self.env["mail.mail"]
        for company, lines in per_company.items():
            mails |= self._queue_expiry_digest(company, lines)
        return mails

    def _hold_expired_stock(self):
        """One ``expired`` hold per lot of ``self`` without an active one; mark them
        reported so that the next run neither lists nor holds them again."""
        if not self:
            return self.env["stock.lot.hold"]
        to_hold = self.filtered(
            lambda lot: not lot.active_hold_ids.filtered(lambda hold: hold.reason == "expired")
        )
        holds = self.env["stock.lot.hold"].create(
            [
                {
                    "lot_id": lot.id,
                    "reason": "expired",
                    "company_id": lot.company_id.id or self.env.company.id,
                    "note": _(
                        "Expired on %s: held by the daily expiry control.",
                        format_date(self.env, lot.expiration_date),
                    ),
                }
                for lot in to_hold
            ]
        )
        self.write({"expiry_reported": True})
        return holds

    @api.model
    def _expiry_digest_recipients(self, company):
        """The inventory managers (Inventory / Administrator) of ``company``."""
        return self.env["res.users"].search(
            [
                ("groups_id", "in", self.env.ref("stock.group_stock_manager").id),
                ("company_ids", "in", company.id),
                ("share", "=", False),
            ]
        )

    @api.model
    def _queue_expiry_digest(self, company, lines):
        recipients = self._expiry_digest_recipients(company).partner_id
        if not recipients:
            return self.env["mail.mail"]
        env = self.with_company(company).env
        currency = company.currency_id

        def rows(items):
            return [
                {
                    "lot": lot.name,
                    "product": lot.product_id.display_name,
                    "expiration_date": format_date(env, lot.expiration_date),
                    "quantity": formatLang(env, quantity, digits=3).rstrip("0").rstrip(".,"),
                    "uom": lot.product_id.uom_id.name,
                    "value": format_amount(env, value, currency),
                }
                for lot, quantity, value in sorted(items, key=lambda item: item[0].expiration_date)
            ]

        near, expired = rows(lines["near_expiry"]), rows(lines["expired"])
        total = sum(value for _lot, _quantity, value in lines["expired"])
        body = env["ir.qweb"]._render(
            "stock_lot_traceability.expiry_digest_mail",
            {
                "company": company,
                "near_lines": near,
                "expired_lines": expired,
                "expired_value": format_amount(env, total, currency),
            },
        )
        return env["mail.mail"].create(
            {
                "subject": _(
                    "%(company)s: expiry digest, %(near)s near expiry, %(expired)s newly expired",
                    company=company.name,
                    near=len(near),
                    expired=len(expired),
                ),
                "body_html": body,
                "email_from": company.email_formatted or self.env.user.email_formatted,
                "recipient_ids": [Command.set(recipients.ids)],
                "auto_delete": False,
            }
        )
