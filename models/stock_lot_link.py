from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

# Columns of stock.move that tie a move to the document consuming or producing it.
# For a production the consumed (raw) moves carry `raw_material_production_id` and the
# finished moves `production_id`; for an unbuild the finished product is consumed by
# moves carrying `consume_unbuild_id` and the components come back on `unbuild_id`.
_DOCUMENT_COLUMNS = {
    "production": ("raw_material_production_id", "production_id", "mrp_production"),
    "unbuild": ("consume_unbuild_id", "unbuild_id", "mrp_unbuild"),
}


class StockLotLink(models.Model):
    """One edge of the lot genealogy: material of `parent_lot_id` went into `child_lot_id`."""

    _name = "stock.lot.link"
    _description = "Lot Genealogy Link"
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["parent_lot_id", "child_lot_id"]

    parent_lot_id = fields.Many2one(
        "stock.lot",
        string="Input Lot",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        help="The lot that was consumed, repacked or unbuilt.",
    )
    child_lot_id = fields.Many2one(
        "stock.lot",
        string="Output Lot",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        help="The lot that was made from the input lot.",
    )
    parent_product_id = fields.Many2one(
        related="parent_lot_id.product_id", string="Input Product", store=True
    )
    child_product_id = fields.Many2one(
        related="child_lot_id.product_id", string="Output Product", store=True
    )
    kind = fields.Selection(
        [
            ("production", "Production"),
            ("repack", "Repack"),
            ("unbuild", "Unbuild"),
            ("manual", "Manual"),
        ],
        required=True,
        default="manual",
        index=True,
    )
    production_id = fields.Many2one(
        "mrp.production",
        string="Manufacturing Order",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
    )
    unbuild_id = fields.Many2one(
        "mrp.unbuild",
        string="Unbuild Order",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
    )
    quantity = fields.Float(
        digits="Product Unit of Measure",
        help="Quantity of the input lot used, in the input product's unit of measure.",
    )
    product_uom_id = fields.Many2one("uom.uom", string="Unit of Measure")
    date = fields.Datetime(required=True, default=fields.Datetime.now, index=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    note = fields.Text(string="Reason")
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "no_self_link",
            "CHECK(parent_lot_id <> child_lot_id)",
            "A lot cannot be linked to itself.",
        ),
        (
            "positive_quantity",
            "CHECK(quantity IS NULL OR quantity >= 0)",
            "The linked quantity cannot be negative.",
        ),
    ]

    def init(self):
        """Indexes the trace engine walks, and the uniqueness of an edge per document.

        The composite indexes let the recursive trace read both ends of an edge from the
        index alone; the unique index makes re-linking the same document idempotent.
        """
        cr = self.env.cr
        cr.execute(
            """
            CREATE INDEX IF NOT EXISTS stock_lot_link_parent_child_idx
                ON stock_lot_link (parent_lot_id, child_lot_id, company_id) WHERE active;
            CREATE INDEX IF NOT EXISTS stock_lot_link_child_parent_idx
                ON stock_lot_link (child_lot_id, parent_lot_id, company_id) WHERE active;
            CREATE UNIQUE INDEX IF NOT EXISTS stock_lot_link_edge_uniq
                ON stock_lot_link (parent_lot_id, child_lot_id, kind,
                                   COALESCE(production_id, 0), COALESCE(unbuild_id, 0))
                WHERE active;
            """
        )

    @api.depends("parent_lot_id", "child_lot_id")
    def _compute_display_name(self):
        for link in self:
            link.display_name = (
                f"{link.parent_lot_id.display_name or '?'} → "
                f"{link.child_lot_id.display_name or '?'}"
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("kind", "manual") == "manual" and not (vals.get("note") or "").strip():
                raise ValidationError(_("A manual genealogy link needs a reason."))
        links = super().create(vals_list)
        links._check_no_duplicate_edge()
        return links

    def write(self, vals):
        frozen = {"parent_lot_id", "child_lot_id", "kind", "production_id", "unbuild_id"}
        if frozen & set(vals):
            raise UserError(
                _(
                    "The lots, kind and document of a genealogy link cannot be changed; "
                    "archive the wrong link and create the right one instead."
                )
            )
        if "active" in vals and not vals["active"]:
            self._check_can_archive()
        res = super().write(vals)
        if vals.get("active"):
            self._check_no_duplicate_edge()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_genealogy(self):
        raise UserError(
            _(
                "Genealogy links are traceability records and cannot be deleted. "
                "Archive a wrong manual link instead (%(links)s).",
                links=", ".join(self.mapped("display_name")),
            )
        )

    def _check_can_archive(self):
        automatic = self.filtered(lambda link: link.kind != "manual")
        if automatic:
            raise UserError(
                _(
                    "Only manual links can be archived; %(links)s record real stock "
                    "movements.",
                    links=", ".join(automatic.mapped("display_name")),
                )
            )

    def _check_no_duplicate_edge(self):
        for link in self.filtered("active"):
            duplicate = self.search_count(
                [
                    ("id", "!=", link.id),
                    ("parent_lot_id", "=", link.parent_lot_id.id),
                    ("child_lot_id", "=", link.child_lot_id.id),
                    ("kind", "=", link.kind),
                    ("production_id", "=", link.production_id.id),
                    ("unbuild_id", "=", link.unbuild_id.id),
                ]
            )
            if duplicate:
                raise ValidationError(
                    _(
                        "Lot %(parent)s is already linked to lot %(child)s.",
                        parent=link.parent_lot_id.display_name,
                        child=link.child_lot_id.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Links written from Odoo's own move-line genealogy
    # ------------------------------------------------------------------
    @api.model
    def _link_productions(self, production_ids=None):
        """Write production links for done manufacturing orders (all of them if None)."""
        return self._link_documents("production", production_ids)

    @api.model
    def _link_unbuilds(self, unbuild_ids=None):
        """Write unbuild links: the unbuilt finished lot feeds the recovered component lots."""
        return self._link_documents("unbuild", unbuild_ids)

    @api.model
    def _link_documents(self, kind, document_ids=None):
        """Insert (or refresh the quantity of) the links of productions or unbuilds, in SQL.

        Pairs come from `stock_move_line_consume_rel` where Odoo wrote it (its column
        `consume_line_id` holds the produced line, `produce_line_id` the consumed one).
        A consumed lot Odoo did not pair with any produced line is linked to every lot the
        document produced. The quantity is what the document consumed of the input lot.
        """
        consumed_col, produced_col, table = _DOCUMENT_COLUMNS[kind]
        if document_ids is None:
            self.env.cr.execute(SQL("SELECT id FROM %s WHERE state = 'done'", SQL.identifier(table)))
            document_ids = [row[0] for row in self.env.cr.fetchall()]
        if not document_ids:
            return 0
        self.env.flush_all()
        date_column = "date_finished" if kind == "production" else "write_date"
        production_expr = "doc.id" if kind == "production" else "doc.mo_id"
        unbuild_expr = "NULL::integer" if kind == "production" else "doc.id"
        query = SQL(
            """
            WITH consumed AS (
                SELECT m.%(consumed_col)s AS doc_id, ml.id AS line_id, ml.lot_id,
                       ml.quantity_product_uom AS qty
                  FROM stock_move_line ml
                  JOIN stock_move m ON m.id = ml.move_id
                 WHERE m.%(consumed_col)s = ANY(%(ids)s)
                   AND ml.state = 'done' AND ml.lot_id IS NOT NULL
            ), produced AS (
                SELECT m.%(produced_col)s AS doc_id, ml.id AS line_id, ml.lot_id
                  FROM stock_move_line ml
                  JOIN stock_move m ON m.id = ml.move_id
                 WHERE m.%(produced_col)s = ANY(%(ids)s)
                   AND ml.state = 'done' AND ml.lot_id IS NOT NULL
            ), rel_pairs AS (
                SELECT DISTINCT c.doc_id, c.lot_id AS parent_lot_id, p.lot_id AS child_lot_id
                  FROM stock_move_line_consume_rel r
                  JOIN consumed c ON c.line_id = r.produce_line_id
                  JOIN produced p ON p.line_id = r.consume_line_id AND p.doc_id = c.doc_id
            ), fallback_pairs AS (
                SELECT DISTINCT c.doc_id, c.lot_id, p.lot_id
                  FROM consumed c
                  JOIN produced p ON p.doc_id = c.doc_id
                 WHERE NOT EXISTS (
                        SELECT 1 FROM rel_pairs rp
                         WHERE rp.doc_id = c.doc_id AND rp.parent_lot_id = c.lot_id)
            ), pairs AS (
                SELECT * FROM rel_pairs UNION SELECT * FROM fallback_pairs
            ), consumed_qty AS (
                SELECT doc_id, lot_id, SUM(qty) AS qty FROM consumed GROUP BY doc_id, lot_id
            )
            INSERT INTO stock_lot_link (
                parent_lot_id, child_lot_id, parent_product_id, child_product_id, kind,
                production_id, unbuild_id, quantity, product_uom_id, date, company_id,
                active, create_uid, create_date, write_uid, write_date)
            SELECT pairs.parent_lot_id, pairs.child_lot_id, parent.product_id,
                   child.product_id, %(kind)s, %(production_expr)s, %(unbuild_expr)s,
                   qty.qty, parent.product_uom_id,
                   COALESCE(doc.%(date_column)s, NOW() AT TIME ZONE 'UTC'),
                   doc.company_id, TRUE, %(uid)s, NOW() AT TIME ZONE 'UTC',
                   %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM pairs
              JOIN %(table)s doc ON doc.id = pairs.doc_id
              JOIN stock_lot parent ON parent.id = pairs.parent_lot_id
              JOIN stock_lot child ON child.id = pairs.child_lot_id
              JOIN consumed_qty qty
                ON qty.doc_id = pairs.doc_id AND qty.lot_id = pairs.parent_lot_id
             WHERE pairs.parent_lot_id <> pairs.child_lot_id
            ON CONFLICT (parent_lot_id, child_lot_id, kind,
                         COALESCE(production_id, 0), COALESCE(unbuild_id, 0))
               WHERE active
            DO UPDATE SET quantity = EXCLUDED.quantity,
                          write_uid = EXCLUDED.write_uid,
                          write_date = EXCLUDED.write_date
            """,
            consumed_col=SQL.identifier(consumed_col),
            produced_col=SQL.identifier(produced_col),
            table=SQL.identifier(table),
            ids=list(document_ids),
            kind=kind,
            production_expr=SQL(production_expr),
            unbuild_expr=SQL(unbuild_expr),
            date_column=SQL.identifier(date_column),
            uid=self.env.uid,
        )
        self.env.cr.execute(query)
        count = self.env.cr.rowcount
        self.env.invalidate_all()
        return count
