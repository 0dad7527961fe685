from datetime import datetime, time, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class StockLotAllergenReport(models.TransientModel):
    """Customers who received products containing an allergen in a date range.

    A product contains the allergen when its lot declares it or was made, at any depth, from
    a lot that declares it: one downstream trace of every declaring lot (engine), then one
    search of the done customer lines of all those lots in the range.
    """

    _name = "stock.lot.allergen.report"
    _description = "Customers Who Received an Allergen"

    allergen_id = fields.Many2one(
        "stock.lot.allergen",
        required=True,
        help="The allergen to list deliveries of.",
    )
    date_from = fields.Date(
        string="From",
        required=True,
        default=fields.Date.context_today,
        help="First delivery date listed.",
    )
    date_to = fields.Date(
        string="To",
        required=True,
        default=fields.Date.context_today,
        help="Last delivery date listed.",
    )
    line_ids = fields.One2many(
        "stock.lot.allergen.report.line",
        "report_id",
        readonly=True,
        help="Deliveries of lots containing the allergen in the period.",
    )

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for report in self:
            if report.date_to < report.date_from:
                raise ValidationError(
                    _(
                        "The end of the period (To, %(date_to)s) is before its start "
                        "(From, %(date_from)s).",
                        date_to=report.date_to,
                        date_from=report.date_from,
                    )
                )

    def _period(self):
        """The period as datetimes, the 'To' day included."""
        return (
            datetime.combine(self.date_from, time.min),
            datetime.combine(self.date_to + timedelta(days=1), time.min),
        )

    def _delivery_lines(self):
        """Done customer move lines of lots containing the allergen, within the period."""
        self.ensure_one()
        lots = self.env["stock.lot"]._lots_containing_allergen(self.allergen_id)
        start, end = self._period()
        return lots._trace_deliveries().filtered(lambda line: start <= line.date < end)

    def action_compute(self):
        self.ensure_one()
        self.line_ids.unlink()
        lines = self._delivery_lines()
        self.env["stock.lot.allergen.report.line"].create(
            [
                {
                    "report_id": self.id,
                    "move_line_id": line.id,
                    "partner_id": (
                        line.picking_id.partner_id or line.move_id.partner_id
                    ).commercial_partner_id.id,
                    "lot_id": line.lot_id.id,
                    "product_id": line.product_id.id,
                    "picking_id": line.picking_id.id,
                    "date": line.date,
                    "quantity": line.quantity_product_uom,
                }
                for line in lines
            ]
        )
        return {
            "type": "ir.actions.act_window",
            "name": _(
                "Customers who received %(allergen)s from %(start)s to %(end)s",
                allergen=self.allergen_id.name,
                start=self.date_from,
                end=self.date_to,
            ),
            "res_model": "stock.lot.allergen.report.line",
            "view_mode": "list",
            "domain": [("report_id", "=", self.id)],
            "context": {"create": False, "search_default_group_by_partner": 1},
        }
