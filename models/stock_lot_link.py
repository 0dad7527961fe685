from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, split_every

from . import evidence

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
    """One edge of the lot genealogy: material of `parent_lot_id` went into `child_lot_id`."""

    _name = "stock.lot.link"
    _inherit = ["stock.lot.check.mixin"]
    _description = "Lot Genealogy Link"
    _order = "date desc, id desc"
    _check_company_auto = True
    _rec_names_search = ["parent_lot_id", "child_lot_id"]
    _non_negative_fields = ("quantity",)

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
    date = fields.Datetime(
        required=True,
        default=fields.Datetime.now,
        index=True,
        help="When the input lot went into the output lot (for an MO or an unbuild, when "
        "the output lot was produced). The trace only follows, downstream of the output "
        "lot, what happened from then on.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    note = fields.Text(string="Reason")
    active = fields.Boolean(default=True)
    superseded_by_id = fields.Many2one(
        "stock.lot.link",
        string="Superseded By",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        copy=False,
        help="The link that corrects this one. A superseded link is archived and kept.",
    )
    supersedes_ids = fields.One2many(
        "stock.lot.link",
        "superseded_by_id",
        string="Supersedes",
        context={"active_test": False},
        readonly=True,
    )

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

        The composite indexes let the time-aware trace read an edge's other end, date and
        company from the index alone; the unique index makes re-linking idempotent.
        """
        cr = self.env.cr
        cr.execute(
            """
            DROP INDEX IF EXISTS stock_lot_link_parent_child_idx;
            DROP INDEX IF EXISTS stock_lot_link_child_parent_idx;
            CREATE INDEX IF NOT EXISTS stock_lot_link_parent_walk_idx
                ON stock_lot_link (parent_lot_id, date, child_lot_id, company_id) WHERE active;
            CREATE INDEX IF NOT EXISTS stock_lot_link_child_walk_idx
                ON stock_lot_link (child_lot_id, date, parent_lot_id, company_id) WHERE active;
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
            if (vals.get("superseded_by_id") or vals.get("supersedes_ids")) and not (
                evidence.is_system(self)
            ):
                raise UserError(
                    _("Only a correction (Correct on a manual link) can supersede a link.")
                )
            if vals.get("kind", "manual") == "manual" and not (vals.get("note") or "").strip():
                raise ValidationError(_("A manual genealogy link needs a reason."))
            self._check_link_values(vals)
            self._check_no_duplicate_edge(vals)
        return super().create(vals_list)

    def write(self, vals):
        if not evidence.is_system(self):
            for link in self:
                link._check_user_write(vals)
            if "active" in vals and not vals["active"]:
                self._check_can_archive()
        if vals.get("active"):
            for link in self.filtered(lambda link: not link.active):
                link._check_link_values(link._edge_values())
                link._check_no_duplicate_edge(link._edge_values())
        return super().write(vals)

    def _check_user_write(self, vals):
        """Per state, what a user may change (like ``account.move.write``): an active link
        its reason, or be archived; an archived link be restored, unless it was corrected;
        the lots, kind, document, quantity, unit, date and company never."""
        if self.superseded_by_id:
            allowed = set()
            why = _(
                "It was corrected by %(link)s and is kept as it was.",
                link=self.superseded_by_id.display_name,
            )
        else:
            allowed = {"note", "active"} if self.active else {"active"}
            why = _(
                "A genealogy link records what happened: to fix a manual link use Correct "
                "(a new link supersedes it, both are kept)."
            )
        evidence.check_writable(self, vals, allowed, why)

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
                    "Only manual links can be archived; %(links)s record real stock movements.",
                    links=", ".join(automatic.mapped("display_name")),
                )
            )

    @api.model
    def _check_link_values(self, vals):
        """Refuse a lot linked to itself, and a manual link closing a cycle.

        Checked before the insert, so the user gets these messages rather than the SQL
        constraints'. A cycle is looked for with the trace engine: the new link closes one
        when its input lot is already downstream of its output lot.
        """
        lots = self.env["stock.lot"]
        parent = lots.browse(vals.get("parent_lot_id") or [])
        child = lots.browse(vals.get("child_lot_id") or [])
        if parent and parent == child:
            raise ValidationError(_("Lot %s cannot be linked to itself.", parent.display_name))
        if parent and child and vals.get("kind", "manual") == "manual":
            if parent.id in child._trace("down"):
                raise ValidationError(
                    _(
                        "Linking %(parent)s into %(child)s would make a cycle: %(parent)s "
                        "is already made from %(child)s.",
                        parent=parent.display_name,
                        child=child.display_name,
                    )
                )

    def action_open_correct_wizard(self):
        """The Link Lots wizard, filled with this link, to record its correction."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Correct Link"),
            "res_model": "stock.lot.link.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_supersede_link_id": self.id,
                "default_parent_lot_id": self.parent_lot_id.id,
                "default_child_lot_id": self.child_lot_id.id,
                "default_quantity": self.quantity,
                "default_date": self.date,
                "default_company_id": self.company_id.id,
            },
        }

    def _correct(self, vals):
        """Replace this manual link by a new one (its values updated by ``vals``).

        This link is archived and points at the new one through ``superseded_by_id``; both
        stay. Returns the new link.
        """
        self.ensure_one()
        if self.kind != "manual" or not self.active or self.superseded_by_id:
            raise UserError(
                _(
                    "Only an active manual link can be corrected; %(link)s is not one.",
                    link=self.display_name,
                )
            )
        system_self = evidence.system(self)
        # archived first: the correction may keep the same lots (a new quantity or date)
        system_self.write({"active": False})
        values = {
            **self._edge_values(),
            "quantity": self.quantity,
            "product_uom_id": self.product_uom_id.id,
            "date": self.date,
            "company_id": self.company_id.id,
            **vals,
        }
        new_link = self.create(values)
        system_self.write({"superseded_by_id": new_link.id})
        return new_link

    def _edge_values(self):
        return {
            "parent_lot_id": self.parent_lot_id.id,
            "child_lot_id": self.child_lot_id.id,
            "kind": self.kind,
            "production_id": self.production_id.id,
            "unbuild_id": self.unbuild_id.id,
        }

    @api.model
    def _check_no_duplicate_edge(self, vals):
        """Refuse a second active link for the same lots, kind and document."""
        domain = [
            (field, "=", vals.get(field) or False)
            for field in ("parent_lot_id", "child_lot_id", "production_id", "unbuild_id")
        ]
        domain.append(("kind", "=", vals.get("kind", "manual")))
        if self.sudo().search_count(domain, limit=1):  # sudo: duplicates in any company count
            lots = self.env["stock.lot"].browse([vals["parent_lot_id"], vals["child_lot_id"]])
            raise ValidationError(
                _(
                    "Lot %(parent)s is already linked to lot %(child)s.",
                    parent=lots[0].display_name,
                    child=lots[1].display_name,
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
