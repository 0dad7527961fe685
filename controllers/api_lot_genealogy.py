"""REST API: a lot's genealogy (trace, timeline, customers, suppliers, quarantine impact, EPCIS)."""

from odoo.http import Controller, request

from .api_common import (
    api_route,
    check_keys,
    choice_param,
    find_lot,
    int_param,
    json_response,
    ref_of,
)
from .api_lots import lot_summary

TOTALS = ("delivered", "returned", "net")


class LotTraceabilityApiLotGenealogy(Controller):
    @api_route("/lots/<string:ref>/timeline", ["GET"], readonly=True)
    def lot_timeline(self, ref, **params):
        check_keys(params, ("product",), "query")
        lot = find_lot(ref, params.get("product"))
        keys = (
            "date",
            "kind",
            "res_model",
            "res_id",
            "document",
            "quantity",
            "uom",
            "location",
            "location_dest",
            "partner",
            "user",
            "description",
            "order",
        )
        events = [
            {key: event.get(key) if event.get(key) is not False else None for key in keys}
            for event in lot._timeline()
        ]
        return json_response({"lot": ref_of(lot), "events": events})

    @api_route("/lots/<string:ref>/trace", ["GET"], readonly=True)
    def lot_trace(self, ref, **params):
        """The lots reachable from this one (``direction`` down: made from it, up: what it
        was made from), with their depth, and the genealogy links between them."""
        check_keys(params, ("product", "direction", "max_depth"), "query")
        lot = find_lot(ref, params.get("product"))
        direction = choice_param(params, "direction", ["down", "up"], "down")
        max_depth = int_param(params, "max_depth", minimum=0, maximum=1000)
        depths = lot._trace(direction, max_depth=max_depth)
        lots = request.env["stock.lot"].with_context(active_test=False).browse(list(depths))
        # a link is walked from its input going down, from its output going up
        walked_from, walked_to = (
            ("parent_lot_id", "child_lot_id")
            if direction == "down"
            else ("child_lot_id", "parent_lot_id")
        )
        links = request.env["stock.lot.link"].search_fetch(
            [(walked_from, "in", lots.ids)],
            ["parent_lot_id", "child_lot_id", "kind", "quantity", "product_uom_id", "date"],
            order="date, id",
        )
        links = links.filtered(
            lambda link: (
                link[walked_to].id in depths
                and (max_depth is None or depths[link[walked_from].id] < max_depth)
            )
        )
        items = lot_summary(lots)
        for item in items:
            item["depth"] = depths[item["id"]]
        items.sort(key=lambda item: (item["depth"], item["id"]))
        return json_response(
            {
                "lot": ref_of(lot),
                "direction": direction,
                "max_depth": max_depth,
                "lots": items,
                "links": [
                    {
                        "id": link.id,
                        "parent_lot_id": link.parent_lot_id.id,
                        "child_lot_id": link.child_lot_id.id,
                        "kind": link.kind,
                        "quantity": link.quantity,
                        "uom": link.product_uom_id.name or None,
                        "date": link.date,
                    }
                    for link in links
                ],
            }
        )

    @api_route("/lots/<string:ref>/customers", ["GET"], readonly=True)
    def lot_customers(self, ref, **params):
        """Customers who received this lot or anything made from it, net of returns."""
        check_keys(params, ("product",), "query")
        lot = find_lot(ref, params.get("product"))
        rows = lot._trace_lots("down")._trace_customer_quantities()
        partners = request.env["res.partner"].browse({row["partner_id"] for row in rows})
        lots = request.env["stock.lot"].with_context(active_test=False)
        customers = {}
        for row in rows:
            partner = partners.browse(row["partner_id"])
            customer = customers.setdefault(
                partner.id,
                {
                    "partner": ref_of(partner),
                    "delivered": 0.0,
                    "returned": 0.0,
                    "net": 0.0,
                    "lots": [],
                },
            )
            for key in TOTALS:
                customer[key] += row[key]
            customer["lots"].append(
                {
                    "lot": ref_of(lots.browse(row["lot_id"])),
                    "delivered": row["delivered"],
                    "returned": row["returned"],
                    "net": row["net"],
                }
            )
        return json_response({"lot": ref_of(lot), "customers": list(customers.values())})

    @api_route("/lots/<string:ref>/suppliers", ["GET"], readonly=True)
    def lot_suppliers(self, ref, **params):
        """Vendors of this lot or of any lot it was made from, with the lots received."""
        check_keys(params, ("product",), "query")
        lot = find_lot(ref, params.get("product"))
        vendors_by_lot = lot._trace_lots("up")._receipt_vendors_by_lot()
        lots = request.env["stock.lot"].with_context(active_test=False)
        suppliers = {}
        for lot_id, vendors in sorted(vendors_by_lot.items()):
            for vendor in vendors:
                supplier = suppliers.setdefault(vendor.id, {"partner": ref_of(vendor), "lots": []})
                supplier["lots"].append(ref_of(lots.browse(lot_id)))
        return json_response({"lot": ref_of(lot), "suppliers": list(suppliers.values())})

    # not readonly: like the lot form's button, it computes a (transient) impact record
    @api_route("/lots/<string:ref>/quarantine-impact", ["GET"])
    def lot_quarantine_impact(self, ref, **params):
        """What holding this lot would block: the lot form's "Quarantine Impact"."""
        check_keys(params, ("product",), "query")
        lot = find_lot(ref, params.get("product"))
        impact = request.env["stock.lot.quarantine.impact"].create({"lot_id": lot.id})
        return json_response(
            {
                "lot": ref_of(lot),
                "affected_lots": lot_summary(impact.affected_lot_ids),
                "stock": [
                    {
                        "lot": ref_of(quant.lot_id),
                        "location": ref_of(quant.location_id),
                        "quantity": quant.quantity,
                    }
                    for quant in impact.quant_ids
                ],
                "transfers": [
                    {"id": p.id, "name": p.name, "state": p.state} for p in impact.picking_ids
                ],
                "manufacturing_orders": [
                    {"id": p.id, "name": p.name, "state": p.state} for p in impact.production_ids
                ],
            }
        )

    @api_route("/lots/<string:ref>/epcis", ["GET"], readonly=True)
    def lot_epcis(self, ref, **params):
        check_keys(params, ("product", "direction"), "query")
        lot = find_lot(ref, params.get("product"))
        direction = choice_param(params, "direction", ["both", "down", "up"], "both")
        return json_response(lot._epcis_document(direction=direction))
