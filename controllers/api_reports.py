"""REST API: expiry and hold reports, and the release of a hold."""

from odoo import fields
from odoo.http import Controller, request

from .api_common import (
    api_route,
    bad_parameter,
    check_keys,
    find_record,
    int_param,
    json_body,
    json_response,
    ref_of,
    search_page,
    str_param,
)
from .api_lots import hold_values, lot_summary


def expiry_rows(rows):
    """Rows of the expiry report (stock.lot.expiry.report: one per quant, valued)."""
    return [
        {
            "lot": ref_of(row.lot_id),
            "product": ref_of(row.product_id),
            "location": ref_of(row.location_id),
            "quantity": row.quantity,
            "uom": row.product_uom_id.name,
            "value": row.value,
            "currency": row.currency_id.name,
            "expiration_date": row.expiration_date,
            "days_left": row.days_left,
            "expiry_state": row.expiry_state,
            "hold_state": row.hold_state,
        }
        for row in rows
    ]


class LotTraceabilityApiReports(Controller):
    @api_route("/reports/expiring", ["GET"], readonly=True)
    def expiring(self, **params):
        """Stock expiring within ``days`` (the "Near expiry" report's domain)."""
        check_keys(params, ("days", "limit", "offset"), "query")
        days = int_param(params, "days", 30, minimum=0, maximum=3650)
        now = fields.Datetime.now()
        domain = [
            ("expiration_date", ">", now),
            ("expiration_date", "<=", fields.Datetime.add(now, days=days)),
        ]
        report = request.env["stock.lot.expiry.report"]
        return json_response(search_page(report, domain, expiry_rows))

    @api_route("/reports/expired", ["GET"], readonly=True)
    def expired(self, **params):
        check_keys(params, ("limit", "offset"), "query")
        domain = [("expiration_date", "<=", fields.Datetime.now())]
        report = request.env["stock.lot.expiry.report"]
        return json_response(search_page(report, domain, expiry_rows))

    @api_route("/reports/held", ["GET"], readonly=True)
    def held(self, **params):
        """Lots on hold, with their active holds."""
        check_keys(params, ("limit", "offset"), "query")

        def serialize(lots):
            items = lot_summary(lots)
            for item, lot in zip(items, lots, strict=True):
                item["holds"] = [hold_values(hold) for hold in lot.active_hold_ids]
            return items

        lots = request.env["stock.lot"].with_context(active_test=False)
        return json_response(search_page(lots, [("hold_state", "=", "held")], serialize, "id"))

    @api_route("/holds/<int:hold_id>/release", ["POST"])
    def release_hold(self, hold_id, **params):
        """Release a hold with a note (Quality Managers only: ``action_release`` checks)."""
        check_keys(params, (), "query")
        body = json_body()
        check_keys(body, ("note",))
        note = str_param(body, "note")
        if not note:
            raise bad_parameter("note", "required: explain why the hold is lifted")
        hold = find_record("stock.lot.hold", hold_id, "hold")
        hold.action_release(note)
        return json_response(hold_values(hold))
