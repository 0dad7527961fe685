from odoo import fields, models


class StockLotAllergen(models.Model):
    """An allergen a lot may contain: the 14 of EU Regulation 1169/2011, Annex II, are data."""

    _name = "stock.lot.allergen"
    _description = "Allergen"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True, help="The allergen, e.g. Peanuts.")
    code = fields.Char(help="Short code used in exports and labels.")
    sequence = fields.Integer(default=10, help="Order of the allergens in lists and on the CoA.")
    active = fields.Boolean(default=True, help="Archived allergens can no longer be set on lots.")
    description = fields.Text(translate=True, help="What the regulation covers under this name.")

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "An allergen code must be unique."),
    ]
