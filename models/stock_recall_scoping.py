import time
from collections import defaultdict

from odoo import _, fields, models
from odoo.tools import SQL, float_round

from . import bulk, evidence


class StockRecall(models.Model):
    """Building a recall's scope: the affected lots, deliveries and customers, versioned,
    and their quantities per customer and product, all set-based."""

    _inherit = "stock.recall"

    def action_compute_scope(self):
        """Trace the origin lots forward (and backward), fill the scope, time it."""
        self._check_recall_manager()
        self._check_state(("draft", "scoped", "in_progress"), _("scoped"))
        for recall in evidence.system(self):
            with bulk.without_jit(self.env.cr):
                recall._compute_scope()
        return True

    def _compute_scope(self):
        """Compute a new scope version of this recall, timed, and say so in its chatter."""
        started_at, started = fields.Datetime.now(), time.perf_counter()
        if not self.scope_started_at:
            self.write(
                {
                    "scope_started_at": started_at,
                    "scope_move_line_mark": self._last_move_line_id(),
                }
            )
        # a recall traces, counts and balances within its own company (and shared lots)
        scope = self.with_context(trace_company_ids=self.company_id.ids)._fill_scope()
        seconds = time.perf_counter() - started
        self.write(
            {
                "scoped_at": fields.Datetime.now(),
                "scope_seconds": seconds,
                "state": "scoped" if self.state == "draft" else self.state,
            }
        )
        scope.write(
            {
                "scope_seconds": seconds,
                "lot_count": self.affected_lot_count,
                "delivery_count": self.delivery_count,
                "customer_count": self.customer_count,
                "mass_balance_gap_count": self.mass_balance_gap_count,
            }
        )
        self.message_post(
            body=_(
                "Scope computed in %(seconds).3f s: %(lots)s lots, %(deliveries)s "
                "deliveries, %(customers)s customers, %(gaps)s mass-balance gaps.",
                seconds=self.scope_seconds,
                lots=self.affected_lot_count,
                deliveries=self.delivery_count,
                customers=self.customer_count,
                gaps=self.mass_balance_gap_count,
            )
        )

    def _last_move_line_id(self):
        self.env["stock.move.line"].flush_model()
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM stock_move_line")
        return self.env.cr.fetchone()[0]

    def _fill_scope(self):
        """Compute a new scope version; the previous one is kept, marked superseded.

        Called in system mode (models/evidence.py). Returns the new ``stock.recall.scope``.
        Set-based: the lines are computed by a few queries and written in one statement
        per table (models/bulk.py), then the caches and stored computes that depend on
        them are refreshed.
        """
        self.ensure_one()
        lots = self.lot_ids.with_context(active_test=False)
        depths = lots._trace("down")
        scope_lots = self.env["stock.lot"].with_context(active_test=False).browse(depths)
        scope = self.env["stock.recall.scope"].create(
            {
                "recall_id": self.id,
                "number": len(self.scope_ids) + 1,
                "computed_at": fields.Datetime.now(),
                "computed_by_id": self.env.uid,
            }
        )
        self._supersede_scope_lines()
        self.write({"scope_id": scope.id})
        self.env["stock.recall.lot"]._insert_for_scope(scope, depths)
        customers = self.env["stock.recall.delivery"]._insert_for_scope(scope, scope_lots)
        self._sync_partner_lines(customers)
        self._scope_lines_changed()
        upstream = lots._trace_lots("up") - lots
        self.upstream_lot_ids = upstream
        self.supplier_ids = (lots | upstream)._receipt_vendors()
        self._refresh_quantities()
        return scope

    def _supersede_scope_lines(self):
        """Mark the lines of the current scope version as an older version's, in SQL."""
        for model_name in ("stock.recall.lot", "stock.recall.delivery", "stock.recall.product"):
            model = self.env[model_name]
            model.flush_model(["recall_id", "superseded"])
            log = SQL()
            if model._log_access:
                log = SQL(", write_uid = %s, write_date = %s", self.env.uid, self.env.cr.now())
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE %(table)s SET superseded = TRUE%(log)s
                     WHERE recall_id = %(recall_id)s AND superseded IS NOT TRUE
                    RETURNING id
                    """,
                    table=SQL.identifier(model._table),
                    log=log,
                    recall_id=self.id,
                )
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            fnames = (
                ["superseded", "write_uid", "write_date"] if model._log_access else ["superseded"]
            )
            model.browse(ids).invalidate_recordset(fnames)
        self._scope_lines_changed()

    def _scope_lines_changed(self):
        """After lines were written in SQL: forget the cached relations to them (recall,
        scope versions, customers) and recompute what depends on them (the counts)."""
        for model_name in ("stock.recall", "stock.recall.scope"):
            self.env[model_name].invalidate_model(
                ["recall_lot_ids", "delivery_ids", "product_line_ids"], flush=False
            )
        self.env["stock.recall.partner"].invalidate_model(["delivery_ids"], flush=False)
        self.modified(["recall_lot_ids", "delivery_ids", "product_line_ids"])

    def _sync_partner_lines(self, partner_ids):
        """One line per customer of the current scope (``partner_ids``, commercial
        entities), kept across re-scopes with what the customer did; a customer no longer
        in scope and never told is dropped."""
        in_scope = dict.fromkeys(partner_ids)
        lines = self.partner_line_ids
        dropped = lines.filtered(
            lambda line: line.partner_id.id not in in_scope and line.state == "to_notify"
        )
        # sudo: Recall Managers may not delete customer lines; a customer no longer in
        # scope that was never told is no evidence (system mode still required)
        dropped.sudo().unlink()
        existing = set((lines - dropped).partner_id.ids)
        self.env["stock.recall.partner"]._insert_for_scope(
            self,
            self.env["res.partner"].browse(
                partner_id for partner_id in in_scope if partner_id not in existing
            ),
        )

    # ------------------------------------------------------------------
    # Quantities, per customer and product, then per product
    # ------------------------------------------------------------------
    def _refresh_quantities(self):
        """Shipped, returned, accounted for and recovered, in each product's unit.

        Shipped is net of the customer returns made before the recall began (up to
        ``scope_move_line_mark``); returns since then, whether made with the Return
        action or not, are recovered quantities. So a re-scope never inflates the
        effectiveness: goods brought back by the recall are not subtracted from what
        was shipped. Customer lines keep their returns and accounted quantities.
        """
        for recall in evidence.system(self):
            if not recall.scope_id:
                continue
            delivered, lot_ids = recall._current_scope_quantities()
            before, since = recall._customer_returns(recall.env["stock.lot"].browse(lot_ids))
            shipped = {
                key: max(quantity - before.get(key, 0.0), 0.0)
                for key, quantity in delivered.items()
            }
            recall._refresh_partner_products(shipped, since)
            recall.partner_line_ids._store_quantities()
            recall.partner_line_ids._update_states()
            recall._refresh_product_totals(shipped)

    def _current_scope_quantities(self):
        """``({(customer, product): shipped quantity}, [lot ids])`` of the current scope,
        read in SQL (a scope may hold thousands of lines)."""
        self.env["stock.recall.delivery"].flush_model()
        self.env["stock.recall.lot"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id, product_id, COALESCE(SUM(quantity), 0)
                  FROM stock_recall_delivery
                 WHERE recall_id = %(recall_id)s AND superseded IS NOT TRUE
                 GROUP BY partner_id, product_id
                """,
                recall_id=self.id,
            )
        )
        delivered = {
            (partner_id or False, product_id): quantity
            for partner_id, product_id, quantity in self.env.cr.fetchall()
        }
        self.env.cr.execute(
            SQL(
                "SELECT lot_id FROM stock_recall_lot "
                "WHERE recall_id = %(recall_id)s AND superseded IS NOT TRUE",
                recall_id=self.id,
            )
        )
        return delivered, [row[0] for row in self.env.cr.fetchall()]

    def _refresh_partner_products(self, shipped, returned):
        """Insert the missing customer product lines and update the others' shipped and
        returned quantities, one statement each."""
        to_create, to_write = [], {}
        products_by_partner = defaultdict(set)
        for partner_id, product_id in shipped:
            products_by_partner[partner_id].add(product_id)
        lines = self.partner_line_ids
        existing_by_line = self._partner_product_lines(lines)
        digits = (
            self.env["stock.recall.partner.product"]._fields["shipped_qty"].get_digits(self.env)[1]
        )
        for line in lines:
            existing = existing_by_line[line.id]
            partner_id = line.partner_id.id
            for product_id in products_by_partner[partner_id] | set(existing):
                key = (partner_id, product_id)
                vals = {
                    "shipped_qty": shipped.get(key, 0.0),
                    "returned_qty": returned.get(key, 0.0),
                }
                if product_id not in existing:
                    to_create.append({**vals, "partner_line_id": line.id, "product_id": product_id})
                    continue
                product_line_id, *current = existing[product_id]
                if any(
                    float_round(value, precision_digits=digits) != stored
                    for value, stored in zip(vals.values(), current, strict=True)
                ):
                    to_write[product_line_id] = vals
        bulk.update(self.env["stock.recall.partner.product"], to_write)
        self.env["stock.recall.partner.product"]._insert_lines(lines, to_create)

    def _partner_product_lines(self, lines):
        """``{customer line id: {product id: (line id, shipped, returned)}}``, in SQL."""
        result = defaultdict(dict)
        if not lines:
            return result
        self.env["stock.recall.partner.product"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_line_id, product_id, id, COALESCE(shipped_qty, 0),
                       COALESCE(returned_qty, 0)
                  FROM stock_recall_partner_product
                 WHERE partner_line_id = ANY(%(line_ids)s)
                """,
                line_ids=lines.ids,
            )
        )
        for line_id, product_id, product_line_id, shipped, returned in self.env.cr.fetchall():
            result[line_id][product_id] = (product_line_id, shipped, returned)
        return result

    def _refresh_product_totals(self, shipped):
        """One line per product of the current scope: its mass balance and recovery."""
        totals = self._product_totals()
        for (partner_id, product_id), quantity in shipped.items():
            if not partner_id:  # shipments naming no customer: shipped, never recovered
                totals[product_id]["shipped_qty"] += quantity
        existing = {line.product_id.id: line.id for line in self.product_line_ids}
        to_create, to_write = [], {}
        for product_id, total in totals.items():
            shipped_qty = total["shipped_qty"]
            vals = {
                "lot_count": int(total["lot_count"]),
                "on_hand_qty": total["on_hand_qty"],
                "mass_balance_gap": total["mass_balance_gap"],
                "shipped_qty": shipped_qty,
                "returned_qty": total["returned_qty"],
                "accounted_qty": total["accounted_qty"],
                "recovered_qty": total["recovered_qty"],
                "effectiveness": min(100.0, 100.0 * total["recovered_qty"] / shipped_qty)
                if shipped_qty > 0
                else 100.0,
            }
            if product_id in existing:
                to_write[existing[product_id]] = vals
            else:
                to_create.append(
                    {
                        **vals,
                        "recall_id": self.id,
                        "scope_id": self.scope_id.id,
                        "product_id": product_id,
                    }
                )
        bulk.update(self.env["stock.recall.product"], to_write)
        self.env["stock.recall.product"].create(to_create)

    def _product_totals(self):
        """``{product id: {column: total}}`` of the current scope's lot lines and customer
        product lines, summed in SQL."""
        totals = defaultdict(lambda: defaultdict(float))
        self.env["stock.recall.lot"].flush_model()
        self.env["stock.recall.partner.product"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT product_id, COUNT(*), COALESCE(SUM(on_hand_qty), 0),
                       COALESCE(SUM(mass_balance_gap), 0)
                  FROM stock_recall_lot
                 WHERE recall_id = %(recall_id)s AND superseded IS NOT TRUE
                 GROUP BY product_id
                """,
                recall_id=self.id,
            )
        )
        for product_id, lot_count, on_hand_qty, mass_balance_gap in self.env.cr.fetchall():
            totals[product_id].update(
                lot_count=lot_count, on_hand_qty=on_hand_qty, mass_balance_gap=mass_balance_gap
            )
        self.env.cr.execute(
            SQL(
                """
                SELECT product_id, COALESCE(SUM(shipped_qty), 0), COALESCE(SUM(returned_qty), 0),
                       COALESCE(SUM(accounted_qty), 0), COALESCE(SUM(recovered_qty), 0)
                  FROM stock_recall_partner_product
                 WHERE partner_line_id = ANY(%(line_ids)s)
                 GROUP BY product_id
                """,
                line_ids=self.partner_line_ids.ids,
            )
        )
        for product_id, shipped, returned, accounted, recovered in self.env.cr.fetchall():
            total = totals[product_id]
            total["shipped_qty"] += shipped
            total["returned_qty"] += returned
            total["accounted_qty"] += accounted
            total["recovered_qty"] += recovered
        return totals

    def _customer_returns(self, lots):
        """``({(customer, product): quantity}, {...})``: done customer returns of ``lots``
        made before the recall began, and since, in the product's unit of measure."""
        if not lots:
            return {}, {}
        self.env.flush_all()
        lots = lots.with_context(trace_company_ids=self.company_id.ids)
        self.env.cr.execute(
            SQL(
                """
                SELECT line.customer_id, line.product_id,
                       COALESCE(SUM(line.quantity) FILTER (WHERE line.id <= %(mark)s), 0),
                       COALESCE(SUM(line.quantity) FILTER (WHERE line.id > %(mark)s), 0)
                  FROM (%(lines)s) AS line
                 WHERE line.customer_id IS NOT NULL
                 GROUP BY 1, 2
                """,
                mark=self.scope_move_line_mark,
                lines=self.env["stock.recall.delivery"]._lines_query(lots, returns=True),
            )
        )
        before, since = {}, {}
        for partner_id, product_id, returned_before, returned_since in self.env.cr.fetchall():
            before[partner_id, product_id] = returned_before
            since[partner_id, product_id] = returned_since
        return before, since
