from odoo import fields, models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    quarantine_location_id = fields.Many2one(
        "stock.location",
        check_company=True,
        domain="[('usage', '=', 'internal'), ('is_quarantine', '=', True)]",
        help="Where recalled or held goods that customers send back are received by "
        "default. Empty: the first quarantine location of the warehouse.",
    )

    def _quarantine_location(self):
        """The location receiving recalled or held goods sent back to this warehouse."""
        self.ensure_one()
        return self.quarantine_location_id or self.env["stock.location"].search(
            [
                ("is_quarantine", "=", True),
                ("usage", "=", "internal"),
                ("id", "child_of", self.view_location_id.id),
            ],
            order="complete_name, id",
            limit=1,
        )
