from odoo import _, api, models


class StockRecall(models.Model):
    """A recall's genealogy graph: its whole scope at once, the affected customers
    highlighted (client action ``stock_lot_traceability.genealogy_graph``)."""

    _inherit = "stock.recall"

    @api.readonly
    def _genealogy_graph(self):
        """Return ``{'nodes': [...], 'edges': [...]}`` of this recall.

        Downstream: the lots of the current scope version at their recorded depth (a recall
        not scoped yet is traced live by the engine); upstream: what the origin lots were
        made from, back to the suppliers. Customers are the affected ones and highlighted.
        """
        self.ensure_one()
        lots = self.lot_ids.with_context(trace_company_ids=self.company_id.ids)
        depths = {lot_id: -depth for lot_id, depth in lots._trace("up").items()}
        if self.recall_lot_ids:
            downstream = {line.lot_id.id: line.depth for line in self.recall_lot_ids}
        else:
            downstream = lots._trace("down")
        for lot_id, depth in downstream.items():
            if depth or lot_id not in depths:
                depths[lot_id] = depth
        graph = lots._genealogy_graph_from_depths(depths, highlight_customers=True)
        partner_states = {line.partner_id.id: line.state for line in self.partner_line_ids}
        for node in graph["nodes"]:
            if node["type"] == "customer" and node["res_id"] in partner_states:
                node["recall_state"] = partner_states[node["res_id"]]
        return graph

    @api.readonly
    def genealogy_graph_data(self):
        """:meth:`_genealogy_graph` for the web client (private methods are not callable
        over RPC); the recall must be readable by the user."""
        self.check_access("read")
        return self._genealogy_graph()

    def action_open_genealogy_graph(self):
        """The genealogy graph of this recall's scope (client action)."""
        self.ensure_one()
        return {
            "type": "ir.actions.client",
            "tag": "stock_lot_traceability.genealogy_graph",
            "name": _("Genealogy of %s", self.name),
            "params": {"res_model": "stock.recall", "res_id": self.id},
            "context": {"active_model": "stock.recall", "active_id": self.id},
        }
