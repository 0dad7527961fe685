"""The OpenAPI 3 document of the lot traceability API, written by hand.

Tests validate it with ``openapi-spec-validator`` and check that it describes exactly the
routes of the controllers.
"""

from .api_common import API_ROOT, DEFAULT_LIMIT, MAX_LIMIT

ERRORS = {
    "400": "Bad parameter (the message names it)",
    "401": "No API key, or an invalid one",
    "403": "Not allowed for the key's owner",
    "404": "Unknown lot, hold or recall",
    "409": "Refused by a rule (e.g. releasing a released hold)",
}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


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
NULLABLE_STRING = {"type": "string", "nullable": True}
REF = {
    "type": "object",
    "nullable": True,
    "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
}
WRITABLE = {
    "ref": NULLABLE_STRING,
    "note": NULLABLE_STRING,
    "vendor_lot_name": NULLABLE_STRING,
    "production_date": {"type": "string", "format": "date", "nullable": True},
    "origin_country": {**NULLABLE_STRING, "description": "ISO 3166 code"},
    "expiration_date": {"type": "string", "nullable": True, "description": "ISO date and time"},
}


def _page_of(schema):
    return {
        "type": "object",
        "required": ["items", "total", "limit", "offset", "next"],
        "properties": {
            "items": {"type": "array", "items": schema},
            "total": {"type": "integer"},
            "limit": {"type": "integer"},
            "offset": {"type": "integer"},
            "next": {**NULLABLE_STRING, "description": "Path and query of the next page"},
        },
    }


SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {
                        "type": "string",
                        "enum": [
                            "bad_parameter",
                            "unauthorized",
                            "forbidden",
                            "not_found",
                            "method_not_allowed",
                            "rule_refused",
                            "internal_error",
                        ],
                    },
                    "message": {"type": "string"},
                },
            }
        },
    },
    "Ref": REF,
    "LotSummary": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "product": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "name": {"type": "string"},
                    "default_code": NULLABLE_STRING,
                },
            },
            "hold_state": {"type": "string", "enum": ["free", "held"]},
            "stage": {"type": "string"},
            "condition": {"type": "string"},
            "expiration_date": NULLABLE_STRING,
            "vendor_lot": NULLABLE_STRING,
            "active": {"type": "boolean"},
            "depth": {"type": "integer", "description": "In a trace only"},
        },
    },
    "Hold": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "lot": REF,
            "reason": {"type": "string"},
            "note": NULLABLE_STRING,
            "state": {"type": "string", "enum": ["active", "released", "cancelled"]},
            "placed_at": {"type": "string"},
            "placed_by": REF,
            "released_at": NULLABLE_STRING,
            "released_by": REF,
            "release_note": NULLABLE_STRING,
            "recall_id": {"type": "integer", "nullable": True},
        },
    },
    "Lot": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "ref": NULLABLE_STRING,
            "product": REF,
            "company": REF,
            "active": {"type": "boolean"},
            "uom": {"type": "string"},
            "quantity": {"type": "number"},
            "quantities": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "location": REF,
                        "quantity": {"type": "number"},
                        "reserved": {"type": "number"},
                    },
                },
            },
            "dates": {"type": "object", "additionalProperties": NULLABLE_STRING},
            "stage": {"type": "string"},
            "condition": {"type": "string"},
            "hold_state": {"type": "string", "enum": ["free", "held"]},
            "holds": {"type": "array", "items": _ref("Hold")},
            "recalled": {"type": "boolean"},
            "recalls": {
                "type": "array",
                "nullable": True,
                "items": {"type": "object"},
                "description": "Recalls of the lot; null when the key's owner cannot read "
                "recalls (Quality and Recall Managers can)",
            },
            "attributes": {"type": "object"},
            "documents": {"type": "array", "items": {"type": "object"}},
            "note": NULLABLE_STRING,
        },
    },
    "LotWrite": {"type": "object", "additionalProperties": False, "properties": WRITABLE},
    "LotCreate": {
        "type": "object",
        "additionalProperties": False,
        "required": ["product"],
        "properties": {
            "product": {
                "oneOf": [{"type": "integer"}, {"type": "string"}],
                "description": "Product id or internal reference",
            },
            "name": {
                "type": "string",
                "description": "Lot name; by default the next of the product's numbering rule",
            },
            **WRITABLE,
        },
    },
    "Timeline": {
        "type": "object",
        "properties": {
            "lot": REF,
            "events": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "date": {"type": "string"},
                        "kind": {"type": "string"},
                        "res_model": NULLABLE_STRING,
                        "res_id": {"type": "integer", "nullable": True},
                        "document": NULLABLE_STRING,
                        "quantity": {"type": "number", "nullable": True},
                        "uom": NULLABLE_STRING,
                        "location": NULLABLE_STRING,
                        "location_dest": NULLABLE_STRING,
                        "partner": NULLABLE_STRING,
                        "user": NULLABLE_STRING,
                        "description": NULLABLE_STRING,
                        "order": NULLABLE_STRING,
                    },
                },
            },
        },
    },
    "Trace": {
        "type": "object",
        "properties": {
            "lot": REF,
            "direction": {"type": "string", "enum": ["down", "up"]},
            "max_depth": {"type": "integer", "nullable": True},
            "lots": {"type": "array", "items": _ref("LotSummary")},
            "links": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "parent_lot_id": {"type": "integer"},
                        "child_lot_id": {"type": "integer"},
                        "kind": {"type": "string"},
                        "quantity": {"type": "number"},
                        "uom": NULLABLE_STRING,
                        "date": {"type": "string"},
                    },
                },
            },
        },
    },
    "Customers": {
        "type": "object",
        "properties": {
            "lot": REF,
            "customers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "partner": REF,
                        "delivered": {"type": "number"},
                        "returned": {"type": "number"},
                        "net": {"type": "number"},
                        "lots": {"type": "array", "items": {"type": "object"}},
                    },
                },
            },
        },
    },
    "Suppliers": {
        "type": "object",
        "properties": {
            "lot": REF,
            "suppliers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "partner": REF,
                        "lots": {"type": "array", "items": REF},
                    },
                },
            },
        },
    },
    "QuarantineImpact": {
        "type": "object",
        "properties": {
            "lot": REF,
            "affected_lots": {"type": "array", "items": _ref("LotSummary")},
            "stock": {"type": "array", "items": {"type": "object"}},
            "transfers": {"type": "array", "items": {"type": "object"}},
            "manufacturing_orders": {"type": "array", "items": {"type": "object"}},
        },
    },
    "EpcisDocument": {
        "type": "object",
        "description": "An EPCIS 2.0 JSON-LD EPCISDocument",
    },
    "ExpiryRow": {
        "type": "object",
        "properties": {
            "lot": REF,
            "product": REF,
            "location": REF,
            "quantity": {"type": "number"},
            "uom": {"type": "string"},
            "value": {"type": "number"},
            "currency": {"type": "string"},
            "expiration_date": {"type": "string"},
            "days_left": {"type": "integer"},
            "expiry_state": {"type": "string"},
            "hold_state": {"type": "string"},
        },
    },
    "Recall": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "name": {"type": "string"},
            "state": {"type": "string"},
            "is_drill": {"type": "boolean"},
            "reason": {"type": "string"},
            "classification": {"type": "string"},
            "company": REF,
            "lots": {"type": "array", "items": REF},
            "scope_started_at": NULLABLE_STRING,
            "scoped_at": NULLABLE_STRING,
            "scope_seconds": {"type": "number"},
            "affected_lots": {"type": "array", "items": {"type": "object"}},
            "deliveries": {"type": "array", "items": {"type": "object"}},
            "customers": {"type": "array", "items": {"type": "object"}},
        },
    },
    "RecallCreate": {
        "type": "object",
        "additionalProperties": False,
        "required": ["lots", "reason"],
        "properties": {
            "lots": {
                "type": "array",
                "minItems": 1,
                "items": {"oneOf": [{"type": "integer"}, {"type": "string"}]},
            },
            "reason": {"type": "string"},
            "classification": {"type": "string", "enum": ["class_1", "class_2", "class_3"]},
            "is_drill": {"type": "boolean", "default": False},
        },
    },
    "HoldCreate": {
        "type": "object",
        "additionalProperties": False,
        "required": ["reason"],
        "properties": {
            "reason": {
                "type": "string",
                "enum": [
                    "incoming_inspection",
                    "failed_test",
                    "lab_pending",
                    "supplier_recall",
                    "customer_complaint",
                    "expired",
                    "recall",
                    "other",
                ],
            },
            "note": {"type": "string"},
        },
    },
    "HoldRelease": {
        "type": "object",
        "additionalProperties": False,
        "required": ["note"],
        "properties": {"note": {"type": "string"}},
    },
    "Repack": {
        "type": "object",
        "additionalProperties": False,
        "required": ["quantity", "location", "good_qty", "reason"],
        "properties": {
            "quantity": {"type": "number"},
            "location": {"type": "integer", "description": "Location id"},
            "good_qty": {"type": "number"},
            "waste_qty": {"type": "number", "default": 0},
            "reason": {"type": "string"},
            "note": {"type": "string"},
        },
    },
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
                "Search lots", _page_of(_ref("LotSummary")), LOT_FILTER_PARAMS, errors=()
            ),
            "post": _operation(
                "Create a lot (named by the product's numbering rule)",
                _ref("Lot"),
                body=_ref("LotCreate"),
                status="201",
            ),
        },
        "/lots/{ref}": {
            "get": _operation("Get a lot", _ref("Lot"), lot),
            "patch": _operation(
                "Update a lot's allowed fields", _ref("Lot"), lot, body=_ref("LotWrite")
            ),
        },
        "/lots/{ref}/timeline": {
            "get": _operation("A lot's history, oldest first", _ref("Timeline"), lot)
        },
        "/lots/{ref}/trace": {
            "get": _operation(
                "Lots downstream or upstream, with depth and links",
                _ref("Trace"),
                [*lot, direction, max_depth],
            )
        },
        "/lots/{ref}/customers": {
            "get": _operation(
                "Customers of the lot and of what was made from it, net of returns",
                _ref("Customers"),
                lot,
            )
        },
        "/lots/{ref}/suppliers": {
            "get": _operation(
                "Vendors of the lot and of what it was made from", _ref("Suppliers"), lot
            )
        },
        "/lots/{ref}/quarantine-impact": {
            "get": _operation("What holding the lot would block", _ref("QuarantineImpact"), lot)
        },
        "/lots/{ref}/epcis": {
            "get": _operation(
                "EPCIS 2.0 document of the lot's chain",
                _ref("EpcisDocument"),
                [*lot, epcis_direction],
            )
        },
        "/lots/{ref}/holds": {
            "post": _operation(
                "Place a quality hold", _ref("Hold"), lot, body=_ref("HoldCreate"), status="201"
            )
        },
        "/holds/{hold_id}/release": {
            "post": _operation(
                "Release a hold (Quality Managers)",
                _ref("Hold"),
                [hold_id],
                body=_ref("HoldRelease"),
            )
        },
        "/lots/{ref}/repack": {
            "post": _operation(
                "Repack part of the lot into a new lot <name>R",
                _ref("Lot"),
                lot,
                body=_ref("Repack"),
                status="201",
            )
        },
        "/lots/{ref}/archive": {"post": _operation("Archive a depleted lot", _ref("Lot"), lot)},
        "/reports/expiring": {
            "get": _operation(
                "Stock expiring within days", _page_of(_ref("ExpiryRow")), [days, *PAGE]
            )
        },
        "/reports/expired": {"get": _operation("Expired stock", _page_of(_ref("ExpiryRow")), PAGE)},
        "/reports/held": {"get": _operation("Lots on hold", _page_of(_ref("LotSummary")), PAGE)},
        "/recalls": {
            "post": _operation(
                "Start a recall or drill and compute its scope",
                _ref("Recall"),
                body=_ref("RecallCreate"),
                status="201",
            )
        },
        "/recalls/{recall_id}": {
            "get": _operation("A recall and its scope", _ref("Recall"), [recall_id])
        },
        "/recalls/{recall_id}/epcis": {
            "get": _operation(
                "EPCIS 2.0 document of a recall's scope", _ref("EpcisDocument"), [recall_id]
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
                f"E{code}": {"description": text, "content": _json(_ref("Error"))}
                for code, text in ERRORS.items()
            },
        },
    }
