from odoo import api, fields, models


class StockLotTraceLine(models.TransientModel):
    """One lot reached by a trace, with its distance from the lot the trace started from.

    Transient: a trace is a snapshot to browse, group and export, recomputed on demand.
    """

    _name = "stock.lot.trace.line"
    _inherit = ["stock.lot.check.mixin"]
    _description = "Lot Trace Result"
    _order = "depth, product_id, lot_id"

    origin_lot_id = fields.Many2one("stock.lot", string="Traced Lot", readonly=True)
    direction = fields.Selection([("up", "Upstream"), ("down", "Downstream")], readonly=True)
    lot_id = fields.Many2one("stock.lot", string="Lot", required=True, readonly=True)
    depth = fields.Integer(readonly=True, aggregator=False)
    product_id = fields.Many2one(related="lot_id.product_id", store=True)
    company_id = fields.Many2one(related="lot_id.company_id", store=True)
    product_qty = fields.Float(related="lot_id.product_qty", string="On Hand")
    product_uom_id = fields.Many2one(related="lot_id.product_uom_id")
    expiration_date = fields.Datetime(related="lot_id.expiration_date")

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
