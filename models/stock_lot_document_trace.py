from odoo import _, api, fields, models

DIRECTIONS = {"up": ("up",), "down": ("down",), "both": ("up", "down")}


class StockLotDocumentTrace(models.TransientModel):
    """The trace of a document's lots, opened by its *Traceability* smart button.

    Backward (sales orders, deliveries, returns): the lots shipped, what they were made
    from, and the vendors and purchase orders they came from. Forward (purchase orders,
    receipts): the lots received, what was made from them, and the customers and sales
    orders that received it. Both for manufacturing orders. The trace engine walks once
    per direction for all the document's lots.
    """

    _name = "stock.lot.document.trace"
    _description = "Document Traceability"

    name = fields.Char(readonly=True, help="The document traced.")
    res_model = fields.Char(string="Document Model", readonly=True, help="Model of the document.")
    res_id = fields.Integer(string="Document ID", readonly=True, help="Id of the document.")
    direction = fields.Selection(
        [("up", "Backward"), ("down", "Forward"), ("both", "Both Ways")],
        readonly=True,
        help="Backward: what the document's lots were made from, up to the vendors. "
        "Forward: what was made from them, down to the customers.",
    )
    lot_ids = fields.Many2many(
        "stock.lot",
        string="Document Lots",
        readonly=True,
        help="The lots of the document's move lines: where the trace starts (depth 0).",
    )
    upstream_line_ids = fields.One2many(
        "stock.lot.trace.line",
        "trace_id",
        string="Made From",
        domain=[("direction", "=", "up")],
        readonly=True,
        help="The document's lots and every lot they were made from, by depth.",
    )
    downstream_line_ids = fields.One2many(
        "stock.lot.trace.line",
        "trace_id",
        string="Made Into",
        domain=[("direction", "=", "down")],
        readonly=True,
        help="The document's lots and every lot made from them, by depth.",
    )
    supplier_line_ids = fields.One2many(
        "stock.lot.supplier.line",
        "trace_id",
        string="Vendors and Purchase Orders",
        readonly=True,
        help="Supplier receipts of the lots traced backward.",
    )
    customer_line_ids = fields.One2many(
        "stock.lot.customer.line",
        "trace_id",
        string="Customers and Sales Orders",
        readonly=True,
        help="Customer deliveries of the lots traced forward.",
    )

    @api.model
    def _create_for_document(self, document):
        """Trace ``document`` (a record of the traceability document mixin) and store the
        result: one engine walk per direction for all its lots."""
        direction = document._traceability_direction()
        trace = self.create(
            {
                "name": document.display_name,
                "res_model": document._name,
                "res_id": document.id,
                "direction": direction,
                "lot_ids": [fields.Command.set(document._traceability_lots().ids)],
            }
        )
        line_vals = []
        for walk in DIRECTIONS[direction]:
            start = document._traceability_lots(walk)
            depths = start._trace(walk)
            line_vals += [
                {"trace_id": trace.id, "direction": walk, "lot_id": lot_id, "depth": depth}
                for lot_id, depth in sorted(depths.items(), key=lambda item: (item[1], item[0]))
            ]
            reached = start.browse(depths)
            if walk == "up":
                self.env["stock.lot.supplier.line"]._create_for_lots(reached, trace_id=trace.id)
            else:
                self.env["stock.lot.customer.line"]._create_for_lots(reached, trace_id=trace.id)
        self.env["stock.lot.trace.line"].create(line_vals)
        return trace

    def action_open_document(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
        }

    def _action_open(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Traceability of %s", self.name),
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }
