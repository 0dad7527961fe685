from odoo import _, api, fields, models
from odoo.exceptions import UserError


class StockLot(models.Model):
    """Origin attributes of a lot: vendor lot, production date, origin, allergens,
    certifications and documents; allergens inherited from upstream lots (engine)."""

    _inherit = "stock.lot"

    vendor_lot_name = fields.Char(
        string="Vendor Lot",
        index="btree_not_null",
        tracking=True,
        help="The lot number printed by the vendor, captured on the receipt line.",
    )
    production_date = fields.Date(help="When the vendor or our own plant made the lot.")
    origin_country_id = fields.Many2one(
        "res.country",
        string="Country of Origin",
        tracking=True,
        help="Country where the lot was grown or made.",
    )
    allergen_ids = fields.Many2many(
        "stock.lot.allergen",
        "stock_lot_allergen_rel",
        "lot_id",
        "allergen_id",
        string="Allergens",
        help="Allergens declared for this lot itself. A new lot takes those of its product.",
    )
    inherited_allergen_ids = fields.Many2many(
        "stock.lot.allergen",
        string="Contains (via ingredients)",
        compute="_compute_inherited_allergen_ids",
        search="_search_inherited_allergen_ids",
        help="Allergens of every lot this lot was made from, at any depth.",
    )
    certification_ids = fields.One2many(
        "stock.lot.certification",
        "lot_id",
        string="Certifications",
        help="Certificates of the lot (organic, halal...).",
    )
    document_ids = fields.One2many(
        "ir.attachment",
        "res_id",
        string="Documents",
        domain=[("res_model", "=", "stock.lot")],
        context={"default_res_model": "stock.lot"},
        help="Files attached to the lot: supplier CoAs, certificates, lab reports, photos.",
    )
    document_count = fields.Integer(
        compute="_compute_document_count", help="Documents attached to the lot."
    )

    @api.model_create_multi
    def create(self, vals_list):
        """A new lot declares its product's allergens unless told otherwise."""
        products = self.env["product.product"].browse(
            {vals["product_id"] for vals in vals_list if vals.get("product_id")}
        )
        allergens = {product.id: product.allergen_ids for product in products}
        for vals in vals_list:
            product_allergens = allergens.get(vals.get("product_id"))
            if "allergen_ids" not in vals and product_allergens:
                vals["allergen_ids"] = [fields.Command.set(product_allergens.ids)]
        return super().create(vals_list)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_lot_documents(self):
        """A lot's typed documents (CoAs, certificates, lab reports) are evidence: deleting
        the lot would delete them silently."""
        # sudo: no access rule may hide a document that makes its lot undeletable
        groups = (
            self.env["ir.attachment"]
            .sudo()
            ._read_group(
                [
                    ("res_model", "=", "stock.lot"),
                    ("res_id", "in", self.ids),
                    ("lot_document_type", "!=", False),
                ],
                ["res_id"],
            )
        )
        documented = self.browse(res_id for (res_id,) in groups)
        if documented:
            raise UserError(
                _(
                    "Lots %(lots)s have quality documents (certificates, lab reports...) and "
                    "cannot be deleted; archive them instead.",
                    lots=", ".join(documented.mapped("display_name")),
                )
            )

    def _compute_inherited_allergen_ids(self):
        """The allergens of every upstream lot: one engine walk for all lots of ``self``
        (:meth:`_trace_per_lot`), then one read of the upstream lots' allergens."""
        lots = self.filtered("id")
        upstream = lots._trace_per_lot("up")
        all_upstream = self.browse({lot_id for trace in upstream.values() for lot_id in trace})
        allergens = {lot.id: lot.allergen_ids for lot in all_upstream}
        for lot in self:
            lot_ids = [lot_id for lot_id, depth in upstream.get(lot.id, {}).items() if depth]
            lot.inherited_allergen_ids = self.env["stock.lot.allergen"].union(
                *(allergens[lot_id] for lot_id in lot_ids)
            )

    def _search_inherited_allergen_ids(self, operator, value):
        """Lots made from a lot declaring the allergen: one engine walk from all of them."""
        Allergen = self.env["stock.lot.allergen"]
        if operator == "any":
            allergens = Allergen.search(value)
        elif operator in ("ilike", "=ilike", "like"):
            allergens = Allergen.search(["|", ("name", operator, value), ("code", operator, value)])
        elif operator in ("in", "="):
            allergens = Allergen.browse(value if isinstance(value, list | tuple) else [value])
        else:
            raise NotImplementedError(_("Unsupported search on inherited allergens."))
        sources = self.search([("allergen_ids", "in", allergens.ids)])
        made_from = {
            lot_id
            for trace in sources._trace_per_lot("down").values()
            for lot_id, depth in trace.items()
            if depth  # a source made from another source contains it too
        }
        return [("id", "in", list(made_from))]

    def _lots_containing_allergen(self, allergens):
        """Lots declaring ``allergens`` and every lot made from them (one engine call)."""
        sources = self.search([("allergen_ids", "in", allergens.ids)])
        return self.browse(sources._trace("down"))

    @api.depends("document_ids")
    def _compute_document_count(self):
        counts = dict(
            self.env["ir.attachment"]._read_group(
                [("res_model", "=", "stock.lot"), ("res_id", "in", self.ids)],
                ["res_id"],
                ["__count"],
            )
        )
        for lot in self:
            lot.document_count = counts.get(lot.id, 0)
