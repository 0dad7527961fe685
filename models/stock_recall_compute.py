from odoo import api, models
from odoo.tools import SQL


class StockRecall(models.Model):
    """A recall's computed figures: products, time to close, line counts (in SQL: a scope
    may hold thousands of lines), scope versions, holds and effectiveness."""

    _inherit = "stock.recall"

    @api.depends("lot_ids")
    def _compute_product_ids(self):
        for recall in self:
            recall.product_ids = recall.lot_ids.product_id

    @api.depends("scope_started_at", "closed_at", "create_date")
    def _compute_hours_to_close(self):
        for recall in self:
            start = recall.scope_started_at or recall.create_date
            if recall.closed_at and start:
                recall.hours_to_close = (recall.closed_at - start).total_seconds() / 3600
            else:
                recall.hours_to_close = 0.0

    @api.depends("recall_lot_ids.mass_balance_gap", "delivery_ids", "partner_line_ids")
    def _compute_counts(self):
        """Counted in SQL for saved recalls: a scope may hold thousands of lines."""
        saved = self.filtered("id")
        counts = saved._line_counts() if saved else {}
        for recall in saved:
            recall.update(counts[recall.id])
        for recall in self - saved:
            recall.affected_lot_count = len(recall.recall_lot_ids)
            recall.delivery_count = len(recall.delivery_ids)
            recall.customer_count = len(recall.partner_line_ids)
            recall.unassigned_delivery_count = len(
                recall.delivery_ids.filtered(lambda delivery: not delivery.partner_id)
            )
            recall.mass_balance_gap_count = len(
                recall.recall_lot_ids.filtered("has_mass_balance_gap")
            )

    def _line_counts(self):
        """``{recall id: {count field: value}}`` of the current scope's lines."""
        for model_name in ("stock.recall.lot", "stock.recall.delivery", "stock.recall.partner"):
            self.env[model_name].flush_model()
        counts = {
            recall_id: {
                "affected_lot_count": 0,
                "delivery_count": 0,
                "customer_count": 0,
                "unassigned_delivery_count": 0,
                "mass_balance_gap_count": 0,
            }
            for recall_id in self.ids
        }
        self.env.cr.execute(
            SQL(
                """
                SELECT recall_id, COUNT(*), COUNT(*) FILTER (WHERE has_mass_balance_gap)
                  FROM stock_recall_lot
                 WHERE recall_id = ANY(%(ids)s) AND superseded IS NOT TRUE
                 GROUP BY recall_id
                """,
                ids=self.ids,
            )
        )
        for recall_id, lot_count, gap_count in self.env.cr.fetchall():
            counts[recall_id].update(affected_lot_count=lot_count, mass_balance_gap_count=gap_count)
        self.env.cr.execute(
            SQL(
                """
                SELECT recall_id, COUNT(*), COUNT(*) FILTER (WHERE partner_id IS NULL)
                  FROM stock_recall_delivery
                 WHERE recall_id = ANY(%(ids)s) AND superseded IS NOT TRUE
                 GROUP BY recall_id
                """,
                ids=self.ids,
            )
        )
        for recall_id, delivery_count, unassigned_count in self.env.cr.fetchall():
            counts[recall_id].update(
                delivery_count=delivery_count, unassigned_delivery_count=unassigned_count
            )
        self.env.cr.execute(
            SQL(
                """
                SELECT recall_id, COUNT(*) FROM stock_recall_partner
                 WHERE recall_id = ANY(%(ids)s) GROUP BY recall_id
                """,
                ids=self.ids,
            )
        )
        for recall_id, customer_count in self.env.cr.fetchall():
            counts[recall_id]["customer_count"] = customer_count
        return counts

    @api.depends("scope_ids")
    def _compute_scope_count(self):
        for recall in self:
            recall.scope_count = len(recall.scope_ids)

    @api.depends("hold_ids")
    def _compute_hold_count(self):
        for recall in self:
            recall.hold_count = len(recall.hold_ids)

    @api.depends(
        "product_line_ids.effectiveness",
        "product_line_ids.shipped_qty",
        "product_line_ids.recovered_qty",
    )
    def _compute_effectiveness(self):
        for recall in self:
            lowest = recall.product_line_ids.filtered("shipped_qty").sorted(
                lambda line: (line.effectiveness, line.product_id.id)
            )[:1]
            recall.effectiveness_product_id = lowest.product_id
            recall.shipped_qty = lowest.shipped_qty
            recall.accounted_qty = lowest.recovered_qty
            recall.effectiveness = lowest.effectiveness if lowest else 100.0
