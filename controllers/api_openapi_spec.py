"""The OpenAPI 3 document of the lot traceability API, written by hand.

Tests validate it with ``openapi-spec-validator`` and check that it describes exactly the
routes of the controllers.
"""

from .api_common import API_ROOT, DEFAULT_LIMIT, MAX_LIMIT
from .api_openapi_schemas import SCHEMAS, page_of, ref

ERRORS = {
    "400": "Bad parameter (the message names it)",
    "401": "No API key, or an invalid one",
    "403": "Not allowed for the key's owner",
    "404": "Unknown lot, hold or recall",
    "409": "Refused by a rule (e.g. releasing a released hold)",
}


def _json(schema):
    return {"application/json": {"schema": schema}}


def _query(name, schema, description, required=False):
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        "description": description,
    }


def _operation(summary, schema, params=(), body=None, status="200", errors=()):
    responses = {status: {"description": summary, "content": _json(schema)}}
    for code in ("400", "401", "403", "404", "409", *errors):
        responses[code] = {"$ref": f"#/components/responses/E{code}"}
    operation = {
        "summary": summary,
        "operationId": None,
        "parameters": list(params),
        "responses": responses,
    }
    if body:
        operation["requestBody"] = {"required": True, "content": _json(body)}
    return operation


LOT_REF = {
    "name": "ref",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "description": "Lot id, or lot name (add `product` when the name is used by several "
    "products; with `product`, the reference is always a name)",
}
PRODUCT = _query(
    "product", {"type": "string"}, "Product id or internal reference (disambiguates a lot name)"
)
PAGE = [
    _query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        "Page size",
    ),
    _query("offset", {"type": "integer", "minimum": 0, "default": 0}, "Items to skip"),
]
ID_PARAM = {
    "in": "path",
    "required": True,
    "schema": {"type": "integer"},
}
LOT_FILTER_PARAMS = [
    PRODUCT,
    _query("vendor_lot", {"type": "string"}, "Vendor lot number contains"),
    _query("purchase_order", {"type": "string"}, "Received on a purchase order (contains)"),
    _query("receipt", {"type": "string"}, "Received on a receipt (reference contains)"),
    _query("sale_order", {"type": "string"}, "Delivered on a sales order (contains)"),
    _query("vendor", {"type": "integer"}, "Received from this vendor (partner id)"),
    _query("customer", {"type": "integer"}, "Delivered to this customer (partner id)"),
    _query(
        "status",
        {
            "type": "string",
            "enum": ["available", "on_hold", "near_expiry", "expired", "recalled"],
        },
        "Lot condition",
    ),
    _query(
        "stage",
        {
            "type": "string",
            "enum": [
                "ordered",
                "received",
                "in_stock",
                "allocated",
                "in_transit",
                "delivered",
                "consumed",
                "repacked",
                "archived",
            ],
        },
        "Lot stage",
    ),
    _query("hold_state", {"type": "string", "enum": ["free", "held"]}, "Quality status"),
    _query(
        "date_field",
        {
            "type": "string",
            "enum": ["created", "received", "delivered", "expiration"],
            "default": "created",
        },
        "Which date date_from/date_to apply to",
    ),
    _query("date_from", {"type": "string"}, "ISO date or date and time (inclusive)"),
    _query("date_to", {"type": "string"}, "ISO date (whole day) or date and time (inclusive)"),
    _query("include_archived", {"type": "boolean", "default": False}, "Also archived lots"),
    *PAGE,
]


def _paths():
    hold_id = {**ID_PARAM, "name": "hold_id"}
    recall_id = {**ID_PARAM, "name": "recall_id"}
    lot = [LOT_REF, PRODUCT]
    direction = _query(
        "direction",
        {"type": "string", "enum": ["down", "up"], "default": "down"},
        "down: made from this lot (where used); up: what it was made from",
    )
    max_depth = _query("max_depth", {"type": "integer", "minimum": 0}, "Levels to walk")
    epcis_direction = _query(
        "direction", {"type": "string", "enum": ["both", "down", "up"], "default": "both"}, ""
    )
    days = _query("days", {"type": "integer", "minimum": 0, "default": 30}, "Days ahead")
    return {
        "/lots": {
            "get": _operation(
                "Search lots", page_of(ref("LotSummary")), LOT_FILTER_PARAMS, errors=()
            ),
            "post": _operation(
                "Create a lot (named by the product's numbering rule)",
                ref("Lot"),
                body=ref("LotCreate"),
                status="201",
            ),
        },
        "/lots/{ref}": {
            "get": _operation("Get a lot", ref("Lot"), lot),
            "patch": _operation(
                "Update a lot's allowed fields", ref("Lot"), lot, body=ref("LotWrite")
            ),
        },
        "/lots/{ref}/timeline": {
            "get": _operation("A lot's history, oldest first", ref("Timeline"), lot)
        },
        "/lots/{ref}/trace": {
            "get": _operation(
                "Lots downstream or upstream, with depth and links",
                ref("Trace"),
                [*lot, direction, max_depth],
            )
        },
        "/lots/{ref}/customers": {
            "get": _operation(
                "Customers of the lot and of what was made from it, net of returns",
                ref("Customers"),
                lot,
            )
        },
        "/lots/{ref}/suppliers": {
            "get": _operation(
                "Vendors of the lot and of what it was made from", ref("Suppliers"), lot
            )
        },
        "/lots/{ref}/quarantine-impact": {
            "get": _operation("What holding the lot would block", ref("QuarantineImpact"), lot)
        },
        "/lots/{ref}/epcis": {
            "get": _operation(
                "EPCIS 2.0 document of the lot's chain",
                ref("EpcisDocument"),
                [*lot, epcis_direction],
            )
        },
        "/lots/{ref}/holds": {
            "post": _operation(
                "Place a quality hold", ref("Hold"), lot, body=ref("HoldCreate"), status="201"
            )
        },
        "/holds/{hold_id}/release": {
            "post": _operation(
                "Release a hold (Quality Managers)",
                ref("Hold"),
                [hold_id],
                body=ref("HoldRelease"),
            )
        },
        "/lots/{ref}/repack": {
            "post": _operation(
                "Repack part of the lot into a new lot <name>R",
                ref("Lot"),
                lot,
                body=ref("Repack"),
                status="201",
            )
        },
        "/lots/{ref}/archive": {"post": _operation("Archive a depleted lot", ref("Lot"), lot)},
        "/reports/expiring": {
            "get": _operation(
                "Stock expiring within days", page_of(ref("ExpiryRow")), [days, *PAGE]
            )
        },
        "/reports/expired": {"get": _operation("Expired stock", page_of(ref("ExpiryRow")), PAGE)},
        "/reports/held": {"get": _operation("Lots on hold", page_of(ref("LotSummary")), PAGE)},
        "/recalls": {
            "post": _operation(
                "Start a recall or drill and compute its scope",
                ref("Recall"),
                body=ref("RecallCreate"),
                status="201",
            )
        },
        "/recalls/{recall_id}": {
            "get": _operation("A recall and its scope", ref("Recall"), [recall_id])
        },
        "/recalls/{recall_id}/epcis": {
            "get": _operation(
                "EPCIS 2.0 document of a recall's scope", ref("EpcisDocument"), [recall_id]
            )
        },
        "/openapi.json": {
            "get": {
                "summary": "This document",
                "operationId": "getOpenapi",
                "responses": {
                    "200": {"description": "OpenAPI 3 document", "content": _json({})},
                    "401": {"$ref": "#/components/responses/E401"},
                },
            }
        },
    }


def _operation_ids(paths):
    for path, operations in paths.items():
        for method, operation in operations.items():
            if operation.get("operationId") is None:
                words = [
                    word.strip("{}").replace("-", "_").replace("_id", "").title().replace("_", "")
                    for word in path.split("/")
                    if word
                ]
                operation["operationId"] = method + "".join(words)
    return paths


def openapi_document(server_url=""):
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Lot Traceability API",
            "version": "1.0.0",
            "description": "Lots, genealogy, holds, recalls and EPCIS export of "
            "stock_lot_traceability. Authenticate with an Odoo API key "
            "(Preferences > Account Security > New API Key) sent as "
            "`Authorization: Bearer <key>`; the key's owner's access rights apply.",
        },
        "servers": [{"url": server_url + API_ROOT}],
        "security": [{"apiKey": []}],
        "paths": _operation_ids(_paths()),
        "components": {
            "securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
            "responses": {
                f"E{code}": {"description": text, "content": _json(ref("Error"))}
                for code, text in ERRORS.items()
            },
        },
    }
