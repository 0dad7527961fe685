"""The data schemas (``components/schemas``) of the API's OpenAPI 3 document
(controllers/api_openapi_spec.py)."""


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


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


def page_of(schema):
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
            "holds": {"type": "array", "items": ref("Hold")},
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
            "lots": {"type": "array", "items": ref("LotSummary")},
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
            "affected_lots": {"type": "array", "items": ref("LotSummary")},
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
