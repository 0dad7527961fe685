from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# Certificates issued by a certification body expire: they need a validity date.
TYPES_WITH_VALIDITY = ("organic", "fairtrade", "halal", "kosher")


class StockLotCertification(models.Model):
    """A certificate covering a lot: organic, Fairtrade, halal, kosher..."""

    _name = "stock.lot.certification"
    _description = "Lot Certification"
    _order = "lot_id, certification_type, id"
    _rec_name = "number"

    lot_id = fields.Many2one(
        "stock.lot",
        required=True,
        ondelete="cascade",
        index=True,
        help="The certified lot.",
    )
    company_id = fields.Many2one(
        related="lot_id.company_id", store=True, index=True, help="The company of the lot."
    )
    certification_type = fields.Selection(
        [
            ("organic", "Organic"),
            ("fairtrade", "Fairtrade"),
            ("halal", "Halal"),
            ("kosher", "Kosher"),
            ("other", "Other"),
        ],
        string="Type",
        required=True,
        default="organic",
        help="The scheme the lot is certified under.",
    )
    name = fields.Char(string="Description", help="Scheme or label, e.g. 'EU organic'.")
    # required by the constraint below (a clear message, not a database error)
    number = fields.Char(string="Certificate Number", help="The certificate's number.")
    issuer = fields.Char(string="Certification Body", help="The body that issued the certificate.")
    valid_until = fields.Date(help="Last day the certificate is valid.")
    is_expired = fields.Boolean(
        compute="_compute_is_expired", help="The certificate is past its validity date."
    )

    @api.depends("valid_until")
    def _compute_is_expired(self):
        today = fields.Date.context_today(self)
        for certification in self:
            certification.is_expired = bool(
                certification.valid_until and certification.valid_until < today
            )

    @api.constrains("certification_type", "valid_until", "number")
    def _check_number_and_validity(self):
        types = dict(self._fields["certification_type"]._description_selection(self.env))
        for certification in self:
            if not (certification.number or "").strip():
                raise ValidationError(
                    _(
                        "The %(type)s certification of lot %(lot)s needs a Certificate Number.",
                        type=types[certification.certification_type],
                        lot=certification.lot_id.display_name,
                    )
                )
            if certification.certification_type in TYPES_WITH_VALIDITY and not (
                certification.valid_until
            ):
                raise ValidationError(
                    _(
                        "The %(type)s certificate %(number)s of lot %(lot)s needs a "
                        "'Valid Until' date.",
                        type=types[certification.certification_type],
                        number=certification.number,
                        lot=certification.lot_id.display_name,
                    )
                )
