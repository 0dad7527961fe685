from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    send_coa = fields.Boolean(
        string="Send Certificates of Analysis with deliveries",
        help="When a delivery to this customer is validated, e-mail the Certificate of "
        "Analysis of every lot shipped to its delivery contact. Set on the company: its "
        "contacts and addresses follow it.",
    )

    def _commercial_fields(self):
        """The customer company decides for all its contacts and delivery addresses."""
        return [*super()._commercial_fields(), "send_coa"]
