from contextlib import contextmanager

from psycopg2.errors import ReadOnlySqlTransaction

from odoo.tests import tagged

from .common import TraceabilityCase

# README, "Running at scale": what Odoo may run on a read-only cursor (a replica), and
# what must stay on the primary because it writes (transient results, attachments, holds)
READ_ONLY = {
    "stock.lot": [
        "action_view_trace_suppliers",
        "action_view_holds",
    ],
    "stock.recall": ["action_view_scopes", "action_view_holds", "action_view_pickings"],
    "stock.lot.expiry.overview": [
        "action_open_held_lots",
        "action_open_expiring",
        "action_open_expired",
        "action_open_recalls",
        "action_open_weekly_graph",
    ],
    "stock.lot.expiry.report": ["action_open_expiring"],
    "stock.lot.trace.line": ["action_open_lot"],
    "stock.lot.timeline": ["action_open_document", "action_open_order"],
}
READ_WRITE = {
    "stock.lot": [
        "action_view_upstream_lots",
        "action_view_downstream_lots",
        "action_view_trace_customers",
        "action_view_timeline",
        "action_quarantine_impact",
        "action_print_coa",
        "action_open_hold_wizard",
    ],
    "stock.recall": [
        "action_compute_scope",
        "action_hold_stock",
        "action_notify_customers",
        "action_close",
        "action_export_xlsx",
        "action_print_report",
    ],
    "stock.lot.hold": ["create", "action_release", "action_cancel"],
    "stock.lot.expiry.report": ["action_export_xlsx"],
}


@tagged("post_install", "-at_install")
class TestReadOnlyMarks(TraceabilityCase):
    """Odoo 18 sends a JSON-RPC call to the replica when its method is @api.readonly."""

    def _is_read_only(self, model, method):
        """What /web/dataset/call_kw decides (web.controllers.dataset._call_kw_readonly)."""
        for cls in type(self.env[model]).mro():
            found = getattr(cls, method, None)
            if found is not None and hasattr(found, "_readonly"):
                return found._readonly
        return False

    @contextmanager
    def _read_only_transaction(self):
        """Run the block as on a hot standby: any INSERT/UPDATE/DELETE fails."""
        self.env.flush_all()
        self.env.cr.execute("SAVEPOINT slt_read_only")
        self.env.cr.execute("SET TRANSACTION READ ONLY")
        try:
            yield
            self.env.flush_all()
        finally:
            self.env.cr.execute("ROLLBACK TO SAVEPOINT slt_read_only")
            self.env.invalidate_all()

    def test_reads_are_marked_and_writes_are_not(self):
        for model, methods in READ_ONLY.items():
            for method in methods:
                with self.subTest(model=model, method=method):
                    self.assertTrue(self._is_read_only(model, method))
        for model, methods in READ_WRITE.items():
            for method in methods:
                with self.subTest(model=model, method=method):
                    self.assertFalse(self._is_read_only(model, method))

    def test_marked_methods_run_in_a_read_only_transaction(self):
        recall = self.env["stock.recall"].create(
            {"lot_ids": [(6, 0, self.flour_1.ids)], "reason": "Foreign matter", "is_drill": True}
        )
        recall.action_compute_scope()
        downstream = self.env["stock.lot.trace.line"].browse(
            self.flour_1.action_view_downstream_lots()["domain"][0][2]
        )
        timeline = self.env["stock.lot.timeline"]._create_for_lot(self.biscuit_1)
        overview = self.env["stock.lot.expiry.overview"].search([], limit=1)
        with self._read_only_transaction():
            suppliers = self.biscuit_1.action_view_trace_suppliers()
            self.biscuit_1.action_view_holds()
            for method in READ_ONLY["stock.recall"]:
                getattr(recall, method)()
            for method in READ_ONLY["stock.lot.expiry.overview"]:
                getattr(overview, method)()
            self.env["stock.lot.expiry.report"].action_open_expiring(30)
            lot_action = downstream[:1].action_open_lot()
            timeline.filtered("res_id")[:1].action_open_document()
        self.assertIn(self.mill.id, suppliers["domain"][0][2])
        self.assertEqual(lot_action["res_id"], downstream[:1].lot_id.id)

    def test_unmarked_trace_views_write(self):
        """The upstream/downstream lists store transient lines: they need the primary."""
        with self.assertRaises(ReadOnlySqlTransaction), self._read_only_transaction():
            self.biscuit_1.action_view_upstream_lots()
