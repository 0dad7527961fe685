"""REST API: recalls and drills, their scope and EPCIS export."""

from odoo import Command
from odoo.http import Controller, request

from .api_common import (
    api_route,
    bad_parameter,
    bool_param,
    check_keys,
    choice_param,
    find_lot,
    find_record,
    json_body,
    json_response,
    ref_of,
    str_param,
)


def recall_values(recall):
    """The recall and its current scope: affected lots, deliveries, customers."""
    return {
        "id": recall.id,
        "name": recall.name,
        "state": recall.state,
        "is_drill": recall.is_drill,
        "reason": recall.reason,
        "classification": recall.classification,
        "company": ref_of(recall.company_id),
        "lots": [ref_of(lot) for lot in recall.lot_ids],
        "scope_started_at": recall.scope_started_at or None,
        "scoped_at": recall.scoped_at or None,
        "scope_seconds": recall.scope_seconds,
        "affected_lots": [
            {
                "lot": ref_of(line.lot_id),
                "product": ref_of(line.product_id),
                "depth": line.depth,
                "on_hand": line.on_hand_qty,
                "shipped": line.shipped_qty,
                "consumed": line.consumed_qty,
                "scrapped": line.scrapped_qty,
                "returned": line.returned_qty,
                "mass_balance_gap": line.mass_balance_gap,
                "hold_state": line.hold_state,
            }
            for line in recall.recall_lot_ids
        ],
        "deliveries": [
            {
                "partner": ref_of(line.partner_id),
                "picking": ref_of(line.picking_id),
                "sale_order": ref_of(line.sale_id),
                "lot": ref_of(line.lot_id),
                "quantity": line.quantity,
                "returned": line.returned_qty,
                "net": line.net_qty,
                "date_done": line.date_done or None,
            }
            for line in recall.delivery_ids
        ],
        "customers": [
            {
                "partner": ref_of(line.partner_id),
                "email": line.email or None,
                "quantity": line.quantity,
                "state": line.state,
            }
            for line in recall.partner_line_ids
        ],
    }


class LotTraceabilityApiRecalls(Controller):
    @api_route("/recalls", ["POST"])
    def create_recall(self, **params):
        """Start a recall (or a drill, ``is_drill``) of lots and compute its scope."""
        check_keys(params, (), "query")
        body = json_body()
        check_keys(body, ("lots", "reason", "classification", "is_drill"))
        refs = body.get("lots")
        if not refs or not isinstance(refs, list):
            raise bad_parameter("lots", "a non-empty list of lot ids or names is expected")
        lots = request.env["stock.lot"]
        for ref in refs:
            if not isinstance(ref, int | str):
                raise bad_parameter("lots", f"a lot id or name is expected, got {ref!r}")
            lots |= find_lot(ref)
        classifications = [
            key for key, _label in request.env["stock.recall"]._fields["classification"].selection
        ]
        recall = request.env["stock.recall"].create(
            {
                "lot_ids": [Command.set(lots.ids)],
                "reason": str_param(body, "reason", required=True),
                "classification": choice_param(body, "classification", classifications, "class_2"),
                "is_drill": bool_param(body, "is_drill"),
            }
        )
        recall.action_compute_scope()
        return json_response(recall_values(recall), 201)

    @api_route("/recalls/<int:recall_id>", ["GET"], readonly=True)
    def get_recall(self, recall_id, **params):
        check_keys(params, (), "query")
        return json_response(recall_values(find_record("stock.recall", recall_id, "recall")))

    @api_route("/recalls/<int:recall_id>/epcis", ["GET"], readonly=True)
    def recall_epcis(self, recall_id, **params):
        check_keys(params, (), "query")
        return json_response(find_record("stock.recall", recall_id, "recall")._epcis_document())
