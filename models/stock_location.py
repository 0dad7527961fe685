from odoo import fields, models


class StockLocation(models.Model):
    _inherit = "stock.location"

    is_quarantine = fields.Boolean(
        string="Quarantine Location",
        help="Lots on quality hold may be moved into this location (and between quarantine "
        "locations); every other move of a held lot out of stock is refused.",
    )
