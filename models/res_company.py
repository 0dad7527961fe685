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
    adjustment_reason_strict = fields.Boolean(
        string="Adjustment Reasons in Server Code",
        help="Users (web client, imports, JSON-RPC and XML-RPC) always give a reason when "
        "they apply a count of a lot-tracked product. Tick this to require one from server "
        "code too (other modules, scheduled actions, scripts run in an Odoo shell).",
    )
    lot_archive_days = fields.Integer(
        string="Archive Depleted Lots After (days)",
        default=3,
        help="A lot with no stock left is archived this many days after its last delivery "
        "or consumption. Archived lots stay in every trace, recall and report.",
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

    @api.constrains("lot_archive_days")
    def _check_lot_archive_days(self):
        for company in self.filtered(lambda company: company.lot_archive_days < 0):
            raise ValidationError(
                _(
                    "%(company)s: the delay before archiving depleted lots cannot be negative.",
                    company=company.name,
                )
            )
