from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import TraceabilityCase, TraceabilityMixin


@tagged("post_install", "-at_install")
class TestGenealogyGraph(TraceabilityCase):
    """A QA manager draws a lot's genealogy: the JSON the graph client action receives.

    Factory (tests/common.py): FLOUR-1 and FLOUR-2 from Mill Co, SUGAR-1 from Sugar Co,
    EGGS-1 from Farm Co; PREMIX-1 made from FLOUR-1 (15), FLOUR-2 (5), SUGAR-1 (10);
    PREMIX-2 from FLOUR-2 (20), SUGAR-1 (10); BISCUIT-1 from PREMIX-1 and EGGS-1, BISCUIT-2
    from PREMIX-2 and EGGS-1; BISCUIT-1 to Alpha (4) and Beta (3); BISCUIT-2 to Beta (2) and
    Gamma (5, 2 returned).
    """

    def _graph(self, lot, **kwargs):
        return lot._genealogy_graph(**kwargs)

    @staticmethod
    def _nodes(graph, kind=None):
        return {node["name"]: node for node in graph["nodes"] if kind in (None, node["type"])}

    @staticmethod
    def _edges(graph, kind=None):
        names = {node["id"]: node["name"] for node in graph["nodes"]}
        return {
            (names[edge["source"]], names[edge["target"]]): edge
            for edge in graph["edges"]
            if kind in (None, edge["kind"])
        }

    def test_premix_from_its_suppliers_to_its_customers(self):
        graph = self._graph(self.premix_1)
        lots = self._nodes(graph, "lot")
        self.assertEqual(
            {name: node["depth"] for name, node in lots.items()},
            {"FLOUR-1": -1, "FLOUR-2": -1, "SUGAR-1": -1, "PREMIX-1": 0, "BISCUIT-1": 1},
            "EGGS-1 went into BISCUIT-1, not into the premix: it is not in its genealogy",
        )
        premix = lots["PREMIX-1"]
        self.assertTrue(premix["is_root"])
        self.assertEqual(premix["product"], "Dough Premix")
        self.assertEqual(premix["res_model"], "stock.lot")
        self.assertEqual(premix["res_id"], self.premix_1.id)
        self.assertEqual(premix["state"], "free")
        self.assertFalse(lots["FLOUR-1"]["is_root"])
        self.assertEqual(lots["FLOUR-1"]["quantity"], 85.0, "100 received, 15 used")

        suppliers = self._nodes(graph, "supplier")
        self.assertEqual(set(suppliers), {"Mill Co", "Sugar Co"})
        self.assertEqual({node["depth"] for node in suppliers.values()}, {-2})
        customers = self._nodes(graph, "customer")
        self.assertEqual(set(customers), {"Alpha Stores", "Beta Market"})
        self.assertEqual({node["depth"] for node in customers.values()}, {2})
        self.assertFalse(any(node["highlight"] for node in customers.values()))

        production = self._edges(graph, "production")
        self.assertEqual(
            {pair: edge["quantity"] for pair, edge in production.items()},
            {
                ("FLOUR-1", "PREMIX-1"): 15.0,
                ("FLOUR-2", "PREMIX-1"): 5.0,
                ("SUGAR-1", "PREMIX-1"): 10.0,
                ("PREMIX-1", "BISCUIT-1"): 10.0,
            },
            "only links between lots of the graph: FLOUR-2 into PREMIX-2 is not drawn",
        )
        self.assertEqual(production["FLOUR-1", "PREMIX-1"]["uom"], "Units")
        self.assertEqual(production["FLOUR-1", "PREMIX-1"]["kind_label"], "Production")
        receipts = self._edges(graph, "receipt")
        self.assertEqual(
            {pair: edge["quantity"] for pair, edge in receipts.items()},
            {
                ("Mill Co", "FLOUR-1"): 100.0,
                ("Mill Co", "FLOUR-2"): 100.0,
                ("Sugar Co", "SUGAR-1"): 100.0,
            },
        )
        deliveries = self._edges(graph, "delivery")
        self.assertEqual(
            {pair: edge["quantity"] for pair, edge in deliveries.items()},
            {("BISCUIT-1", "Alpha Stores"): 4.0, ("BISCUIT-1", "Beta Market"): 3.0},
        )

    def test_customers_are_net_of_returns(self):
        graph = self._graph(self.biscuit_2, direction="down")
        gamma = self._edges(graph, "delivery")["BISCUIT-2", "Gamma Foods"]
        self.assertEqual(
            (gamma["delivered"], gamma["returned"], gamma["quantity"]), (5.0, 2.0, 3.0)
        )

    def test_downstream_only_with_a_max_depth(self):
        graph = self._graph(self.flour_2, direction="down")
        self.assertEqual(
            {name: node["depth"] for name, node in self._nodes(graph, "lot").items()},
            {"FLOUR-2": 0, "PREMIX-1": 1, "PREMIX-2": 1, "BISCUIT-1": 2, "BISCUIT-2": 2},
        )
        self.assertEqual(
            set(self._nodes(graph, "customer")), {"Alpha Stores", "Beta Market", "Gamma Foods"}
        )
        self.assertEqual(set(self._nodes(graph, "supplier")), {"Mill Co"})

        graph = self._graph(self.flour_2, direction="down", max_depth=1)
        self.assertEqual(set(self._nodes(graph, "lot")), {"FLOUR-2", "PREMIX-1", "PREMIX-2"})
        self.assertFalse(self._nodes(graph, "customer"), "no premix was shipped to a customer")

    def test_upstream_only_back_to_the_farm(self):
        graph = self._graph(self.biscuit_2, direction="up")
        self.assertEqual(
            {name: node["depth"] for name, node in self._nodes(graph, "lot").items()},
            {"BISCUIT-2": 0, "PREMIX-2": -1, "EGGS-1": -1, "FLOUR-2": -2, "SUGAR-1": -2},
        )
        suppliers = self._nodes(graph, "supplier")
        self.assertEqual(set(suppliers), {"Mill Co", "Sugar Co", "Farm Co"})
        self.assertEqual(
            suppliers["Farm Co"]["depth"], -3, "every supplier stands in the far-left column"
        )
        self.assertIn(("Farm Co", "EGGS-1"), self._edges(graph, "receipt"))
        self.assertEqual(
            set(self._nodes(graph, "customer")),
            {"Beta Market", "Gamma Foods"},
            "the customers of the lot itself are drawn, not those of its siblings",
        )

    def test_colours_follow_holds_recalls_and_expiry(self):
        quality = self._user("graph_quality", "stock_lot_traceability.group_quality_manager")
        self.sugar_1.with_user(quality)._place_hold("failed_test", "Foreign body")
        self.eggs_1.expiration_date = fields.Datetime.now() - timedelta(days=1)
        recall = self.env["stock.recall"].create(
            {
                "lot_ids": [Command.set(self.flour_1.ids)],
                "reason": "Glass in the sieve",
                "classification": "class_1",
            }
        )
        recall.action_compute_scope()
        graph = self._graph(self.biscuit_1, direction="up")
        states = {name: node["state"] for name, node in self._nodes(graph, "lot").items()}
        self.assertEqual(
            states,
            {
                "BISCUIT-1": "recalled",
                "PREMIX-1": "recalled",
                "FLOUR-1": "recalled",
                "FLOUR-2": "free",
                "SUGAR-1": "held",
                "EGGS-1": "expired",
            },
        )

    def test_a_lot_without_genealogy_has_only_itself(self):
        lot = self.env["stock.lot"].create(
            {"name": "LONELY-1", "product_id": self.sugar.id, "company_id": self.company.id}
        )
        graph = self._graph(lot)
        self.assertEqual([node["name"] for node in graph["nodes"]], ["LONELY-1"])
        self.assertEqual(graph["edges"], [])
        self.assertEqual(graph["roots"], [f"lot-{lot.id}"])

    def test_bad_direction_or_depth_is_refused_clearly(self):
        for max_depth in (0, -2, "two", 1.5, True):
            with self.assertRaisesRegex(UserError, "maximum depth .* 1 or more"):
                self._graph(self.flour_1, max_depth=max_depth)
        with self.assertRaisesRegex(UserError, "Unknown genealogy direction sideways"):
            self._graph(self.flour_1, direction="sideways")
        graph = self._graph(self.flour_2, direction="down", max_depth="1")
        self.assertEqual(len(self._nodes(graph, "lot")), 3, "a depth typed as text is accepted")

    def test_recall_graph_is_the_whole_scope_with_affected_customers(self):
        recall = self.env["stock.recall"].create(
            {
                "lot_ids": [Command.set(self.premix_2.ids)],
                "reason": "Sugar contaminated",
                "classification": "class_2",
                "is_drill": True,
            }
        )
        recall.action_compute_scope()
        graph = recall._genealogy_graph()
        self.assertEqual(
            {name: node["depth"] for name, node in self._nodes(graph, "lot").items()},
            {"FLOUR-2": -1, "SUGAR-1": -1, "PREMIX-2": 0, "BISCUIT-2": 1},
        )
        self.assertEqual(graph["roots"], [f"lot-{self.premix_2.id}"])
        customers = self._nodes(graph, "customer")
        self.assertEqual(set(customers), {"Beta Market", "Gamma Foods"})
        self.assertTrue(all(node["highlight"] for node in customers.values()))
        self.assertEqual(customers["Beta Market"]["recall_state"], "to_notify")
        self.assertEqual(set(self._nodes(graph, "supplier")), {"Mill Co", "Sugar Co"})
        self.assertEqual(
            self._nodes(graph, "lot")["BISCUIT-2"]["state"], "free", "a drill recalls nothing"
        )

    def test_actions_open_the_client_action_with_the_record(self):
        action = self.premix_1.action_open_genealogy_graph()
        self.assertEqual(action["tag"], "stock_lot_traceability.genealogy_graph")
        self.assertEqual(action["params"], {"res_model": "stock.lot", "res_id": self.premix_1.id})
        recall = self.env["stock.recall"].create(
            {"lot_ids": [Command.set(self.flour_1.ids)], "reason": "Glass", "is_drill": True}
        )
        action = recall.action_open_genealogy_graph()
        self.assertEqual(action["params"], {"res_model": "stock.recall", "res_id": recall.id})

    def test_a_traceability_user_can_draw_it(self):
        user = self._user("graph_reader", "stock_lot_traceability.group_traceability_user")
        graph = self.biscuit_1.with_user(user)._genealogy_graph()
        self.assertIn("Alpha Stores", self._nodes(graph, "customer"))

    def _queries(self, lot):
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        graph = lot._genealogy_graph()
        return self.env.cr.sql_log_count - before, graph

    def test_queries_do_not_grow_with_the_lots(self):
        small_count, small = self._queries(self.flour_1)
        # five more premix lots from FLOUR-1, each made into biscuits shipped to a customer
        for index in range(5):
            premix_name, biscuit_name = f"PREMIX-X{index}", f"BISCUIT-X{index}"
            self.flow._produce_lot(self.premix, 2, premix_name, {self.flour_1: 4})
            self.flow._receive_lots(self.farm, [(self.eggs, f"EGGS-X{index}", 2)])
            self.flow._produce_lot(
                self.biscuit,
                2,
                biscuit_name,
                {self._lot(premix_name): 2, self._lot(f"EGGS-X{index}"): 2},
            )
            self.flow._deliver_lots(
                (self.alpha, self.beta, self.gamma)[index % 3],
                [(self.biscuit, self._lot(biscuit_name), 1)],
            )
        large_count, large = self._queries(self.flour_1)
        self.assertEqual(len(self._nodes(small, "lot")), 3)
        self.assertEqual(len(self._nodes(large, "lot")), 13)
        self.assertEqual(len(self._edges(large, "delivery")), 7)
        self.assertLessEqual(
            large_count,
            small_count,
            "the graph reads lots, links, receipts and deliveries set-based, never per node",
        )


@tagged("post_install", "-at_install")
class TestGenealogyGraphUi(TraceabilityMixin, HttpCase):
    """In the browser: the graph opens from a lot and from a recall; a click opens a lot."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_partners()
        cls._create_products()
        flow = cls.env["stock.lot.traceability.flow"]
        flow._receive_lots(cls.mill, [(cls.flour, "GRAPH-FLOUR", 50)])
        flow._receive_lots(cls.sugar_co, [(cls.sugar, "GRAPH-SUGAR", 50)])
        cls.flour_lot, sugar = cls._lot("GRAPH-FLOUR"), cls._lot("GRAPH-SUGAR")
        flow._produce_lot(cls.premix, 5, "GRAPH-PREMIX", {cls.flour_lot: 10, sugar: 5})
        flow._receive_lots(cls.farm, [(cls.eggs, "GRAPH-EGGS", 10)])
        flow._produce_lot(
            cls.biscuit,
            5,
            "GRAPH-BISCUIT",
            {cls._lot("GRAPH-PREMIX"): 5, cls._lot("GRAPH-EGGS"): 5},
        )
        cls.biscuit_lot = cls._lot("GRAPH-BISCUIT")
        flow._deliver_lots(cls.alpha, [(cls.biscuit, cls.biscuit_lot, 2)])
        cls.recall = cls.env["stock.recall"].create(
            {
                "lot_ids": [Command.set(cls.flour_lot.ids)],
                "reason": "Glass fragments at sieving",
                "is_drill": True,
            }
        )
        cls.recall.action_compute_scope()
        # what odoo-bin does before browser tests: build the asset bundles up front
        cls.env["ir.qweb"]._pregenerate_assets_bundles()

    def _start_tour(self, url, tour):
        """Run ``tour`` from ``url`` as the administrator; once more if the web client
        never booted (see tests/test_ui.py: a busy machine, not the addon)."""
        try:
            self.start_tour(url, tour, login="admin", timeout=180)
        except (AssertionError, TimeoutError) as error:
            never_booted = ("always falsy", "is not valid JSON", "isTourReady")
            if not any(sign in str(error) for sign in never_booted):
                raise
            self.start_tour(url, tour, login="admin", timeout=180)

    def test_open_the_graph_from_a_lot_and_click_a_node(self):
        self._start_tour(
            f"/odoo/action-stock.action_production_lot_form/{self.biscuit_lot.id}",
            "stock_lot_genealogy_graph_tour",
        )

    def test_open_the_graph_from_a_recall(self):
        self._start_tour(
            f"/odoo/action-stock_lot_traceability.stock_recall_action/{self.recall.id}",
            "stock_recall_genealogy_graph_tour",
        )
