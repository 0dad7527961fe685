"""REST API: lots (list, read, create, update) and how the API shows them.

A lot's genealogy: api_lot_genealogy.py; the actions on a lot: api_lot_actions.py.
"""

from odoo import fields
from odoo.http import Controller, request

from .api_common import (
    api_route,
    bad_parameter,
    bool_param,
    check_keys,
    choice_param,
    date_param,
    find_lot,
    find_product,
    int_param,
    json_body,
    json_response,
    page,
    page_params,
    ref_of,
    str_param,
)

LOT_FILTERS = (
    "product",
    "vendor_lot",
    "purchase_order",
    "receipt",
    "sale_order",
    "vendor",
    "customer",
    "status",
    "stage",
    "hold_state",
    "date_field",
    "date_from",
    "date_to",
    "include_archived",
    "limit",
    "offset",
)
# date_field of the lots list: which date of the lot the range applies to
DATE_FIELDS = {
    "created": "create_date",
    "received": "receipt_date_search",
    "delivered": "delivery_date_search",
    "expiration": "expiration_date",
}
# fields a client may write on a lot (POST and PATCH); the rest is computed or evidence
WRITABLE_FIELDS = (
    "ref",
    "note",
    "vendor_lot_name",
    "production_date",
    "origin_country",
    "expiration_date",
)


SUMMARY_FIELDS = [
    "name",
    "product_id",
    "hold_state",
    "lot_stage",
    "lot_condition",
    "expiration_date",
    "vendor_lot_name",
    "active",
]


def lot_summary(lots):
    """The lots of a list, a trace or a report, fetched in one go. The product is named by
    its name and internal reference (its display name, with variant values, costs a query
    per product: too slow for a trace of hundreds of products)."""
    lots.fetch(SUMMARY_FIELDS)
    lots.product_id.fetch(["name", "default_code"])
    return [
        {
            "id": lot.id,
            "name": lot.name,
            "product": {
                "id": lot.product_id.id,
                "name": lot.product_id.name,
                "default_code": lot.product_id.default_code or None,
            },
            "hold_state": lot.hold_state,
            "stage": lot.lot_stage,
            "condition": lot.lot_condition,
            "expiration_date": lot.expiration_date or None,
            "vendor_lot": lot.vendor_lot_name or None,
            "active": lot.active,
        }
        for lot in lots
    ]


def hold_values(hold):
    return {
        "id": hold.id,
        "name": hold.name,
        "lot": ref_of(hold.lot_id),
        "reason": hold.reason,
        "note": hold.note or None,
        "state": hold.state,
        "placed_at": hold.placed_at,
        "placed_by": ref_of(hold.placed_by_id),
        "released_at": hold.released_at or None,
        "released_by": ref_of(hold.released_by_id),
        "release_note": hold.release_note or None,
        "recall_id": hold.recall_id.id or None,
    }


def lot_details(lot):
    """What the lot form shows: quantities per location, dates, hold and recall state,
    attributes and documents."""
    quants = lot.quant_ids.filtered(lambda q: q.location_id.usage == "internal" and q.quantity)
    recall_lines = request.env["stock.recall.lot"]
    if recall_lines.has_access("read"):  # recalls are for Quality and Recall Managers
        recall_lines = recall_lines.search([("lot_id", "=", lot.id)])
    return {
        "id": lot.id,
        "name": lot.name,
        "ref": lot.ref or None,
        "product": ref_of(lot.product_id, "default_code"),
        "company": ref_of(lot.company_id),
        "active": lot.active,
        "uom": lot.product_uom_id.name,
        "quantity": lot.product_qty,
        "quantities": [
            {
                "location": ref_of(quant.location_id),
                "quantity": quant.quantity,
                "reserved": quant.reserved_quantity,
            }
            for quant in quants
        ],
        "dates": {
            "created": lot.create_date,
            "production": lot.production_date or None,
            "expiration": lot.expiration_date or None,
            "best_before": lot.use_date or None,
            "removal": lot.removal_date or None,
            "alert": lot.alert_date or None,
        },
        "stage": lot.lot_stage,
        "condition": lot.lot_condition,
        "hold_state": lot.hold_state,
        "holds": [hold_values(hold) for hold in lot.active_hold_ids],
        "recalled": lot.lot_condition == "recalled",
        "recalls": [
            {"id": line.recall_id.id, "name": line.recall_id.name, "state": line.recall_id.state}
            for line in recall_lines
        ]
        if recall_lines.has_access("read")
        else None,
        "attributes": {
            "vendor_lot": lot.vendor_lot_name or None,
            "origin_country": lot.origin_country_id.code or None,
            "allergens": lot.allergen_ids.mapped("name"),
            "inherited_allergens": lot.inherited_allergen_ids.mapped("name"),
            "certifications": [
                {
                    "type": cert.certification_type,
                    "name": cert.name or None,
                    "number": cert.number or None,
                    "issuer": cert.issuer or None,
                    "valid_until": cert.valid_until or None,
                }
                for cert in lot.certification_ids
            ],
        },
        "documents": [
            {"id": doc.id, "name": doc.name, "mimetype": doc.mimetype} for doc in lot.document_ids
        ],
        "note": lot.note or None,
    }


def writable_values(body):
    """ORM values of the whitelisted fields of ``body``; another field is a 400."""
    check_keys(body, WRITABLE_FIELDS)
    vals = {}
    for name in ("ref", "note", "vendor_lot_name"):
        if name in body:
            vals[name] = str_param(body, name) or False
    if "production_date" in body:
        vals["production_date"] = date_param(body, "production_date") or False
    if "expiration_date" in body:
        vals["expiration_date"] = date_param(body, "expiration_date", datetime_=True) or False
    if "origin_country" in body:
        code = str_param(body, "origin_country")
        country = request.env["res.country"].search([("code", "=", (code or "").upper())])
        if code and not country:
            raise bad_parameter("origin_country", f"unknown ISO country code {code!r}")
        vals["origin_country_id"] = country.id or False
    return vals


class LotTraceabilityApiLots(Controller):
    # ------------------------------------------------------------------
    # Lots
    # ------------------------------------------------------------------
    @api_route("/lots", ["GET"], readonly=True)
    def list_lots(self, **params):
        check_keys(params, LOT_FILTERS, "query")
        domain = self._lots_domain(params)
        lots = request.env["stock.lot"].with_context(
            active_test=not bool_param(params, "include_archived")
        )
        limit, offset = page_params()
        total = lots.search_count(domain)
        records = lots.search(domain, limit=limit, offset=offset, order="id desc")
        return json_response(page(lot_summary(records), total, limit, offset))

    def _lots_domain(self, params):
        domain = []
        if params.get("product"):
            domain.append(("product_id", "=", find_product(params["product"]).id))
        for param, field in (
            ("vendor_lot", "vendor_lot_name"),
            ("purchase_order", "purchase_order_search"),
            ("receipt", "receipt_search"),
            ("sale_order", "sale_order_search"),
        ):
            if params.get(param):
                domain.append((field, "ilike", params[param]))
        for param, field in (("vendor", "vendor_search_id"), ("customer", "customer_search_id")):
            if params.get(param):
                domain.append((field, "=", int_param(params, param, minimum=1)))
        stages = [key for key, _label in request.env["stock.lot"]._fields["lot_stage"].selection]
        conditions = [
            key for key, _label in request.env["stock.lot"]._fields["lot_condition"].selection
        ]
        if params.get("status"):
            domain.append(("lot_condition", "=", choice_param(params, "status", conditions)))
        if params.get("stage"):
            domain.append(("lot_stage", "=", choice_param(params, "stage", stages)))
        if params.get("hold_state"):
            domain.append(("hold_state", "=", choice_param(params, "hold_state", ["free", "held"])))
        field = DATE_FIELDS[choice_param(params, "date_field", list(DATE_FIELDS), "created")]
        date_from = date_param(params, "date_from", datetime_=True)
        date_to = date_param(params, "date_to", datetime_=True)
        if date_from and date_to and date_from > date_to:
            raise bad_parameter("date_to", "must not be before date_from")
        if date_from:
            domain.append((field, ">=", date_from))
        if date_to:
            if len(params["date_to"]) == 10:  # a day: up to its end
                date_to = fields.Datetime.end_of(date_to, "day")
            domain.append((field, "<=", date_to))
        return domain

    @api_route("/lots/<string:ref>", ["GET"], readonly=True)
    def get_lot(self, ref, **params):
        check_keys(params, ("product",), "query")
        return json_response(lot_details(find_lot(ref, params.get("product"))))

    @api_route("/lots", ["POST"])
    def create_lot(self, **_params):
        """A new lot of a product, named by the product's numbering rule unless a name is
        given."""
        body = json_body()
        product_ref = body.pop("product", None)
        if product_ref is None:
            raise bad_parameter("product", "required")
        name = str_param(body, "name")
        body.pop("name", None)
        product = find_product(product_ref)
        if product.tracking == "none":
            raise bad_parameter("product", f"{product.display_name} is not tracked by lot")
        vals = writable_values(body)
        name = name or product._next_lot_name()
        if not name:
            raise bad_parameter(
                "name",
                f"required: {product.display_name} has no lot numbering rule",
            )
        lot = request.env["stock.lot"].create(
            {
                "name": name,
                "product_id": product.id,
                "company_id": request.env.company.id,
                **vals,
            }
        )
        return json_response(lot_details(lot), 201)

    @api_route("/lots/<string:ref>", ["PATCH"])
    def update_lot(self, ref, **params):
        check_keys(params, ("product",), "query")
        lot = find_lot(ref, params.get("product"))
        vals = writable_values(json_body())
        if not vals:
            raise bad_parameter(
                "body", f"nothing to update (allowed: {', '.join(WRITABLE_FIELDS)})"
            )
        lot.write(vals)
        return json_response(lot_details(lot))
