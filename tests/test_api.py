from unittest.mock import patch

from odoo import fields
from odoo.tests import HttpCase, tagged

from ..controllers.api_common import API_ROOT
from .common import TraceabilityCase, TraceabilityMixin


class ApiCase(TraceabilityMixin, HttpCase):
    """The biscuit factory of TraceabilityCase, three integrations each with its own Odoo API
    key (an inventory user, a Quality Manager, a Recall Manager), talking JSON over HTTP."""

    # the factory's flows (receipts, MOs, deliveries, a return), shared with the ORM tests
    _run_factory = TraceabilityCase.__dict__["_run_factory"]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.flow = cls.env["stock.lot.traceability.flow"]
        cls.company = cls.env.company
        cls._create_partners()
        cls._create_products()
        cls._run_factory()
        cls.stock = (
            cls.env["stock.warehouse"]
            .search([("company_id", "=", cls.company.id)], limit=1)
            .lot_stock_id
        )
        cls.inventory_user = cls._user(
            "api_inventory", "stock_lot_traceability.group_traceability_user"
        )
        cls.quality = cls._user("api_quality", "stock_lot_traceability.group_quality_manager")
        cls.recall_manager = cls._user("api_recalls", "stock_lot_traceability.group_recall_manager")
        cls.inventory_key = cls._api_key(cls.inventory_user)
        cls.quality_key = cls._api_key(cls.quality)
        cls.recall_key = cls._api_key(cls.recall_manager)

    @classmethod
    def _api_key(cls, user):
        # sudo: a key without expiry (what an integration uses) needs more than the
        # user's own key duration; the key still belongs to, and acts as, the user
        return cls.env["res.users.apikeys"].with_user(user).sudo()._generate(None, "ERP", None)

    def _call(self, method, path, status=200, key=None, json=None, params=None, headers=None):
        """Call the API as the key's owner (the inventory user by default); check the
        status and that the answer is JSON, and return it."""
        headers = dict(headers or {})
        if key is not False:
            headers["Authorization"] = f"Bearer {key or self.inventory_key}"
        url = path if path.startswith("http") else self.base_url() + API_ROOT + path
        response = self.opener.request(
            method, url, json=json, params=params, headers=headers, timeout=30
        )
        self.assertEqual(response.status_code, status, f"{method} {path}: {response.text}")
        self.assertTrue(
            response.headers["Content-Type"].startswith("application/json"), response.text
        )
        self.assertNotIn("session_id", response.cookies)
        return response.json()

    def _error(self, method, path, status, code, key=None, json=None, params=None):
        body = self._call(method, path, status, key=key, json=json, params=params)
        self.assertEqual(set(body), {"error"})
        self.assertEqual(body["error"]["code"], code)
        self.assertNotIn("Traceback", body["error"]["message"])
        return body["error"]["message"]

    def _factory_rows(self, page):
        """The rows of a report page about the factory's products (the database may hold
        demo data)."""
        self.assertIsNone(page["next"])
        products = (self.flour | self.sugar | self.eggs | self.biscuit_premix).ids
        return [row for row in page["items"] if row["product"]["id"] in products]

    def _names(self, items, key="name"):
        return sorted(item[key] if key else item for item in items)


@tagged("post_install", "-at_install")
class TestApiReads(ApiCase):
    def test_an_integration_searches_lots_page_by_page(self):
        first = self._call("GET", "/lots", params={"product": self.flour.id, "limit": 1})
        self.assertEqual(first["total"], 2)
        self.assertEqual(len(first["items"]), 1)
        self.assertIn("offset=1", first["next"])
        second = self._call("GET", first["next"].removeprefix(API_ROOT))
        self.assertIsNone(second["next"])
        self.assertEqual(self._names(first["items"] + second["items"]), ["FLOUR-1", "FLOUR-2"])

    def test_lots_are_found_by_their_history(self):
        receipt = self.flour_1._trace_receipts().picking_id
        purchase = receipt.move_ids.purchase_line_id.order_id
        sale = self.delivery_gamma.move_ids.sale_line_id.order_id
        cases = [
            ({"vendor": self.mill.id}, ["FLOUR-1", "FLOUR-2"]),
            ({"customer": self.gamma.id}, ["BISCUIT-2"]),
            ({"receipt": receipt.name}, ["FLOUR-1", "FLOUR-2"]),
            ({"purchase_order": purchase.name}, ["FLOUR-1", "FLOUR-2"]),
            ({"sale_order": sale.name}, ["BISCUIT-2"]),
            ({"product": self.biscuit.id, "stage": "in_stock"}, ["BISCUIT-1", "BISCUIT-2"]),
            ({"vendor": self.farm.id, "status": "available"}, ["EGGS-1"]),
            ({"vendor": self.farm.id, "status": "on_hold"}, []),
            (
                {
                    "vendor": self.mill.id,
                    "date_field": "received",
                    "date_from": fields.Date.to_string(fields.Date.today()),
                    "date_to": fields.Date.to_string(fields.Date.today()),
                },
                ["FLOUR-1", "FLOUR-2"],
            ),
            ({"vendor": self.mill.id, "date_field": "received", "date_from": "2999-01-01"}, []),
        ]
        for params, expected in cases:
            with self.subTest(params=params):
                found = self._call("GET", "/lots", params=params)
                self.assertEqual(self._names(found["items"]), expected)

    def test_one_lot_with_its_stock_dates_and_attributes(self):
        self.flour_1.write(
            {"vendor_lot_name": "MILL-778", "origin_country_id": self.env.ref("base.fr").id}
        )
        by_name = self._call("GET", "/lots/FLOUR-1")
        by_id = self._call("GET", f"/lots/{self.flour_1.id}")
        self.assertEqual(by_name, by_id)
        self.assertEqual(by_name["product"]["id"], self.flour.id)
        self.assertEqual(by_name["quantity"], 85)
        self.assertEqual(
            [(q["location"]["id"], q["quantity"]) for q in by_name["quantities"]],
            [(self.stock.id, 85)],
        )
        self.assertTrue(by_name["dates"]["expiration"])
        self.assertEqual(by_name["hold_state"], "free")
        self.assertEqual(by_name["attributes"]["vendor_lot"], "MILL-778")
        self.assertEqual(by_name["attributes"]["origin_country"], "FR")

    def test_a_lot_downstream_and_upstream_with_depth_and_link_quantities(self):
        down = self._call("GET", "/lots/FLOUR-2/trace", params={"direction": "down"})
        self.assertEqual(
            {lot["name"]: lot["depth"] for lot in down["lots"]},
            {"FLOUR-2": 0, "PREMIX-1": 1, "PREMIX-2": 1, "BISCUIT-1": 2, "BISCUIT-2": 2},
        )
        names = {lot["id"]: lot["name"] for lot in down["lots"]}
        self.assertIn(
            ("FLOUR-2", "PREMIX-2", "production", 20),
            [
                (names[ln["parent_lot_id"]], names[ln["child_lot_id"]], ln["kind"], ln["quantity"])
                for ln in down["links"]
            ],
        )
        one_level = self._call("GET", "/lots/FLOUR-2/trace", params={"max_depth": 1})
        self.assertEqual(self._names(one_level["lots"]), ["FLOUR-2", "PREMIX-1", "PREMIX-2"])
        self.assertEqual(len(one_level["links"]), 2)
        up = self._call("GET", "/lots/BISCUIT-1/trace", params={"direction": "up"})
        self.assertEqual(
            self._names(up["lots"]),
            ["BISCUIT-1", "EGGS-1", "FLOUR-1", "FLOUR-2", "PREMIX-1", "SUGAR-1"],
        )

    def test_customers_net_of_returns_and_suppliers(self):
        customers = self._call("GET", "/lots/FLOUR-2/customers")["customers"]
        self.assertEqual(
            {c["partner"]["name"]: (c["delivered"], c["returned"], c["net"]) for c in customers},
            {
                "Alpha Stores": (4, 0, 4),
                "Beta Market": (5, 0, 5),
                "Gamma Foods": (5, 2, 3),
            },
        )
        suppliers = self._call("GET", "/lots/BISCUIT-2/suppliers")["suppliers"]
        self.assertEqual(
            {s["partner"]["name"]: self._names(s["lots"]) for s in suppliers},
            {
                "Mill Co": ["FLOUR-2"],
                "Sugar Co": ["SUGAR-1"],
                "Farm Co": ["EGGS-1"],
            },
        )

    def test_timeline_and_quarantine_impact(self):
        events = self._call("GET", "/lots/BISCUIT-2/timeline")["events"]
        kinds = [event["kind"] for event in events]
        self.assertEqual(kinds[0], "production")
        self.assertLess(kinds.index("delivery"), kinds.index("return"))
        self.assertEqual(events, sorted(events, key=lambda event: event["date"]))
        impact = self._call("GET", "/lots/PREMIX-2/quarantine-impact")
        self.assertEqual(self._names(impact["affected_lots"]), ["BISCUIT-2", "PREMIX-2"])
        self.assertEqual(
            [(row["lot"]["name"], row["quantity"]) for row in impact["stock"]],
            [("BISCUIT-2", 5)],
        )

    def test_expiry_reports(self):
        expiring = self._factory_rows(self._call("GET", "/reports/expiring", params={"days": 30}))
        self.assertEqual([row["lot"]["name"] for row in expiring], ["EGGS-1"])
        self.assertEqual(expiring[0]["quantity"], 80)
        self.assertFalse(self._factory_rows(self._call("GET", "/reports/expired")))
        self.flour_1.expiration_date = fields.Datetime.subtract(fields.Datetime.now(), days=1)
        expired = self._factory_rows(self._call("GET", "/reports/expired", params={"limit": 200}))
        self.assertEqual([row["lot"]["name"] for row in expired], ["FLOUR-1"])
        self.assertEqual(expired[0]["expiry_state"], "expired")


@tagged("post_install", "-at_install")
class TestApiActions(ApiCase):
    def test_a_quality_manager_holds_and_releases_a_lot(self):
        hold = self._call(
            "POST",
            "/lots/FLOUR-1/holds",
            201,
            key=self.quality_key,
            json={"reason": "failed_test", "note": "Ochratoxin above limit"},
        )
        self.assertEqual(hold["state"], "active")
        self.assertEqual(self.flour_1.hold_state, "held")
        self.assertEqual(hold["placed_by"]["id"], self.quality.id)
        held = self._factory_rows(self._call("GET", "/reports/held", params={"limit": 200}))
        self.assertEqual([lot["name"] for lot in held], ["FLOUR-1"])
        self.assertEqual(held[0]["holds"][0]["id"], hold["id"])
        self.assertEqual(self._call("GET", "/lots/FLOUR-1")["holds"][0]["reason"], "failed_test")

        path = f"/holds/{hold['id']}/release"
        self.assertIn(
            "Quality Managers",
            self._error("POST", path, 403, "forbidden", json={"note": "Retest fine"}),
        )
        self.assertIn("note", self._error("POST", path, 400, "bad_parameter", key=self.quality_key))
        released = self._call(
            "POST", path, key=self.quality_key, json={"note": "Retest within limits"}
        )
        self.assertEqual(released["state"], "released")
        self.assertEqual(released["released_by"]["id"], self.quality.id)
        self.assertEqual(self.flour_1.hold_state, "free")
        message = self._error(
            "POST", path, 409, "rule_refused", key=self.quality_key, json={"note": "Again"}
        )
        self.assertIn("no longer active", message)

    def test_an_inventory_key_cannot_place_a_hold(self):
        self._error("POST", "/lots/FLOUR-1/holds", 403, "forbidden", json={"reason": "other"})
        self.assertEqual(self.flour_1.hold_state, "free")
        self.assertFalse(self.flour_1.hold_ids)

    def test_a_held_lot_cannot_be_repacked(self):
        self.flour_1._place_hold("lab_pending")
        message = self._error(
            "POST",
            "/lots/FLOUR-1/repack",
            409,
            "rule_refused",
            json={"quantity": 10, "location": self.stock.id, "good_qty": 10, "reason": "Bags"},
        )
        self.assertIn("FLOUR-1", message)
        self.assertFalse(self._lot("FLOUR-1R"))

    def test_lots_are_created_by_the_numbering_rule_and_updated_field_by_field(self):
        self.sugar.lot_name_template = "SUG{seq:03}"
        created = self._call("POST", "/lots", 201, json={"product": self.sugar.id})
        self.assertRegex(created["name"], r"^SUG\d{3}$")
        self.assertEqual(created["product"]["id"], self.sugar.id)
        named = self._call(
            "POST",
            "/lots",
            201,
            json={"product": self.eggs.id, "name": "EGGS-9", "vendor_lot_name": "F-12"},
        )
        self.assertEqual((named["name"], named["attributes"]["vendor_lot"]), ("EGGS-9", "F-12"))
        message = self._error("POST", "/lots", 400, "bad_parameter", json={"product": self.eggs.id})
        self.assertIn("name", message)
        self.assertIn("numbering rule", message)

        updated = self._call(
            "PATCH",
            f"/lots/{created['id']}",
            json={"ref": "INT-7", "production_date": "2026-01-15", "origin_country": "be"},
        )
        self.assertEqual(updated["ref"], "INT-7")
        self.assertEqual(updated["dates"]["production"], "2026-01-15")
        self.assertEqual(updated["attributes"]["origin_country"], "BE")
        for field in ("hold_state", "product", "name"):
            with self.subTest(field=field):
                message = self._error(
                    "PATCH", f"/lots/{created['id']}", 400, "bad_parameter", json={field: "x"}
                )
                self.assertTrue(message.startswith(f"{field}:"), message)
        message = self._error(
            "PATCH", "/lots/FLOUR-1", 400, "bad_parameter", json={"production_date": "15/01/26"}
        )
        self.assertTrue(message.startswith("production_date:"), message)

    def test_repack_then_archive(self):
        repacked = self._call(
            "POST",
            "/lots/FLOUR-1/repack",
            201,
            json={
                "quantity": 10,
                "location": self.stock.id,
                "good_qty": 9,
                "waste_qty": 1,
                "reason": "Torn bags",
            },
        )
        self.assertEqual(repacked["name"], "FLOUR-1R")
        self.assertEqual(repacked["quantity"], 9)
        down = self._call("GET", "/lots/FLOUR-1/trace", params={"max_depth": 1})
        self.assertIn(
            ("FLOUR-1R", "repack"),
            [
                (lot["name"], link["kind"])
                for link in down["links"]
                for lot in down["lots"]
                if lot["id"] == link["child_lot_id"]
            ],
        )

        archived = self._call("POST", "/lots/PREMIX-1/archive")
        self.assertFalse(archived["active"])
        self.assertFalse(self.premix_1.active)
        listed = self._call("GET", "/lots", params={"product": self.premix.id})
        self.assertEqual(self._names(listed["items"]), ["PREMIX-2"])
        listed = self._call(
            "GET", "/lots", params={"product": self.premix.id, "include_archived": "true"}
        )
        self.assertEqual(self._names(listed["items"]), ["PREMIX-1", "PREMIX-2"])
        self.assertEqual(self._call("GET", "/lots/PREMIX-1")["name"], "PREMIX-1")
        message = self._error("POST", "/lots/FLOUR-2/archive", 409, "rule_refused")
        self.assertIn("stock on hand", message)
        self.assertTrue(self.flour_2.active)

    def test_a_recall_drill_and_its_scope_and_epcis(self):
        body = {"lots": ["FLOUR-2"], "reason": "Supplier alert", "is_drill": True}
        self._error("POST", "/recalls", 403, "forbidden", key=self.quality_key, json=body)
        recall = self._call("POST", "/recalls", 201, key=self.recall_key, json=body)
        self.assertEqual((recall["state"], recall["is_drill"]), ("scoped", True))
        self.assertEqual(
            {line["lot"]["name"]: line["depth"] for line in recall["affected_lots"]},
            {"FLOUR-2": 0, "PREMIX-1": 1, "PREMIX-2": 1, "BISCUIT-1": 2, "BISCUIT-2": 2},
        )
        self.assertEqual(
            sorted(line["partner"]["name"] for line in recall["customers"]),
            ["Alpha Stores", "Beta Market", "Gamma Foods"],
        )
        self.assertEqual(self.flour_2.hold_state, "free")  # a drill holds nothing
        read = self._call("GET", f"/recalls/{recall['id']}", key=self.quality_key)
        self.assertEqual(read, recall)
        document = self._call("GET", f"/recalls/{recall['id']}/epcis", key=self.quality_key)
        self.assertEqual(document["type"], "EPCISDocument")
        lot_document = self._call("GET", "/lots/BISCUIT-1/epcis", params={"direction": "up"})
        self.assertEqual(lot_document["type"], "EPCISDocument")
        # an inventory user does not read recalls
        self._error("GET", f"/recalls/{recall['id']}", 403, "forbidden")

    def test_a_recall_of_unknown_or_no_lots_is_refused(self):
        cases = [
            ({"lots": [], "reason": "x"}, 400, "bad_parameter"),
            ({"lots": ["NOPE-1"], "reason": "x"}, 404, "not_found"),
            ({"lots": ["FLOUR-1"]}, 400, "bad_parameter"),
            ({"lots": ["FLOUR-1"], "reason": "x", "state": "closed"}, 400, "bad_parameter"),
        ]
        recalls = self.env["stock.recall"].search_count([])
        for body, status, code in cases:
            with self.subTest(body=body):
                self._error("POST", "/recalls", status, code, key=self.recall_key, json=body)
        self.assertEqual(self.env["stock.recall"].search_count([]), recalls)


@tagged("post_install", "-at_install")
class TestApiErrors(ApiCase):
    def test_no_key_or_a_wrong_key_is_401_in_json(self):
        for key in (False, "not-a-key"):
            with self.subTest(key=key):
                self._error("GET", "/lots", 401, "unauthorized", key=key)
                self._error("POST", "/lots", 401, "unauthorized", key=key, json={})

    def test_a_session_cookie_is_no_key(self):
        self.authenticate("api_inventory", "api_inventory")
        self._error("GET", "/lots", 401, "unauthorized", key=False)

    def test_unknown_records_and_endpoints_are_404(self):
        self.assertIn("NOPE", self._error("GET", "/lots/NOPE", 404, "not_found"))
        self._error("GET", "/lots/999999999", 404, "not_found")
        self._error("POST", "/holds/999999999/release", 404, "not_found", json={"note": "x"})
        self._error("GET", "/recalls/999999999", 404, "not_found", key=self.recall_key)
        self._error("GET", "/nothing-here", 404, "not_found")

    def test_bad_parameters_are_400_naming_the_parameter(self):
        cases = [
            ("/lots", {"limit": "many"}, "limit"),
            ("/lots", {"limit": 100000}, "limit"),
            ("/lots", {"offset": -1}, "offset"),
            ("/lots", {"colour": "red"}, "colour"),
            ("/lots", {"status": "mouldy"}, "status"),
            ("/lots", {"date_from": "yesterday"}, "date_from"),
            ("/lots", {"date_from": "2026-02-01", "date_to": "2026-01-01"}, "date_to"),
            ("/lots/FLOUR-1/trace", {"direction": "sideways"}, "direction"),
            ("/lots/FLOUR-1/trace", {"max_depth": "-1"}, "max_depth"),
            ("/reports/expiring", {"days": "soon"}, "days"),
        ]
        for path, params, name in cases:
            with self.subTest(path=path, params=params):
                message = self._error("GET", path, 400, "bad_parameter", params=params)
                self.assertTrue(message.startswith(f"{name}:"), message)

    def test_a_lot_name_of_several_products_needs_the_product(self):
        self.env["stock.lot"].create({"name": "FLOUR-1", "product_id": self.sugar.id})
        message = self._error("GET", "/lots/FLOUR-1", 400, "bad_parameter")
        self.assertIn("product=", message)
        self.sugar.default_code = "SUG"
        lot = self._call("GET", "/lots/FLOUR-1", params={"product": "SUG"})
        self.assertEqual(lot["product"]["id"], self.sugar.id)
        numbered = self.env["stock.lot"].create(
            {"name": str(self.flour_1.id), "product_id": self.sugar.id}
        )
        by_id = self._call("GET", f"/lots/{self.flour_1.id}")
        self.assertEqual(by_id["name"], "FLOUR-1")
        by_name = self._call("GET", f"/lots/{self.flour_1.id}", params={"product": "SUG"})
        self.assertEqual(by_name["id"], numbered.id)

    def test_a_body_that_is_not_json_is_400(self):
        response = self.opener.post(
            self.base_url() + API_ROOT + "/lots",
            data="{not json",
            headers={"Authorization": f"Bearer {self.inventory_key}"},
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"]["code"], "bad_parameter")
        hold = self.flour_1._place_hold("lab_pending")
        response = self.opener.post(  # curl -d without a JSON Content-Type
            f"{self.base_url()}{API_ROOT}/holds/{hold.id}/release",
            data='{"note": "Retest OK"}',
            headers={
                "Authorization": f"Bearer {self.quality_key}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("Content-Type: application/json", response.json()["error"]["message"])
        self.assertEqual(hold.state, "active")

    def test_a_wrong_method_is_405_in_json(self):
        message = self._error("DELETE", "/lots/FLOUR-1", 405, "method_not_allowed")
        self.assertIn("PATCH", message)
        self.assertTrue(self.flour_1.exists())

    def test_an_unexpected_error_is_a_500_without_traceback(self):
        lot_class = type(self.env["stock.lot"])
        with (
            patch.object(lot_class, "_timeline", side_effect=ZeroDivisionError("boom")),
            self.assertLogs("odoo.addons.stock_lot_traceability.controllers.api_common", "ERROR"),
        ):
            message = self._error("GET", "/lots/FLOUR-1/timeline", 500, "internal_error")
        self.assertNotIn("boom", message)
