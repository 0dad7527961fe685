"""REST API: the OpenAPI 3 document."""

from odoo.http import Controller, request

from .api_common import api_route, check_keys, json_response
from .api_openapi_spec import openapi_document


class LotTraceabilityApiOpenapi(Controller):
    @api_route("/openapi.json", ["GET"], readonly=True)
    def openapi(self, **params):
        check_keys(params, (), "query")
        return json_response(openapi_document(request.httprequest.host_url.rstrip("/")))
