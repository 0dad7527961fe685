from odoo import api, fields, models


class StockLotTraceLine(models.TransientModel):
    """One lot reached by a trace, with its distance from the lot the trace started from.

    Transient: a trace is a snapshot to browse, group and export, recomputed on demand.
    """

    _name = "stock.lot.trace.line"
    _inherit = ["stock.lot.check.mixin"]
    _description = "Lot Trace Result"
    _order = "depth, product_id, lot_id"

    origin_lot_id = fields.Many2one(
        "stock.lot", string="Traced Lot", readonly=True, help="The lot the trace started from."
    )
    trace_id = fields.Many2one(
        "stock.lot.document.trace",
        string="Document Trace",
        readonly=True,
        ondelete="cascade",
        help="The trace of a document this line belongs to.",
    )
    direction = fields.Selection(
        [("up", "Upstream"), ("down", "Downstream")],
        readonly=True,
        help="Upstream: what the traced lot was made from. Downstream: what was made from it.",
    )
    lot_id = fields.Many2one("stock.lot", required=True, readonly=True, help="The lot reached.")
    depth = fields.Integer(
        readonly=True,
        aggregator=False,
        help="Manufacturing steps between the traced lot (0) and this lot.",
    )
    product_id = fields.Many2one(
        related="lot_id.product_id", store=True, help="The product of the lot."
    )
    company_id = fields.Many2one(
        related="lot_id.company_id", store=True, help="The company of the lot."
    )
    product_qty = fields.Float(
        related="lot_id.product_qty", string="On Hand", help="The lot's stock on hand."
    )
    product_uom_id = fields.Many2one(related="lot_id.product_uom_id")
    expiration_date = fields.Datetime(related="lot_id.expiration_date")
    hold_state = fields.Selection(related="lot_id.hold_state")

    @api.model
    def _create_for_trace(self, lot, direction):
        depths = lot._trace(direction)
        depths.pop(lot.id, None)
        return self.create(
            [
                {
                    "origin_lot_id": lot.id,
                    "direction": direction,
                    "lot_id": lot_id,
                    "depth": depth,
                }
                for lot_id, depth in sorted(depths.items(), key=lambda item: (item[1], item[0]))
            ]
        )

    @api.readonly
    def action_open_lot(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "stock.lot",
            "res_id": self.lot_id.id,
            "view_mode": "form",
        }
