from collections import defaultdict

from odoo import models
from odoo.tools import SQL

TRACE_DIRECTIONS = {
    # direction: (column walked from, column walked to)
    "down": ("parent_lot_id", "child_lot_id"),
    "up": ("child_lot_id", "parent_lot_id"),
}


class StockLot(models.Model):
    """The trace engine: every lot, delivery, customer and supplier reachable from lots,
    set-based over the indexed genealogy links."""

    _inherit = "stock.lot"

    def _trace(self, direction="down", max_depth=None):
        """Return ``{lot_id: depth}`` for these lots (depth 0) and every lot reachable.

        ``direction='down'`` follows where the lots were used (forward, recall scope);
        ``'up'`` follows what they were made from (backward, root cause). The walk is
        time-aware: going down, a link is followed only if it happened at or after the
        moment the path reached its input lot (material that left a lot cannot be in what
        was made from that lot earlier, e.g. after an unbuild); going up, only if it
        happened at or before the moment the path reached its output lot. A lot reached by
        several paths keeps its shortest depth and its best moment (the earliest going
        down, the latest going up), and is walked again when a later level improves that
        moment. One set-based query per level over the indexed ``stock_lot_link``; cycles
        end the walk (the moment along a path never goes back). Only links of the trace's
        companies count (:meth:`_trace_company_ids`).
        """
        if direction not in TRACE_DIRECTIONS:
            raise ValueError(f"Unknown trace direction {direction!r}")
        if not self.ids:
            return {}
        from_col, to_col = TRACE_DIRECTIONS[direction]
        downstream = direction == "down"
        self.env["stock.lot.link"].flush_model()
        company_ids = self._trace_company_ids()
        depths = dict.fromkeys(self.ids, 0)
        moments = dict.fromkeys(self.ids)  # None: the start lots accept any link
        frontier, depth = list(self.ids), 0
        while frontier and (max_depth is None or depth < max_depth):
            depth += 1
            self.env.cr.execute(
                SQL(
                    """
                    SELECT link.%(to_col)s, %(best)s(link.date)
                      FROM unnest(%(lots)s::integer[], %(moments)s::timestamp[])
                           AS walk(lot_id, reached_at)
                      JOIN stock_lot_link link ON link.%(from_col)s = walk.lot_id
                     WHERE link.active
                       AND link.company_id = ANY(%(company_ids)s)
                       AND (walk.reached_at IS NULL OR link.date %(order)s walk.reached_at)
                     GROUP BY link.%(to_col)s
                    """,
                    from_col=SQL.identifier(from_col),
                    to_col=SQL.identifier(to_col),
                    best=SQL("MIN" if downstream else "MAX"),
                    order=SQL(">=" if downstream else "<="),
                    lots=frontier,
                    moments=[moments[lot_id] for lot_id in frontier],
                    company_ids=company_ids,
                )
            )
            frontier = []
            for lot_id, reached_at in self.env.cr.fetchall():
                if lot_id not in depths:
                    depths[lot_id] = depth
                elif moments[lot_id] is None or (
                    reached_at >= moments[lot_id] if downstream else reached_at <= moments[lot_id]
                ):
                    continue
                moments[lot_id] = reached_at
                frontier.append(lot_id)
        return depths

    def _trace_per_lot(self, direction="down", max_depth=None):
        """Return ``{start_lot_id: {lot_id: depth}}``: :meth:`_trace` of each lot of ``self``
        on its own, in one query per level for all of them (lists, batch computes).

        The same walk and rules as :meth:`_trace` (time-aware, shortest depth, best moment,
        companies), keyed by the lot each path started from.
        """
        if direction not in TRACE_DIRECTIONS:
            raise ValueError(f"Unknown trace direction {direction!r}")
        if not self.ids:
            return {}
        from_col, to_col = TRACE_DIRECTIONS[direction]
        downstream = direction == "down"
        self.env["stock.lot.link"].flush_model()
        company_ids = self._trace_company_ids()
        depths = {lot_id: {lot_id: 0} for lot_id in self.ids}
        moments = {(lot_id, lot_id): None for lot_id in self.ids}
        frontier, depth = [(lot_id, lot_id) for lot_id in self.ids], 0
        while frontier and (max_depth is None or depth < max_depth):
            depth += 1
            self.env.cr.execute(
                SQL(
                    """
                    SELECT walk.origin_id, link.%(to_col)s, %(best)s(link.date)
                      FROM unnest(%(origins)s::integer[], %(lots)s::integer[],
                                  %(moments)s::timestamp[])
                           AS walk(origin_id, lot_id, reached_at)
                      JOIN stock_lot_link link ON link.%(from_col)s = walk.lot_id
                     WHERE link.active
                       AND link.company_id = ANY(%(company_ids)s)
                       AND (walk.reached_at IS NULL OR link.date %(order)s walk.reached_at)
                     GROUP BY walk.origin_id, link.%(to_col)s
                    """,
                    from_col=SQL.identifier(from_col),
                    to_col=SQL.identifier(to_col),
                    best=SQL("MIN" if downstream else "MAX"),
                    order=SQL(">=" if downstream else "<="),
                    origins=[origin for origin, _lot in frontier],
                    lots=[lot_id for _origin, lot_id in frontier],
                    moments=[moments[key] for key in frontier],
                    company_ids=company_ids,
                )
            )
            frontier = []
            for origin_id, lot_id, reached_at in self.env.cr.fetchall():
                key = (origin_id, lot_id)
                if lot_id not in depths[origin_id]:
                    depths[origin_id][lot_id] = depth
                elif moments[key] is None or (
                    reached_at >= moments[key] if downstream else reached_at <= moments[key]
                ):
                    continue
                moments[key] = reached_at
                frontier.append(key)
        return depths

    def _trace_company_ids(self):
        """Companies whose links and moves a trace reads: those of the context key
        ``trace_company_ids`` (a recall traces within its own company), else the user's."""
        return self.env.context.get("trace_company_ids") or self.env.companies.ids

    def _trace_deliveries(self):
        """Done move lines that shipped these lots to a customer location.

        Returns are not removed here (the shipment happened); quantities net of
        returns come from :meth:`_trace_customer_quantities`.
        """
        return self._trace_move_lines(SQL("dest.usage = 'customer' AND src.usage != 'customer'"))

    def _trace_receipts(self):
        """Done move lines that received these lots from a supplier location."""
        return self._trace_move_lines(SQL("src.usage = 'supplier'"))

    def _trace_move_lines(self, location_condition, done=True):
        """Move lines of these lots matching ``location_condition`` (done, or still open)."""
        if not self.ids:
            return self.env["stock.move.line"]
        self.env["stock.move.line"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT ml.id
                  FROM stock_move_line ml
                  JOIN stock_location src ON src.id = ml.location_id
                  JOIN stock_location dest ON dest.id = ml.location_dest_id
                 WHERE ml.lot_id = ANY(%(lot_ids)s) AND %(state_condition)s
                   AND ml.company_id = ANY(%(company_ids)s)
                   AND %(condition)s
                 ORDER BY ml.date, ml.id
                """,
                lot_ids=list(self.ids),
                company_ids=self._trace_company_ids(),
                condition=location_condition,
                state_condition=SQL("ml.state = 'done'")
                if done
                else SQL("ml.state NOT IN ('done', 'cancel')"),
            )
        )
        return self.env["stock.move.line"].browse(row[0] for row in self.env.cr.fetchall())

    def _trace_customer_quantities(self):
        """Quantities of these lots shipped to each customer, net of customer returns.

        Every done move out of a customer location counts as a return of that customer,
        however it was made; a customer never gets more back than it was shipped (the
        deliveries of a recall allocate returns the same way).
        Returns a list of dicts ``partner_id`` (commercial entity), ``lot_id``,
        ``product_id``, ``delivered``, ``returned``, ``net`` (product unit of measure).
        """
        if not self.ids:
            return []
        self.env["stock.move.line"].flush_model()
        self.env["stock.picking"].flush_model(["partner_id"])
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(partner.commercial_partner_id, partner.id) AS partner_id,
                       ml.lot_id, ml.product_id,
                       SUM(CASE WHEN dest.usage = 'customer'
                                THEN ml.quantity_product_uom ELSE 0 END) AS delivered,
                       SUM(CASE WHEN src.usage = 'customer'
                                THEN ml.quantity_product_uom ELSE 0 END) AS returned
                  FROM stock_move_line ml
                  JOIN stock_move move ON move.id = ml.move_id
                  JOIN stock_location src ON src.id = ml.location_id
                  JOIN stock_location dest ON dest.id = ml.location_dest_id
                  LEFT JOIN stock_picking picking ON picking.id = ml.picking_id
                  JOIN res_partner partner
                    ON partner.id = COALESCE(picking.partner_id, move.partner_id)
                 WHERE ml.lot_id = ANY(%(lot_ids)s) AND ml.state = 'done'
                   AND ml.company_id = ANY(%(company_ids)s)
                   AND (src.usage = 'customer') <> (dest.usage = 'customer')
                 GROUP BY 1, 2, 3
                HAVING SUM(CASE WHEN dest.usage = 'customer'
                                THEN ml.quantity_product_uom ELSE 0 END) > 0
                 ORDER BY 1, 2
                """,
                lot_ids=list(self.ids),
                company_ids=self._trace_company_ids(),
            )
        )
        return [
            {
                "partner_id": partner_id,
                "lot_id": lot_id,
                "product_id": product_id,
                "delivered": delivered,
                "returned": min(returned, delivered),
                "net": max(delivered - returned, 0.0),
            }
            for partner_id, lot_id, product_id, delivered, returned in self.env.cr.fetchall()
        ]

    def _trace_lots(self, direction):
        return self.browse(self._trace(direction))

    def _trace_customers(self):
        """Commercial partners who received these lots or anything made from them."""
        return self._trace_lots("down")._delivery_customers()

    def _trace_suppliers(self):
        """Vendors of these lots or of any lot they were made from."""
        return self._trace_lots("up")._receipt_vendors()

    def _delivery_customers(self):
        """Commercial partners who received these very lots (no trace)."""
        rows = self._trace_customer_quantities()
        return self.env["res.partner"].browse(sorted({row["partner_id"] for row in rows}))

    def _receipt_vendors(self):
        """Commercial partners these very lots were received from (no trace): the vendor of
        the purchase order, else the partner of the receipt or of its move."""
        vendors = self._receipt_vendors_by_lot()
        return self.env["res.partner"].browse(sorted({v.id for p in vendors.values() for v in p}))

    def _receipt_vendors_by_lot(self):
        """``{lot id: vendors}`` of :meth:`_receipt_vendors`, for all these lots in one query."""
        if not self.ids:
            return {}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT ml.lot_id, COALESCE(vendor.commercial_partner_id, vendor.id)
                  FROM stock_move_line ml
                  JOIN stock_move move ON move.id = ml.move_id
                  JOIN stock_location src ON src.id = ml.location_id
                  LEFT JOIN purchase_order_line pol ON pol.id = move.purchase_line_id
                  LEFT JOIN purchase_order po ON po.id = pol.order_id
                  LEFT JOIN stock_picking picking ON picking.id = ml.picking_id
                  JOIN res_partner vendor
                    ON vendor.id = COALESCE(po.partner_id, picking.partner_id, move.partner_id)
                 WHERE ml.lot_id = ANY(%(lot_ids)s) AND ml.state = 'done'
                   AND ml.company_id = ANY(%(company_ids)s)
                   AND src.usage = 'supplier'
                """,
                lot_ids=list(self.ids),
                company_ids=self._trace_company_ids(),
            )
        )
        vendor_ids = defaultdict(list)
        for lot_id, vendor_id in self.env.cr.fetchall():
            vendor_ids[lot_id].append(vendor_id)
        partners = self.env["res.partner"]
        return {lot_id: partners.browse(sorted(ids)) for lot_id, ids in vendor_ids.items()}
