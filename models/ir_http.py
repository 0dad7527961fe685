from odoo import models
from odoo.http import request

from ..controllers.api_common import API_ROOT, error_of_exception, error_response


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _handle_error(cls, exception):
        """Errors of the lot traceability API raised before its route runs (no key, a wrong
        key, an unknown path or method) are answered as JSON like the others, not as
        Odoo's HTML error pages."""
        path = request.httprequest.path if request else ""
        if path == API_ROOT or path.startswith(API_ROOT + "/"):
            answer = cls._lot_traceability_api_error(exception)
            if answer:
                return answer
        return super()._handle_error(exception)

    @classmethod
    def _lot_traceability_api_error(cls, exception):
        status = getattr(exception, "code", None)
        if status == 401:
            return error_response(401, "unauthorized", "Missing or invalid API key.")
        if status == 404:
            return error_response(404, "not_found", f"No such endpoint: {request.httprequest.path}")
        if status == 405:
            return error_response(405, "method_not_allowed", str(exception.description))
        known = error_of_exception(exception)
        if known:
            status, code, message = known
            if status == 403 and not request.env.uid:
                status, code = 401, "unauthorized"
            return error_response(status, code, message)
        return None
