from odoo import api, fields, models
from odoo.tools import SQL, float_is_zero

from .snapshot_fields import SnapshotMany2one

# Mass-balance columns: done move lines crossing the boundary of internal locations, by the
# usage of the location on the other side (and whether the move is a scrap).
# the move is read for the few lines that leave to an inventory location only
_SCRAPPED = "EXISTS (SELECT 1 FROM stock_move m WHERE m.id = ml.move_id AND m.scrapped)"
_FLOWS_IN = {
    "received_qty": "src.usage = 'supplier'",
    "produced_qty": "src.usage = 'production'",
    "returned_qty": "src.usage = 'customer'",
    "adjusted_in": "src.usage NOT IN ('supplier', 'production', 'customer')",
}
_FLOWS_OUT = {
    "shipped_qty": "dest.usage = 'customer'",
    "consumed_qty": "dest.usage = 'production'",
    "scrapped_qty": f"dest.usage = 'inventory' AND {_SCRAPPED}",
    "adjusted_out": "NOT (dest.usage IN ('customer', 'production') "
    f"OR (dest.usage = 'inventory' AND {_SCRAPPED}))",
}


class StockRecallLot(models.Model):
    """A lot in the scope of a recall, with its mass balance."""

    _name = "stock.recall.lot"
    _inherit = ["stock.lot.check.mixin", "stock.recall.evidence.mixin"]
    _description = "Recall Affected Lot"
    _order = "recall_id, depth, product_id, lot_id"
    # written by the thousand at once (see stock.recall.delivery): who computed the lines
    # and when is on their scope version
    _log_access = False

    recall_id = fields.Many2one(
        "stock.recall", required=True, index=True, ondelete="cascade", help="The recall."
    )
    company_id = fields.Many2one(related="recall_id.company_id", help="The company of the recall.")
    scope_id = SnapshotMany2one(
        "stock.recall.scope",
        string="Scope Version",
        index=True,
        ondelete="cascade",
        readonly=True,
        help="The scope version that found this lot.",
    )
    superseded = fields.Boolean(
        string="Older Scope",
        readonly=True,
        help="Line of an older scope version, kept as it was computed.",
    )
    lot_id = fields.Many2one(
        "stock.lot",
        required=True,
        index=True,
        ondelete="restrict",
        context={"active_test": False},
        help="The affected lot.",
    )
    product_id = SnapshotMany2one(
        related="lot_id.product_id", store=True, help="The product of the lot."
    )
    product_uom_id = fields.Many2one(related="lot_id.product_uom_id")
    depth = fields.Integer(help="0: an origin lot; 1: made directly from one; and so on.")
    expiration_date = fields.Datetime(related="lot_id.expiration_date")
    hold_state = fields.Selection(related="lot_id.hold_state")
    received_qty = fields.Float(
        string="Received", digits="Product Unit of Measure", help="Quantity received from vendors."
    )
    produced_qty = fields.Float(
        string="Produced", digits="Product Unit of Measure", help="Quantity manufactured."
    )
    returned_qty = fields.Float(
        string="Returned", digits="Product Unit of Measure", help="Quantity returned by customers."
    )
    on_hand_qty = fields.Float(
        string="On Hand", digits="Product Unit of Measure", help="Quantity still in stock."
    )
    on_hand_locations = fields.Char(string="Locations", help="Where the stock is.")
    shipped_qty = fields.Float(
        string="Shipped", digits="Product Unit of Measure", help="Quantity delivered to customers."
    )
    consumed_qty = fields.Float(
        string="Consumed", digits="Product Unit of Measure", help="Quantity used in manufacturing."
    )
    scrapped_qty = fields.Float(
        string="Scrapped", digits="Product Unit of Measure", help="Quantity scrapped or lost."
    )
    adjusted_qty = fields.Float(
        string="Other Adjustments",
        digits="Product Unit of Measure",
        help="Inventory adjustments and other moves in (positive) or out (negative).",
    )
    mass_balance_gap = fields.Float(
        string="Gap",
        digits="Product Unit of Measure",
        help="Received + produced + returned + adjustments - on hand - shipped - consumed - "
        "scrapped. Anything but zero means stock changed without a recorded move.",
    )
    has_mass_balance_gap = fields.Boolean(
        string="Gap Found", index=True, help="What came in and what went out do not add up."
    )

    @api.model
    def _mass_balance(self, lots, products=None):
        """``{lot_id: values}`` of the mass-balance columns of these lots, in one query each.

        Only the moves and stock of the trace's companies count (a recall's own company):
        a lot shared between companies balances separately in each. ``products``: the
        :meth:`_lot_products` of these lots, when the caller already has them.
        """
        if not lots:
            return {}
        self.env.flush_all()
        flows = [
            SQL(
                "COALESCE(SUM(ml.quantity_product_uom) FILTER (WHERE dest.usage = 'internal' "
                "AND %s), 0)",
                SQL(condition),
            )
            for condition in _FLOWS_IN.values()
        ] + [
            SQL(
                "COALESCE(SUM(ml.quantity_product_uom) FILTER (WHERE src.usage = 'internal' "
                "AND %s), 0)",
                SQL(condition),
            )
            for condition in _FLOWS_OUT.values()
        ]
        self.env.cr.execute(
            SQL(
                """
                SELECT ml.lot_id, %(flows)s
                  FROM stock_move_line ml
                  JOIN stock_location src ON src.id = ml.location_id
                  JOIN stock_location dest ON dest.id = ml.location_dest_id
                 WHERE ml.lot_id = ANY(%(lot_ids)s) AND ml.state = 'done'
                   AND ml.company_id = ANY(%(company_ids)s)
                   AND (src.usage = 'internal') <> (dest.usage = 'internal')
                 GROUP BY ml.lot_id
                """,
                flows=SQL(", ").join(flows),
                lot_ids=lots.ids,
                company_ids=lots._trace_company_ids(),
            )
        )
        names = list(_FLOWS_IN) + list(_FLOWS_OUT)
        moved = {row[0]: dict(zip(names, row[1:], strict=True)) for row in self.env.cr.fetchall()}
        stock = self._on_hand(lots)
        products = products or self._lot_products(lots)
        result = {}
        for lot_id in lots.ids:
            flow = moved.get(lot_id, dict.fromkeys(names, 0.0))
            on_hand, locations = stock.get(lot_id, (0.0, ""))
            adjusted = flow.pop("adjusted_in") - flow.pop("adjusted_out")
            gap = (
                flow["received_qty"]
                + flow["produced_qty"]
                + flow["returned_qty"]
                + adjusted
                - on_hand
                - flow["shipped_qty"]
                - flow["consumed_qty"]
                - flow["scrapped_qty"]
            )
            rounding = products[lot_id][1]
            result[lot_id] = {
                **flow,
                "adjusted_qty": adjusted,
                "on_hand_qty": on_hand,
                "on_hand_locations": locations,
                "mass_balance_gap": gap,
                "has_mass_balance_gap": not float_is_zero(gap, precision_rounding=rounding),
            }
        return result

    @api.model
    def _lot_products(self, lots):
        """``{lot_id: (product id, rounding of the product's unit)}``, in one query."""
        self.env["stock.lot"].flush_model(["product_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT lot.id, lot.product_id, uom.rounding
                  FROM stock_lot lot
                  JOIN product_product product ON product.id = lot.product_id
                  JOIN product_template template ON template.id = product.product_tmpl_id
                  JOIN uom_uom uom ON uom.id = template.uom_id
                 WHERE lot.id = ANY(%(lot_ids)s)
                """,
                lot_ids=lots.ids,
            )
        )
        return {
            lot_id: (product_id, rounding)
            for lot_id, product_id, rounding in self.env.cr.fetchall()
        }

    @api.model
    def _on_hand(self, lots):
        """``{lot_id: (quantity, 'Location: qty; ...')}`` in internal locations of the
        trace's companies."""
        self.env.cr.execute(
            SQL(
                """
                SELECT quant.lot_id, loc.complete_name, SUM(quant.quantity)
                  FROM stock_quant quant
                  JOIN stock_location loc ON loc.id = quant.location_id
                 WHERE quant.lot_id = ANY(%(lot_ids)s) AND loc.usage = 'internal'
                   AND quant.company_id = ANY(%(company_ids)s)
                 GROUP BY quant.lot_id, loc.complete_name
                HAVING SUM(quant.quantity) <> 0
                 ORDER BY quant.lot_id, loc.complete_name
                """,
                lot_ids=lots.ids,
                company_ids=lots._trace_company_ids(),
            )
        )
        result = {}
        for lot_id, location, quantity in self.env.cr.fetchall():
            total, text = result.get(lot_id, (0.0, ""))
            entry = f"{location}: {quantity:g}"
            result[lot_id] = (total + quantity, f"{text}; {entry}" if text else entry)
        return result
