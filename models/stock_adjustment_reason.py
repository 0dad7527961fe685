from odoo import fields, models


class StockAdjustmentReason(models.Model):
    """Why a counted quantity of a lot differs from the books (damage, theft, expiry…).

    Required when a user applies a count of a lot-tracked product; recorded on the
    inventory move and reported by lot and reason.
    """

    _name = "stock.adjustment.reason"
    _description = "Inventory Adjustment Reason"
    _order = "sequence, name, id"

    name = fields.Char(
        required=True,
        translate=True,
        help="Why a counted quantity differs from the stock, e.g. Damage.",
    )
    sequence = fields.Integer(default=10, help="Order of the reasons in the pickers.")
    description = fields.Text(translate=True, help="When to use this reason.")
    active = fields.Boolean(default=True, help="Archived reasons can no longer be chosen.")
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty to offer this reason in every company.",
    )

    _sql_constraints = [
        (
            "name_company_uniq",
            "UNIQUE(name, company_id)",
            "An adjustment reason with this name already exists.",
        ),
    ]
