"""REST API: the actions on one lot (hold, repack, archive)."""

from odoo import _
from odoo.exceptions import UserError
from odoo.http import Controller, request

from .api_common import (
    api_route,
    bad_parameter,
    check_keys,
    choice_param,
    find_lot,
    float_param,
    int_param,
    json_body,
    json_response,
    str_param,
)
from .api_lots import hold_values, lot_details


class LotTraceabilityApiLotActions(Controller):
    @api_route("/lots/<string:ref>/holds", ["POST"])
    def place_hold(self, ref, **params):
        check_keys(params, ("product",), "query")
        lot = find_lot(ref, params.get("product"))
        body = json_body()
        check_keys(body, ("reason", "note"))
        reasons = [key for key, _label in request.env["stock.lot.hold"]._fields["reason"].selection]
        reason = choice_param(body, "reason", reasons)
        if not reason:
            raise bad_parameter("reason", "required")
        hold = request.env["stock.lot.hold"].create(
            {"lot_id": lot.id, "reason": reason, "note": str_param(body, "note") or False}
        )
        return json_response(hold_values(hold), 201)

    @api_route("/lots/<string:ref>/repack", ["POST"])
    def repack(self, ref, **params):
        check_keys(params, ("product",), "query")
        lot = find_lot(ref, params.get("product"))
        body = json_body()
        check_keys(body, ("quantity", "location", "good_qty", "waste_qty", "reason", "note"))
        location_id = int_param(body, "location", minimum=1, required=True)
        location = request.env["stock.location"].search([("id", "=", location_id)])
        if not location:
            raise bad_parameter("location", f"unknown location {location_id}")
        new_lot = lot._repack(
            float_param(body, "quantity", required=True),
            location,
            float_param(body, "good_qty", required=True),
            float_param(body, "waste_qty", 0.0),
            str_param(body, "reason", required=True),
            note=str_param(body, "note") or False,
        )
        return json_response(lot_details(new_lot), 201)

    @api_route("/lots/<string:ref>/archive", ["POST"])
    def archive(self, ref, **params):
        check_keys(params, ("product",), "query")
        lot = find_lot(ref, params.get("product"))
        check_keys(json_body(), ())
        if not lot.active:
            raise UserError(_("Lot %s is already archived.", lot.display_name))
        if lot.product_qty > 0:
            # the same rule as the depleted-lots cron (models/stock_lot_archive.py)
            raise UserError(
                _("Lot %s still has stock on hand: it cannot be archived.", lot.display_name)
            )
        lot.action_archive()
        return json_response(lot_details(lot))
