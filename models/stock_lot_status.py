from contextlib import contextmanager

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

LOT_STAGES = [
    ("ordered", "Ordered"),
    ("received", "Received"),
    ("in_stock", "In Stock"),
    ("allocated", "Allocated"),
    ("in_transit", "In Transit"),
    ("delivered", "Delivered"),
    ("consumed", "Consumed"),
    ("repacked", "Repacked"),
    ("archived", "Archived"),
]
LOT_CONDITIONS = [
    ("available", "Available"),
    ("on_hold", "On Hold"),
    ("near_expiry", "Near Expiry"),
    ("expired", "Expired"),
    ("recalled", "Recalled"),
]
# Lots touched inside a batch (models/*_lot_status.py), refreshed once when it ends.
_BATCH_KEY = "stock_lot_traceability.lot_status_batch"
# Quantities below this are rounding residues, not stock.
_EPSILON = 0.000001


@contextmanager
def lot_status_batch(env):
    """Collect the lots whose status a batch of stock operations changes, and refresh
    them in one statement when the outermost batch ends (nested batches only collect).

    Kept in the transaction's pre-commit data, so nothing survives a commit or rollback.
    """
    batch = env.cr.precommit.data.setdefault(
        _BATCH_KEY, {"depth": 0, "lot_ids": set(), "condition_ids": set()}
    )
    batch["depth"] += 1
    try:
        yield
    finally:
        batch["depth"] -= 1
        lot_ids, condition_ids = set(), set()
        if not batch["depth"]:
            lot_ids, condition_ids = batch["lot_ids"], batch["condition_ids"] - batch["lot_ids"]
            batch["lot_ids"], batch["condition_ids"] = set(), set()
    lots = env["stock.lot"]
    if lot_ids:
        lots.browse(lot_ids)._refresh_lot_status()
    if condition_ids:
        lots.browse(condition_ids)._refresh_lot_condition()


class StockLot(models.Model):
    """Where a lot is in its journey (stage) and whether it may be used (condition).

    Both are stored, and written only by :meth:`_refresh_lot_status`: one statement for
    the lots a flow touched (moves done, reservations, holds, recalls, repacks, archiving,
    dates), never a recomputation of every lot. Time moves lots into *near expiry* and
    *expired* without any flow: the daily :meth:`_cron_refresh_lot_condition` refreshes
    the lots whose alert or expiration date has passed since their condition was set.

    Precedence, first match wins (README, *Lot status and timeline*):

    - stage: archived; then what is left of the lot — free stock on hand (*received* while
      all of it waits in a receiving location of a multi-step reception, else *in stock*),
      *allocated* (all of it reserved for a delivery, a manufacturing order or a transit),
      *in transit*; with nothing left, where it went — *repacked*, *delivered* (net of
      customer returns), *consumed* (used up: production, scrap, loss, back to the vendor);
      never received or produced: *ordered*.
    - condition: *recalled* (in the scope of a real recall, scoped or later), *expired*
      (final, whether or not a hold followed), *on hold*, *near expiry*, *available*.
    """

    _inherit = "stock.lot"

    lot_stage = fields.Selection(
        LOT_STAGES,
        string="Stage",
        default="ordered",
        readonly=True,
        copy=False,
        index=True,
        help="Where the lot is in its journey, from ordered to delivered or consumed.",
    )
    lot_condition = fields.Selection(
        LOT_CONDITIONS,
        string="Condition",
        default="available",
        readonly=True,
        copy=False,
        index=True,
        help="Whether the lot may be used: recalled, expired, on hold, near expiry, or available.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_lot_status_not_written(vals)
        lots = super().create(vals_list)
        lots._mark_lot_status()
        return lots

    def write(self, vals):
        self._check_lot_status_not_written(vals)
        res = super().write(vals)
        if {"active", "expiration_date", "alert_date"} & set(vals):
            self._mark_lot_status()
        return res

    @api.model
    def _check_lot_status_not_written(self, vals):
        """Stage and condition follow the lot's flows: nobody sets them by hand."""
        written = {"lot_stage", "lot_condition"} & set(vals)
        if written:
            raise UserError(
                _(
                    "The stage and condition of a lot follow its receipts, reservations, "
                    "moves, holds, recalls and dates, and cannot be written (%(fields)s).",
                    fields=", ".join(sorted(written)),
                )
            )

    # ------------------------------------------------------------------
    # Refresh
    # ------------------------------------------------------------------
    def _mark_lot_status(self, condition_only=False):
        """Refresh these lots' status now, or at the end of the running batch.
        ``condition_only``: what changed (a hold, a recall) cannot change the stage, so only
        the condition is recomputed (the stage reads the lots' whole move history)."""
        lot_ids = {lot_id for lot_id in self.ids if lot_id}
        if not lot_ids:
            return
        batch = self.env.cr.precommit.data.get(_BATCH_KEY)
        if batch and batch["depth"]:
            batch["condition_ids" if condition_only else "lot_ids"] |= lot_ids
        elif condition_only:
            self.browse(lot_ids)._refresh_lot_condition()
        else:
            self.browse(lot_ids)._refresh_lot_status()

    def _refresh_lot_condition(self):
        """Recompute the condition of these lots alone, in one statement; returns the lots
        whose condition changed."""
        if not self.ids:
            return self.browse()
        for model_name in ("stock.lot", "stock.lot.hold", "stock.recall", "stock.recall.lot"):
            self.env[model_name].flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE stock_lot lot
                   SET lot_condition = status.condition
                  FROM (SELECT lots.id, %(condition)s AS condition
                          FROM stock_lot lots
                         WHERE lots.id = ANY(%(ids)s)) AS status
                 WHERE lot.id = status.id
                   AND lot.lot_condition IS DISTINCT FROM status.condition
                RETURNING lot.id
                """,
                condition=self._lot_condition_sql(),
                ids=list(self.ids),
            )
        )
        changed = self.browse(row[0] for row in self.env.cr.fetchall())
        changed.invalidate_recordset(["lot_condition"], flush=False)
        return changed

    def _lot_condition_sql(self):
        """The condition of the row ``lots`` (a ``stock_lot``), first match wins."""
        return SQL(
            """
            CASE
                WHEN EXISTS (SELECT 1 FROM stock_recall_lot line
                               JOIN stock_recall recall ON recall.id = line.recall_id
                              WHERE line.lot_id = lots.id
                                AND line.superseded IS NOT TRUE
                                AND recall.is_drill IS NOT TRUE
                                AND recall.state IN ('scoped', 'in_progress', 'closed'))
                THEN 'recalled'
                WHEN lots.expiration_date <= %(now)s THEN 'expired'
                WHEN lots.hold_state = 'held' THEN 'on_hold'
                WHEN lots.alert_date <= %(now)s THEN 'near_expiry'
                ELSE 'available'
            END
            """,
            now=fields.Datetime.now(),
        )

    def _refresh_lot_status(self):
        """Recompute the stage and condition of these lots in one statement; rows whose
        status does not change are not written. Returns the lots that changed."""
        if not self.ids:
            return self.browse()
        for model_name in (
            "stock.lot",
            "stock.quant",
            "stock.move",
            "stock.move.line",
            "stock.lot.link",
            "stock.lot.hold",
            "stock.recall",
            "stock.recall.lot",
        ):
            self.env[model_name].flush_model()
        self.env.cr.execute(self._lot_status_query())
        changed = self.browse(row[0] for row in self.env.cr.fetchall())
        changed.invalidate_recordset(["lot_stage", "lot_condition"], flush=False)
        return changed

    def _lot_status_query(self):
        return SQL(
            """
            WITH lots AS (
                SELECT id, active, hold_state, expiration_date, alert_date
                  FROM stock_lot WHERE id = ANY(%(ids)s)
            ), receiving AS (
                -- where a multi-step reception leaves goods before they are put away
                SELECT loc.id
                  FROM stock_warehouse wh
                  JOIN stock_location root
                    ON root.id = wh.wh_input_stock_loc_id
                    OR (root.id = wh.wh_qc_stock_loc_id AND wh.reception_steps = 'three_steps')
                  JOIN stock_location loc ON starts_with(loc.parent_path, root.parent_path)
                 WHERE wh.reception_steps != 'one_step'
            ), stock AS (
                SELECT quant.lot_id,
                       SUM(quant.quantity) FILTER (WHERE loc.usage = 'internal') AS internal,
                       SUM(quant.quantity) FILTER (
                           WHERE loc.usage = 'internal'
                             AND loc.id NOT IN (SELECT id FROM receiving)) AS put_away,
                       SUM(quant.quantity) FILTER (WHERE loc.usage = 'transit') AS transit
                  FROM stock_quant quant
                  JOIN stock_location loc ON loc.id = quant.location_id
                 WHERE quant.lot_id = ANY(%(ids)s)
                 GROUP BY quant.lot_id
            ), allocated AS (
                -- reserved for what takes it away: a delivery, a production, a transit, or
                -- the first step of a chain (pick); not for a put-away or a shelf move
                SELECT ml.lot_id, SUM(ml.quantity_product_uom) AS quantity
                  FROM stock_move_line ml
                  JOIN stock_move move ON move.id = ml.move_id
                  JOIN stock_location src ON src.id = ml.location_id
                  JOIN stock_location dest ON dest.id = ml.location_dest_id
                 WHERE ml.lot_id = ANY(%(ids)s) AND ml.state NOT IN ('done', 'cancel')
                   AND src.usage = 'internal' AND src.id NOT IN (SELECT id FROM receiving)
                   AND (dest.usage != 'internal'
                        OR EXISTS (SELECT 1 FROM stock_move_move_rel rel
                                    WHERE rel.move_orig_id = move.id))
                 GROUP BY ml.lot_id
            ), history AS (
                SELECT ml.lot_id,
                       SUM(CASE WHEN dest.usage = 'customer' AND src.usage != 'customer'
                                THEN ml.quantity_product_uom
                                WHEN src.usage = 'customer' AND dest.usage != 'customer'
                                THEN -ml.quantity_product_uom
                                ELSE 0 END) AS delivered,
                       BOOL_OR(src.usage NOT IN ('internal', 'transit')) AS arrived
                  FROM stock_move_line ml
                  JOIN stock_location src ON src.id = ml.location_id
                  JOIN stock_location dest ON dest.id = ml.location_dest_id
                 WHERE ml.lot_id = ANY(%(ids)s) AND ml.state = 'done'
                 GROUP BY ml.lot_id
            ), status AS (
                SELECT lots.id,
                       CASE
                           WHEN NOT lots.active THEN 'archived'
                           WHEN COALESCE(stock.internal, 0) - COALESCE(allocated.quantity, 0)
                                > %(epsilon)s
                           THEN CASE WHEN COALESCE(stock.put_away, 0) > %(epsilon)s
                                     THEN 'in_stock' ELSE 'received' END
                           WHEN COALESCE(stock.internal, 0) > %(epsilon)s THEN 'allocated'
                           WHEN COALESCE(stock.transit, 0) > %(epsilon)s THEN 'in_transit'
                           WHEN EXISTS (SELECT 1 FROM stock_lot_link link
                                         WHERE link.parent_lot_id = lots.id
                                           AND link.kind = 'repack' AND link.active)
                           THEN 'repacked'
                           WHEN COALESCE(history.delivered, 0) > %(epsilon)s THEN 'delivered'
                           WHEN history.arrived THEN 'consumed'
                           ELSE 'ordered'
                       END AS stage,
                       %(condition)s AS condition
                  FROM lots
                  LEFT JOIN stock ON stock.lot_id = lots.id
                  LEFT JOIN allocated ON allocated.lot_id = lots.id
                  LEFT JOIN history ON history.lot_id = lots.id
            )
            UPDATE stock_lot lot
               SET lot_stage = status.stage, lot_condition = status.condition
              FROM status
             WHERE lot.id = status.id
               AND (lot.lot_stage IS DISTINCT FROM status.stage
                    OR lot.lot_condition IS DISTINCT FROM status.condition)
            RETURNING lot.id
            """,
            ids=list(self.ids),
            epsilon=_EPSILON,
            condition=self._lot_condition_sql(),
        )

    @api.model
    def _refresh_all_lot_status(self, batch_size=50000):
        """Fill the stage and condition of every lot (installation), a batch at a time."""
        self.env.cr.execute("SELECT id FROM stock_lot ORDER BY id")
        lot_ids = [row[0] for row in self.env.cr.fetchall()]
        for start in range(0, len(lot_ids), batch_size):
            self.browse(lot_ids[start : start + batch_size])._refresh_lot_status()

    @api.model
    def _cron_refresh_lot_condition(self):
        """Daily: lots whose alert or expiration date has passed since their condition was
        last set (so it still says otherwise) get it refreshed; no other lot is read."""
        self.env["stock.lot"].flush_model(["lot_condition", "expiration_date", "alert_date"])
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM stock_lot
                 WHERE (expiration_date <= %(now)s
                        AND lot_condition IN ('available', 'near_expiry', 'on_hold'))
                    OR (alert_date <= %(now)s AND lot_condition = 'available')
                """,
                now=fields.Datetime.now(),
            )
        )
        lots = self.with_context(active_test=False).browse(row[0] for row in self.env.cr.fetchall())
        return lots._refresh_lot_status()
