"""Shared pieces of the REST API: routes, JSON answers, errors, parameters, pagination.

Every API route is declared with :func:`api_route`: Odoo's own ``auth='bearer'`` (an API key
of ``res.users.apikeys`` in the ``Authorization: Bearer`` header; the request runs as the
key's owner, so access rights and record rules apply), no CSRF token, no session cookie.
The route body runs inside a savepoint: a refused action leaves nothing half-written, and
its error is answered as JSON ``{"error": {"code", "message"}}``, never as an HTML page.
Errors raised before the route runs (no key, a wrong key, an unknown path) are answered
the same way by ``ir.http._handle_error`` (models/ir_http.py).
"""

import functools
import json
import logging
from datetime import date, datetime

import psycopg2
from werkzeug.urls import url_encode

from odoo import fields, http
from odoo.exceptions import AccessDenied, AccessError, MissingError, UserError, ValidationError
from odoo.http import request

_logger = logging.getLogger(__name__)

API_ROOT = "/api/lot-traceability/v1"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class ApiError(Exception):
    """An error answered as JSON with its HTTP status and stable code."""

    def __init__(self, status, code, message):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def bad_parameter(name, message):
    return ApiError(400, "bad_parameter", f"{name}: {message}")


def not_found(message):
    return ApiError(404, "not_found", message)


def _json_default(value):
    if isinstance(value, datetime):
        return fields.Datetime.to_string(value)
    if isinstance(value, date):
        return fields.Date.to_string(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def json_response(data, status=200, headers=None):
    body = json.dumps(data, default=_json_default, ensure_ascii=False)
    return request.make_response(
        body,
        headers=[("Content-Type", "application/json; charset=utf-8"), *(headers or [])],
        status=status,
    )


def error_response(status, code, message):
    headers = [("WWW-Authenticate", 'Bearer realm="odoo"')] if status == 401 else []
    return json_response({"error": {"code": code, "message": message}}, status, headers)


def error_of_exception(exc):
    """(status, code, message) of an exception raised by a route or by Odoo's checks."""
    if isinstance(exc, ApiError):
        return exc.status, exc.code, exc.message
    if isinstance(exc, AccessDenied):
        return 401, "unauthorized", str(exc.args[0] if exc.args else exc)
    if isinstance(exc, MissingError):
        return 404, "not_found", str(exc.args[0])
    if isinstance(exc, AccessError):
        return 403, "forbidden", str(exc.args[0])
    if isinstance(exc, (UserError, ValidationError)):
        return 409, "rule_refused", str(exc.args[0])
    return None


def api_route(path, methods, readonly=False):
    """Declare an API route at ``API_ROOT + path``; see the module's docstring."""

    def decorator(func):
        @functools.wraps(func)
        def wrapper(self, *args, **kwargs):
            try:
                with request.env.cr.savepoint():
                    return func(self, *args, **kwargs)
            except (psycopg2.OperationalError, psycopg2.errors.ReadOnlySqlTransaction):
                # concurrency and read-only retries are Odoo's job (it replays the request)
                raise
            except Exception as exc:  # every error is answered as JSON
                known = error_of_exception(exc)
                if known:
                    return error_response(*known)
                _logger.exception("Lot traceability API: unexpected error on %s", path)
                return error_response(500, "internal_error", "Internal server error")

        return http.route(
            API_ROOT + path,
            type="http",
            auth="bearer",
            methods=methods,
            csrf=False,
            save_session=False,
            readonly=readonly,
        )(wrapper)

    return decorator


# ----------------------------------------------------------------------
# Parameters
# ----------------------------------------------------------------------
def json_body():
    """The request's JSON object (an empty body is an empty object)."""
    if request.httprequest.form:
        # a form-encoded body (curl -d without a JSON Content-Type) is not read as JSON
        raise bad_parameter("body", "send a JSON object with Content-Type: application/json")
    data = request.httprequest.get_data()
    if not data:
        return {}
    try:
        body = json.loads(data)
    except ValueError as exc:
        raise bad_parameter("body", f"not valid JSON ({exc})") from exc
    if not isinstance(body, dict):
        raise bad_parameter("body", "a JSON object is expected")
    return body


def check_keys(values, allowed, where="body"):
    """400 naming the first key of ``values`` that is not in ``allowed``. For the query,
    only the URL's parameters count (Odoo adds a form body's fields to the route's
    parameters; :func:`json_body` refuses them)."""
    if where == "query":
        values = request.httprequest.args
    for key in values:
        if key not in allowed:
            raise bad_parameter(
                key, f"unknown or not allowed in the {where} (allowed: {', '.join(allowed)})"
            )


def int_param(values, name, default=None, minimum=None, maximum=None, required=False):
    value = values.get(name)
    if value in (None, ""):
        if required:
            raise bad_parameter(name, "required")
        return default
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise bad_parameter(name, f"an integer is expected, got {value!r}") from exc
    if isinstance(value, float) and value != number:
        raise bad_parameter(name, f"an integer is expected, got {value!r}")
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise bad_parameter(name, f"must be between {minimum} and {maximum}, got {number}")
    return number


def float_param(values, name, default=None, required=False):
    value = values.get(name)
    if value in (None, ""):
        if required:
            raise bad_parameter(name, "required")
        return default
    if isinstance(value, bool):
        raise bad_parameter(name, f"a number is expected, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise bad_parameter(name, f"a number is expected, got {value!r}") from exc


def str_param(values, name, default=None, required=False):
    value = values.get(name)
    if value in (None, ""):
        if required:
            raise bad_parameter(name, "required")
        return default
    if not isinstance(value, str):
        raise bad_parameter(name, f"a string is expected, got {value!r}")
    return value


def choice_param(values, name, choices, default=None):
    value = values.get(name) or default
    if value is not None and value not in choices:
        raise bad_parameter(name, f"one of {', '.join(choices)} expected, got {value!r}")
    return value


def date_param(values, name, datetime_=False):
    """An ISO date (``YYYY-MM-DD``) or, with ``datetime_``, date and time."""
    value = values.get(name)
    if value in (None, ""):
        return None
    try:
        if datetime_:
            return fields.Datetime.to_datetime(str(value).replace("T", " ").rstrip("Z"))
        return fields.Date.to_date(value)
    except (TypeError, ValueError) as exc:
        raise bad_parameter(name, f"an ISO date is expected, got {value!r}") from exc


def bool_param(values, name, default=False):
    value = values.get(name, default)
    if isinstance(value, bool):
        return value
    if value in ("true", "1", 1):
        return True
    if value in ("false", "0", 0):
        return False
    raise bad_parameter(name, f"true or false expected, got {value!r}")


# ----------------------------------------------------------------------
# Pagination
# ----------------------------------------------------------------------
def page_params():
    params = request.params
    limit = int_param(params, "limit", DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
    offset = int_param(params, "offset", 0, minimum=0)
    return limit, offset


def page(items, total, limit, offset):
    """A page of results with its total and the link of the next page (or null)."""
    next_link = None
    if offset + limit < total:
        query = {**request.httprequest.args.to_dict(), "limit": limit, "offset": offset + limit}
        next_link = f"{request.httprequest.path}?{url_encode(query)}"
    return {"items": items, "total": total, "limit": limit, "offset": offset, "next": next_link}


def search_page(model, domain, serializer, order=None):
    """Search ``model`` with ``domain`` for the requested page; ``serializer(records)``
    turns the page into a list of dicts."""
    limit, offset = page_params()
    total = model.search_count(domain)
    records = model.search(domain, limit=limit, offset=offset, order=order)
    return page(serializer(records), total, limit, offset)


# ----------------------------------------------------------------------
# Records
# ----------------------------------------------------------------------
def find_product(ref, name="product"):
    """A product by id or internal reference."""
    products = request.env["product.product"].with_context(active_test=False)
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        product = products.search([("id", "=", int(ref))])
    elif isinstance(ref, str) and ref:
        product = products.search([("default_code", "=", ref)])
    else:
        raise bad_parameter(name, "a product id or internal reference is expected")
    if not product:
        raise not_found(f"Unknown product {ref!r}.")
    if len(product) > 1:
        raise bad_parameter(name, f"internal reference {ref!r} is used by several products")
    return product


def find_lot(ref, product_ref=None, name="lot"):
    """A lot by id (digits), or by name, with ``product`` (id or internal reference) when
    the name is used by several products; with ``product`` the reference is always a name
    (lot numbers are often digits). Archived lots are found too (they stay in traces).
    Record rules apply: a lot of another company is unknown (404)."""
    lots = request.env["stock.lot"].with_context(active_test=False)
    ref = str(ref)
    if ref.isdigit() and not product_ref:
        lot = lots.search([("id", "=", int(ref))])
        if lot:
            return lot
    domain = [("name", "=", ref)]
    if product_ref:
        domain.append(("product_id", "=", find_product(product_ref).id))
    lot = lots.search(domain)
    if not lot:
        raise not_found(f"Unknown lot {ref!r}.")
    if len(lot) > 1:
        raise bad_parameter(
            "product",
            f"lot name {ref!r} is used by several products: give product=<internal reference>",
        )
    return lot


def find_record(model_name, record_id, label):
    record = request.env[model_name].search([("id", "=", record_id)])
    if not record:
        raise not_found(f"Unknown {label} {record_id}.")
    return record


def ref_of(record, *extra):
    """``{"id", "name"}`` of a record (or null), plus ``extra`` fields."""
    if not record:
        return None
    values = {"id": record.id, "name": record.display_name}
    for field in extra:
        values[field] = record[field] or None
    return values
