from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from . import evidence


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
        related="parent_lot_id.product_id",
        string="Input Product",
        store=True,
        help="The product of the input lot.",
    )
    child_product_id = fields.Many2one(
        related="child_lot_id.product_id",
        string="Output Product",
        store=True,
        help="The product of the output lot.",
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
        help="What made the link: production, repack, unbuild or a manual entry.",
    )
    production_id = fields.Many2one(
        "mrp.production",
        string="Manufacturing Order",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        help="The manufacturing order that made the link.",
    )
    unbuild_id = fields.Many2one(
        "mrp.unbuild",
        string="Unbuild Order",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        help="The unbuild order that made the link.",
    )
    quantity = fields.Float(
        digits="Product Unit of Measure",
        help="Quantity of the input lot used, in the input product's unit of measure.",
    )
    product_uom_id = fields.Many2one(
        "uom.uom", string="Unit of Measure", help="Unit of the quantity."
    )
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
        help="The company of the link.",
    )
    note = fields.Text(string="Reason", help="Why the link was recorded or corrected.")
    active = fields.Boolean(default=True, help="Archived when a correcting link supersedes it.")
    superseded_by_id = fields.Many2one(
        "stock.lot.link",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        copy=False,
        help="The link that corrects this one. A superseded link is archived and kept.",
    )
    supersedes_ids = fields.One2many(
        "stock.lot.link",
        "superseded_by_id",
        context={"active_test": False},
        readonly=True,
        help="The links this one corrects.",
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
