import werkzeug.exceptions

from odoo import models
from odoo.http import request

from ..controllers.api_common import API_ROOT, error_of_exception, error_response


def _is_api_path(path):
    return path == API_ROOT or path.startswith(API_ROOT + "/")


class _ApiMethodNotAllowed(werkzeug.exceptions.NotFound):
    """A known API path with another method: Odoo only sends a NotFound of the routing to
    ``_handle_error`` (a MethodNotAllowed would be answered as an HTML page)."""

    def __init__(self, valid_methods):
        super().__init__()
        self.valid_methods = valid_methods


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _match(cls, path_info):
        try:
            return super()._match(path_info)
        except werkzeug.exceptions.MethodNotAllowed as exc:
            if _is_api_path(path_info):
                raise _ApiMethodNotAllowed(exc.valid_methods) from exc
            raise

    @classmethod
    def _handle_error(cls, exception):
        """Errors of the lot traceability API raised before its route runs (no key, a wrong
        key, an unknown path or method) are answered as JSON like the others, not as
        Odoo's HTML error pages."""
        if request and _is_api_path(request.httprequest.path):
            answer = cls._lot_traceability_api_error(exception)
            if answer:
                return answer
        return super()._handle_error(exception)

    @classmethod
    def _lot_traceability_api_error(cls, exception):
        if isinstance(exception.__context__, _ApiMethodNotAllowed):
            allowed = ", ".join(exception.__context__.valid_methods or ())
            return error_response(
                405,
                "method_not_allowed",
                f"{request.httprequest.method} is not allowed here (allowed: {allowed})",
            )
        status = getattr(exception, "code", None)
        if status == 401:
            return error_response(401, "unauthorized", "Missing or invalid API key.")
        if status == 404:
            return error_response(404, "not_found", f"No such endpoint: {request.httprequest.path}")
        known = error_of_exception(exception)
        if known:
            status, code, message = known
            if status == 403 and not request.env.uid:
                status, code = 401, "unauthorized"
            return error_response(status, code, message)
        return None
