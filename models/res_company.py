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
