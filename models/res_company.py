from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    recall_follow_up_days = fields.Integer(
        string="Recall Follow-up (days)",
        default=3,
        help="Remind the recall's responsible of customers who have not acknowledged a "
        "recall notice after this many days. 0 disables the reminder.",
    )
