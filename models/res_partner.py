from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResPartner(models.Model):
    _inherit = "res.partner"

    min_shelf_life_days = fields.Integer(
        string="Minimum Remaining Shelf Life (days)",
        help="Days of shelf life (to the lot's expiration date) the goods must still have "
        "when they arrive at this customer. Reservation for its deliveries skips lots with "
        "less; shipping one with less needs a Quality Manager's override. 0: no minimum.",
    )

    @api.constrains("min_shelf_life_days")
    def _check_min_shelf_life_days(self):
        for partner in self.filtered(lambda partner: partner.min_shelf_life_days < 0):
            raise ValidationError(
                _(
                    "%(partner)s: the minimum remaining shelf life cannot be negative.",
                    partner=partner.display_name,
                )
            )

    def _min_shelf_life_days(self):
        """The partner's own minimum, or else its company's (a delivery address)."""
        self.ensure_one()
        return self.min_shelf_life_days or self.commercial_partner_id.min_shelf_life_days

    send_coa = fields.Boolean(
        string="Send Certificates of Analysis with deliveries",
        help="When a delivery to this customer is validated, e-mail the Certificate of "
        "Analysis of every lot shipped to its delivery contact. Set on the company: its "
        "contacts and addresses follow it.",
    )

    def _commercial_fields(self):
        """The customer company decides for all its contacts and delivery addresses."""
        return [*super()._commercial_fields(), "send_coa"]
