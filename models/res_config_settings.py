from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    recall_follow_up_days = fields.Integer(
        related="company_id.recall_follow_up_days", readonly=False
    )
    adjustment_reason_strict = fields.Boolean(
        related="company_id.adjustment_reason_strict", readonly=False
    )
    lot_archive_days = fields.Integer(related="company_id.lot_archive_days", readonly=False)
