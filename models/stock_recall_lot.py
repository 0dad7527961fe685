from odoo import _, api, fields, models
from odoo.tools import SQL

from . import evidence
from .snapshot_fields import SnapshotMany2one

# The move is read for the few lines that leave to an inventory location only.
_SCRAPPED = "EXISTS (SELECT 1 FROM stock_move m WHERE m.id = ml.move_id AND m.scrapped)"
# Mass-balance columns: done move lines crossing the boundary of internal locations, by the
# usage of the location on the other side (and whether the move is a scrap).
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
# the flows stored as they are (the adjustments are stored as one net quantity)
_FLOW_COLUMNS = [name for name in (*_FLOWS_IN, *_FLOWS_OUT) if not name.startswith("adjusted")]
# what came in, minus what went out and what is left
_GAP = (
    "f.received_qty + f.produced_qty + f.returned_qty + f.adjusted_in - f.adjusted_out"
    " - f.on_hand_qty - f.shipped_qty - f.consumed_qty - f.scrapped_qty"
)


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
    def _insert_for_scope(self, scope, depths):
        """One line per lot of ``{lot id: depth}`` for the scope version ``scope``, with
        its mass balance, in one ``INSERT … SELECT``: a supplier recall balances ten
        thousand lots, whose flows and stock are summed where they are, in PostgreSQL.

        Only the moves and stock of the trace's companies count (a recall's own company):
        a lot shared between companies balances separately in each. Lines are written in
        the order of their depth, then lot.
        """
        if not depths:
            return
        evidence.check_system_change(self, scope.recall_id, _("created"))
        self.env.flush_all()
        lots = self.env["stock.lot"].with_context(active_test=False).browse(depths)
        ordered = sorted(depths.items(), key=lambda item: (item[1], item[0]))
        digits = self._fields["received_qty"].get_digits(self.env)[1]

        def rounded(expression):
            return SQL("ROUND(%s, %s)", SQL(expression), digits)

        self.env.cr.execute(
            SQL(
                """
                INSERT INTO stock_recall_lot
                       (recall_id, scope_id, superseded, lot_id, product_id, depth,
                        %(flow_columns)s, adjusted_qty, on_hand_qty, on_hand_locations,
                        mass_balance_gap, has_mass_balance_gap)
                SELECT %(recall_id)s, %(scope_id)s, FALSE, scope.lot_id, lot.product_id,
                       scope.depth, %(flow_values)s, %(adjusted)s, %(on_hand)s,
                       stock.locations, %(gap)s, ROUND(ABS(balance.gap) / uom.rounding) <> 0
                  FROM unnest(%(lot_ids)s::int4[], %(depths)s::int4[])
                       WITH ORDINALITY AS scope(lot_id, depth, position)
                  JOIN stock_lot lot ON lot.id = scope.lot_id
                  JOIN product_product product ON product.id = lot.product_id
                  JOIN product_template template ON template.id = product.product_tmpl_id
                  JOIN uom_uom uom ON uom.id = template.uom_id
                  LEFT JOIN (%(flows)s) AS flow ON flow.lot_id = scope.lot_id
                  LEFT JOIN (%(stock)s) AS stock ON stock.lot_id = scope.lot_id
                 CROSS JOIN LATERAL (SELECT %(zero_if_none)s) AS f
                 CROSS JOIN LATERAL (SELECT %(gap_expression)s AS gap) AS balance
                 ORDER BY scope.position
                """,
                flow_columns=SQL(", ").join(SQL.identifier(name) for name in _FLOW_COLUMNS),
                flow_values=SQL(", ").join(rounded(f"f.{name}") for name in _FLOW_COLUMNS),
                adjusted=rounded("f.adjusted_in - f.adjusted_out"),
                on_hand=rounded("f.on_hand_qty"),
                gap=rounded("balance.gap"),
                zero_if_none=SQL(
                    ", ".join(
                        [
                            f"COALESCE(flow.{name}, 0) AS {name}"
                            for name in (*_FLOWS_IN, *_FLOWS_OUT)
                        ]
                        + ["COALESCE(stock.quantity, 0) AS on_hand_qty"]
                    )
                ),
                gap_expression=SQL(_GAP),
                recall_id=scope.recall_id.id,
                scope_id=scope.id,
                lot_ids=[lot_id for lot_id, _depth in ordered],
                depths=[depth for _lot_id, depth in ordered],
                flows=self._flows_query(lots),
                stock=self._stock_query(lots),
            )
        )

    @api.model
    def _flows_query(self, lots):
        """Per lot, the done move lines that crossed the boundary of internal locations,
        summed by the usage of the location on the other side (``_FLOWS_IN``,
        ``_FLOWS_OUT``), in the product's unit."""
        flows = [
            SQL(
                "COALESCE(SUM(ml.quantity_product_uom) FILTER (WHERE %s AND %s), 0) AS %s",
                SQL(side),
                SQL(condition),
                SQL.identifier(name),
            )
            for side, conditions in (
                ("dest.usage = 'internal'", _FLOWS_IN),
                ("src.usage = 'internal'", _FLOWS_OUT),
            )
            for name, condition in conditions.items()
        ]
        return SQL(
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

    @api.model
    def _stock_query(self, lots):
        """Per lot, the quantity in internal locations of the trace's companies and where
        it is (``Location: quantity; …``, by location)."""
        return SQL(
            """
            SELECT lot_id, SUM(quantity) AS quantity,
                   string_agg(name || ': ' || CASE WHEN quantity = TRUNC(quantity)
                                                   THEN TRUNC(quantity)::text
                                                   ELSE RTRIM(quantity::text, '0') END,
                              '; ' ORDER BY name) AS locations
              FROM (SELECT quant.lot_id, COALESCE(loc.complete_name, loc.name) AS name,
                           SUM(quant.quantity) AS quantity
                      FROM stock_quant quant
                      JOIN stock_location loc ON loc.id = quant.location_id
                     WHERE quant.lot_id = ANY(%(lot_ids)s) AND loc.usage = 'internal'
                       AND quant.company_id = ANY(%(company_ids)s)
                     GROUP BY quant.lot_id, 2
                    HAVING SUM(quant.quantity) <> 0) AS per_location
             GROUP BY lot_id
            """,
            lot_ids=lots.ids,
            company_ids=lots._trace_company_ids(),
        )
