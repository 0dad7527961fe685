from odoo import api, models
from odoo.tools import SQL, split_every

# How stock moves tie to the document consuming or producing lots: the document's table
# and the conditions selecting its consumed and its produced moves (alias `m`, with
# `src`/`dest` the move's locations). A production's raw moves carry
# `raw_material_production_id` and its finished moves `production_id`; Odoo 18 puts
# `unbuild_id` on both sides of an unbuild. Only what goes into a production location is
# consumed and only what comes out of one is produced: a component scrapped from an MO
# carries `raw_material_production_id` too, but goes to a scrap location.
_DOCUMENTS = {
    "production": (
        "mrp_production",
        "m.raw_material_production_id = ANY(%(ids)s) AND dest.usage = 'production'",
        "m.production_id = ANY(%(ids)s) AND src.usage = 'production'",
    ),
    "unbuild": (
        "mrp_unbuild",
        "m.unbuild_id = ANY(%(ids)s) AND dest.usage = 'production'",
        "m.unbuild_id = ANY(%(ids)s) AND src.usage = 'production'",
    ),
}

# The links a set of documents should have, one row per (document, input lot, output lot):
# each consumed line's quantity is shared among the produced lines it went into (Odoo's
# pairs in `stock_move_line_consume_rel`, whose column `consume_line_id` holds the produced
# line and `produce_line_id` the consumed one; else every line the document produced), pro
# rata of the produced quantities, so the links of an input lot add up to what was consumed.
_DESIRED_LINKS = """
    WITH consumed AS (
        SELECT COALESCE(m.raw_material_production_id, m.unbuild_id) AS doc_id,
               ml.id AS line_id, ml.lot_id, ml.quantity_product_uom AS qty
          FROM stock_move_line ml
          JOIN stock_move m ON m.id = ml.move_id
          JOIN stock_location src ON src.id = m.location_id
          JOIN stock_location dest ON dest.id = m.location_dest_id
         WHERE %(consumed_condition)s
           AND ml.state = 'done' AND ml.lot_id IS NOT NULL AND ml.quantity_product_uom > 0
    ), produced AS (
        SELECT m.%(document_column)s AS doc_id, ml.id AS line_id, ml.lot_id,
               ml.quantity_product_uom AS qty, ml.date
          FROM stock_move_line ml
          JOIN stock_move m ON m.id = ml.move_id
          JOIN stock_location src ON src.id = m.location_id
          JOIN stock_location dest ON dest.id = m.location_dest_id
         WHERE %(produced_condition)s
           AND ml.state = 'done' AND ml.lot_id IS NOT NULL AND ml.quantity_product_uom > 0
    ), paired AS (
        SELECT r.produce_line_id AS consumed_id, r.consume_line_id AS produced_id
          FROM stock_move_line_consume_rel r
          JOIN consumed c ON c.line_id = r.produce_line_id
          JOIN produced p ON p.line_id = r.consume_line_id AND p.doc_id = c.doc_id
    ), targets AS (
        SELECT c.doc_id, c.line_id AS consumed_id, c.lot_id AS parent_lot_id, c.qty,
               p.lot_id AS child_lot_id, p.qty AS produced_qty, p.date
          FROM consumed c
          JOIN produced p ON p.doc_id = c.doc_id
         WHERE EXISTS (SELECT 1 FROM paired
                        WHERE paired.consumed_id = c.line_id AND paired.produced_id = p.line_id)
            OR NOT EXISTS (SELECT 1 FROM paired WHERE paired.consumed_id = c.line_id)
    ), shares AS (
        SELECT targets.*,
               produced_qty / SUM(produced_qty) OVER (PARTITION BY consumed_id) AS share
          FROM targets
    )
    SELECT doc_id, parent_lot_id, child_lot_id, SUM(qty * share) AS quantity,
           MIN(date) AS date
      FROM shares
     WHERE parent_lot_id <> child_lot_id
     GROUP BY doc_id, parent_lot_id, child_lot_id
"""

# Quantities closer than this are the same link (the allocation divides).
_QUANTITY_EPSILON = 0.000001


class StockLotLink(models.Model):
    """Links written from Odoo's own move-line genealogy: manufacturing orders and unbuilds,
    at validation, when a done MO is corrected, and backfilled at installation."""

    _inherit = "stock.lot.link"

    @api.model
    def _link_productions(self, production_ids=None):
        """Write production links for done manufacturing orders (all of them if None)."""
        return self._link_documents("production", production_ids)

    @api.model
    def _link_unbuilds(self, unbuild_ids=None):
        """Write unbuild links: the unbuilt finished lot feeds the recovered component lots."""
        return self._link_documents("unbuild", unbuild_ids)

    @api.model
    def _backfill_documents(self, kind, batch_size=5000):
        """Link every done production (or unbuild), in batches.

        Fresh statistics first: right after a bulk load PostgreSQL may think the move-line
        tables are tiny and pick a plan that takes minutes instead of seconds.
        """
        table = _DOCUMENTS[kind][0]
        self.env.flush_all()
        self.env.cr.execute(
            "ANALYZE stock_move_line, stock_move, stock_move_line_consume_rel, stock_lot_link"
        )
        self.env.cr.execute(
            SQL("SELECT id FROM %s WHERE state = 'done' ORDER BY id", SQL.identifier(table))
        )
        document_ids = [row[0] for row in self.env.cr.fetchall()]
        return sum(
            self._link_documents(kind, batch) for batch in split_every(batch_size, document_ids)
        )

    @api.model
    def _link_documents(self, kind, document_ids=None):
        """Bring the links of productions or unbuilds in line with their done move lines.

        In SQL, for any number of documents: the links a document should have
        (``_DESIRED_LINKS``) are written once; a link whose lots or quantity no longer
        match what the document consumed (a done MO unlocked and corrected) is never
        updated in place: it is archived and points, through ``superseded_by_id``, at the
        link that replaces it (same lots, else the same output lot). The link's date is when
        the output lot was produced, the moment the time-aware trace compares.
        Returns the number of links written.
        """
        if document_ids is None:
            return self._backfill_documents(kind)
        if not document_ids:
            return 0
        table, consumed_condition, produced_condition = _DOCUMENTS[kind]
        document_column = "production_id" if kind == "production" else "unbuild_id"
        self.env.flush_all()
        desired = SQL(
            _DESIRED_LINKS,
            consumed_condition=SQL(consumed_condition, ids=list(document_ids)),
            produced_condition=SQL(produced_condition, ids=list(document_ids)),
            document_column=SQL.identifier(document_column),
        )
        stale = self._archive_stale_links(kind, document_column, document_ids, desired)
        written = self._insert_missing_links(kind, table, document_column, desired)
        if stale:
            self._supersede(stale, written)
        # only what changed: invalidating more would reorder cached relations that callers
        # of _post_inventory still rely on (e.g. an MO's backorders)
        self.invalidate_model()
        self.env["stock.lot"].invalidate_model(["parent_link_ids", "child_link_ids"])
        return len(written)

    @api.model
    def _archive_stale_links(self, kind, document_column, document_ids, desired):
        """Archive the active links of these documents that ``desired`` no longer has.

        Returns ``[(link id, document id, input lot id, output lot id)]``.
        """
        self.env.cr.execute(
            SQL(
                """
                WITH desired AS (%(desired)s)
                UPDATE stock_lot_link link
                   SET active = FALSE, write_uid = %(uid)s,
                       write_date = NOW() AT TIME ZONE 'UTC'
                 WHERE link.active AND link.kind = %(kind)s
                   AND link.%(document_column)s = ANY(%(ids)s)
                   AND NOT EXISTS (
                        SELECT 1 FROM desired
                         WHERE desired.doc_id = link.%(document_column)s
                           AND desired.parent_lot_id = link.parent_lot_id
                           AND desired.child_lot_id = link.child_lot_id
                           AND ABS(desired.quantity - COALESCE(link.quantity, 0)) < %(epsilon)s)
                RETURNING link.id, link.%(document_column)s, link.parent_lot_id,
                          link.child_lot_id
                """,
                desired=desired,
                uid=self.env.uid,
                kind=kind,
                document_column=SQL.identifier(document_column),
                ids=list(document_ids),
                epsilon=_QUANTITY_EPSILON,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _insert_missing_links(self, kind, table, document_column, desired):
        """Insert the desired links that have no active twin; returns them like
        :meth:`_archive_stale_links`."""
        production_expr = "doc.id" if kind == "production" else "doc.mo_id"
        unbuild_expr = "NULL::integer" if kind == "production" else "doc.id"
        self.env.cr.execute(
            SQL(
                """
                WITH desired AS (%(desired)s)
                INSERT INTO stock_lot_link (
                    parent_lot_id, child_lot_id, parent_product_id, child_product_id, kind,
                    production_id, unbuild_id, quantity, product_uom_id, date, company_id,
                    active, create_uid, create_date, write_uid, write_date)
                SELECT desired.parent_lot_id, desired.child_lot_id, parent.product_id,
                       child.product_id, %(kind)s, %(production_expr)s, %(unbuild_expr)s,
                       desired.quantity, parent.product_uom_id,
                       COALESCE(desired.date, NOW() AT TIME ZONE 'UTC'),
                       doc.company_id, TRUE, %(uid)s, NOW() AT TIME ZONE 'UTC',
                       %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM desired
                  JOIN %(table)s doc ON doc.id = desired.doc_id
                  JOIN stock_lot parent ON parent.id = desired.parent_lot_id
                  JOIN stock_lot child ON child.id = desired.child_lot_id
                 WHERE NOT EXISTS (
                        SELECT 1 FROM stock_lot_link link
                         WHERE link.active AND link.kind = %(kind)s
                           AND link.%(document_column)s = desired.doc_id
                           AND link.parent_lot_id = desired.parent_lot_id
                           AND link.child_lot_id = desired.child_lot_id)
                ON CONFLICT (parent_lot_id, child_lot_id, kind,
                             COALESCE(production_id, 0), COALESCE(unbuild_id, 0))
                   WHERE active
                DO NOTHING
                RETURNING id, %(document_column)s, parent_lot_id, child_lot_id
                """,
                desired=desired,
                kind=kind,
                production_expr=SQL(production_expr),
                unbuild_expr=SQL(unbuild_expr),
                uid=self.env.uid,
                table=SQL.identifier(table),
                document_column=SQL.identifier(document_column),
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _supersede(self, stale, written):
        """Point each archived link at its correction: the new link of the same document
        with the same lots, else with the same output lot (the input lot was corrected)."""
        same_lots, same_output = {}, {}
        for link_id, doc_id, parent_id, child_id in sorted(written):
            same_lots.setdefault((doc_id, parent_id, child_id), link_id)
            same_output.setdefault((doc_id, child_id), link_id)
        pairs = [
            (
                link_id,
                same_lots.get((doc_id, parent_id, child_id)) or same_output.get((doc_id, child_id)),
            )
            for link_id, doc_id, parent_id, child_id in stale
        ]
        pairs = [(old, new) for old, new in pairs if new]
        if pairs:
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE stock_lot_link link SET superseded_by_id = fix.new_id
                      FROM unnest(%(old)s::integer[], %(new)s::integer[]) AS fix(old_id, new_id)
                     WHERE link.id = fix.old_id
                    """,
                    old=[old for old, _new in pairs],
                    new=[new for _old, new in pairs],
                )
            )
