from odoo import api, fields, models
from odoo.tools import SQL


class StockLotQuarantineImpact(models.TransientModel):
    """What holding a lot would block downstream: lots, stock, open deliveries and MOs."""

    _name = "stock.lot.quarantine.impact"
    _inherit = ["stock.lot.check.mixin"]
    _description = "Quarantine Impact"

    lot_id = fields.Many2one(
        "stock.lot", required=True, readonly=True, help="The lot whose quarantine is assessed."
    )
    affected_lot_ids = fields.Many2many(
        "stock.lot",
        compute="_compute_impact",
        string="Affected Lots",
        help="This lot and every lot made from it.",
    )
    quant_ids = fields.Many2many(
        "stock.quant",
        compute="_compute_impact",
        string="Stock on Hand",
        help="Stock of the affected lots.",
    )
    open_move_line_ids = fields.Many2many(
        "stock.move.line",
        compute="_compute_impact",
        string="Open Operations",
        help="Open operations that move affected lots.",
    )
    picking_ids = fields.Many2many(
        "stock.picking",
        compute="_compute_impact",
        string="Transfers",
        help="Open transfers that would be blocked.",
    )
    production_ids = fields.Many2many(
        "mrp.production",
        compute="_compute_impact",
        string="Manufacturing Orders",
        help="Open manufacturing orders that would be blocked.",
    )
    affected_lot_count = fields.Integer(
        compute="_compute_impact", help="Lots held if this lot and its products were."
    )
    on_hand_lot_count = fields.Integer(
        compute="_compute_impact", help="Affected lots that still have stock."
    )
    picking_count = fields.Integer(
        compute="_compute_impact", help="Open transfers of affected lots."
    )
    production_count = fields.Integer(
        compute="_compute_impact", help="Open manufacturing orders using affected lots."
    )

    @api.depends("lot_id")
    def _compute_impact(self):
        for impact in self:
            lots = impact.lot_id._trace_lots("down")
            quants = self.env["stock.quant"].search(
                [
                    ("lot_id", "in", lots.ids),
                    ("location_id.usage", "=", "internal"),
                    ("quantity", ">", 0),
                ]
            )
            open_lines = impact._open_move_lines(lots)
            impact.affected_lot_ids = lots
            impact.quant_ids = quants
            impact.open_move_line_ids = open_lines
            impact.picking_ids = open_lines.picking_id
            impact.production_ids = open_lines.move_id.raw_material_production_id
            impact.affected_lot_count = len(lots)
            impact.on_hand_lot_count = len(quants.lot_id)
            impact.picking_count = len(impact.picking_ids)
            impact.production_count = len(impact.production_ids)

    def _open_move_lines(self, lots):
        """Not-done move lines taking these lots out of stock: they would be blocked."""
        return lots._trace_move_lines(SQL("src.usage = 'internal'"), done=False)
