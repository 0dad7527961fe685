import inspect
import re

from openapi_spec_validator import validate

from odoo.http import Controller
from odoo.tests import tagged

from .. import controllers
from ..controllers.api_common import API_ROOT
from .test_api import ApiCase


def api_controllers():
    """Every controller class of the addon's ``controllers/api_*.py`` modules."""
    return {
        cls
        for name, module in inspect.getmembers(controllers, inspect.ismodule)
        if name.startswith("api_")
        for _cls_name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, Controller) and cls.__module__ == module.__name__
    }


def controller_routes():
    """``{(method, OpenAPI path)}`` of every route of the API's controllers."""
    routes = set()
    for controller in api_controllers():
        for _name, function in inspect.getmembers(controller, inspect.isfunction):
            routing = getattr(function, "original_routing", None)
            if not routing:
                continue
            for path in routing["routes"]:
                self_path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path.removeprefix(API_ROOT))
                routes |= {(method.lower(), self_path) for method in routing["methods"]}
    return routes


@tagged("post_install", "-at_install")
class TestApiOpenapi(ApiCase):
    def test_the_served_document_is_valid_openapi_3(self):
        document = self._call("GET", "/openapi.json")
        validate(document)
        self.assertTrue(document["openapi"].startswith("3."))
        self.assertTrue(document["servers"][0]["url"].endswith(API_ROOT))
        self._error("GET", "/openapi.json", 401, "unauthorized", key=False)

    def test_the_document_describes_every_route_and_only_them(self):
        document = self._call("GET", "/openapi.json")
        documented = {
            (method, path)
            for path, operations in document["paths"].items()
            for method in operations
        }
        self.assertEqual(documented, controller_routes())
        self.assertEqual(len(documented), 21)  # the REST list of DESIGN.md

    def test_every_endpoint_documents_its_errors_and_parameters(self):
        document = self._call("GET", "/openapi.json")
        for path, operations in document["paths"].items():
            for method, operation in operations.items():
                if path == "/openapi.json":
                    continue
                with self.subTest(method=method, path=path):
                    self.assertLessEqual(
                        {"400", "401", "403", "404", "409"}, set(operation["responses"])
                    )
                    declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
                    self.assertEqual(declared, set(re.findall(r"{(\w+)}", path)))
        operation_ids = [
            operation["operationId"]
            for operations in document["paths"].values()
            for operation in operations.values()
        ]
        self.assertEqual(len(operation_ids), len(set(operation_ids)))
