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
    lot_expiry_alert_days = fields.Integer(
        related="company_id.lot_expiry_alert_days", readonly=False
    )
    lots_on_delivery_slip = fields.Boolean(
        string="Lots on Delivery Slips and the Customer Portal",
        related="group_lot_on_delivery_slip",
        readonly=False,
        help="Odoo's own setting: delivery slips, printed or downloaded from the portal, list "
        "the lots shipped on each line.",
    )
