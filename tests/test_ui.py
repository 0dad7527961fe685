from odoo.tests import HttpCase, tagged

from .common import TraceabilityMixin


@tagged("post_install", "-at_install")
class TestTraceabilityUi(TraceabilityMixin, HttpCase):
    """A QA manager, in the browser, finds a flour lot, holds it and follows it downstream."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._create_partners()
        cls._create_products()
        flow = cls.env["stock.lot.traceability.flow"]
        flow._receive_lots(cls.mill, [(cls.flour, "TOUR-FLOUR", 50)])
        flow._receive_lots(cls.sugar_co, [(cls.sugar, "TOUR-SUGAR", 50)])
        flour = cls.env["stock.lot"].search([("name", "=", "TOUR-FLOUR")])
        sugar = cls.env["stock.lot"].search([("name", "=", "TOUR-SUGAR")])
        flow._produce_lot(cls.premix, 5, "TOUR-PREMIX", {flour: 10, sugar: 5})
        premix = cls.env["stock.lot"].search([("name", "=", "TOUR-PREMIX")])
        eggs_receipt = flow._receive_lots(cls.farm, [(cls.eggs, "TOUR-EGGS", 10)])
        flow._produce_lot(
            cls.biscuit, 5, "TOUR-BISCUIT", {premix: 5, eggs_receipt.move_line_ids.lot_id: 5}
        )
        biscuit = cls.env["stock.lot"].search([("name", "=", "TOUR-BISCUIT")])
        flow._deliver_lots(cls.alpha, [(cls.biscuit, biscuit, 2)])
        cls.flour_lot = flour
        # what odoo-bin does before browser tests: build the asset bundles up front, so the
        # browser does not wait for them
        cls.env["ir.qweb"]._pregenerate_assets_bundles()

    def _start_tour(self, tour):
        """Run ``tour`` as the administrator; once more if the web client never booted.

        On a machine busy with other test runs, the first page of a pytest-odoo run now and
        then stays blank: a boot request gets a page instead of JSON and no tour step ever
        runs. That says nothing about the addon, so the tour gets a second browser; a tour
        that fails in one of its steps fails at once.
        """
        try:
            self.start_tour("/odoo", tour, login="admin", timeout=180)
        except (AssertionError, TimeoutError) as error:
            never_booted = ("always falsy", "is not valid JSON", "isTourReady")
            if not any(sign in str(error) for sign in never_booted):
                raise
            self.start_tour("/odoo", tour, login="admin", timeout=180)

    def test_hold_and_trace_a_lot_in_the_browser(self):
        self._start_tour("stock_lot_traceability_tour")
        self.assertEqual(self.flour_lot.hold_state, "held")
        self.assertEqual(self.flour_lot.active_hold_ids.note, "Metal fragment found at sieving")

    def test_run_a_recall_from_the_menu(self):
        self._start_tour("stock_recall_tour")
        recall = self.env["stock.recall"].search([("lot_ids", "=", self.flour_lot.id)])
        self.assertEqual(recall.state, "in_progress")
        self.assertEqual(recall.partner_line_ids.partner_id, self.alpha)
        self.assertEqual(recall.partner_line_ids.state, "notified")
        self.assertEqual(self.flour_lot.hold_state, "held")
