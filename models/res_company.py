from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    recall_follow_up_days = fields.Integer(
        string="Recall Follow-up (days)",
        default=3,
        help="Remind the recall's responsible of customers who have not acknowledged a "
        "recall notice after this many days. 0 disables the reminder.",
    )

    @api.constrains("recall_follow_up_days")
    def _check_recall_follow_up_days(self):
        for company in self.filtered(lambda company: company.recall_follow_up_days < 0):
            raise ValidationError(
                _(
                    "%(company)s: the recall follow-up delay cannot be negative (0 disables it).",
                    company=company.name,
                )
            )

    lot_expiry_alert_days = fields.Integer(
        string="Default Expiry Alert (days)",
        default=0,
        help="Days before a lot's expiration date when it becomes 'near expiry', for the "
        "products that set no alert lead time of their own (Alert Date 0).",
    )

    @api.constrains("lot_expiry_alert_days")
    def _check_lot_expiry_alert_days(self):
        for company in self.filtered(lambda company: company.lot_expiry_alert_days < 0):
            raise ValidationError(
                _(
                    "%(company)s: the default expiry alert lead time cannot be negative.",
                    company=company.name,
                )
            )
