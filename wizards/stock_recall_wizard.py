from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.stock_recall import CLASSIFICATIONS


class StockRecallWizard(models.TransientModel):
    """Open a recall from lots, from a product and vendor lot, or from a supplier's notice."""

    _name = "stock.recall.wizard"
    _inherit = ["stock.lot.check.mixin"]
    _description = "Start a Recall"

    origin = fields.Selection(
        [
            ("lots", "Our lots"),
            ("vendor_lot", "A product and its vendor lot number"),
            ("supplier_notice", "A supplier's recall notice"),
        ],
        string="Start From",
        required=True,
        default="lots",
        help="Start from our lots, a vendor lot number or a supplier's notice.",
    )
    lot_ids = fields.Many2many(
        "stock.lot", string="Lots", context={"active_test": False}, help="Our lots found faulty."
    )
    product_id = fields.Many2one(
        "product.product",
        domain=[("tracking", "!=", "none")],
        help="The product of the vendor lot.",
    )
    vendor_id = fields.Many2one(
        "res.partner", string="Supplier", help="The vendor who sent the recall notice."
    )
    vendor_lot = fields.Char(
        string="Vendor Lot Number",
        help="The lot number printed by the supplier: matched against our lot numbers and "
        "their internal reference.",
    )
    found_lot_ids = fields.Many2many(
        "stock.lot",
        compute="_compute_found_lot_ids",
        string="Origin Lots",
        help="The lots the recall will start from.",
    )
    reason = fields.Text(required=True, help="What was found and why the lots are recalled.")
    classification = fields.Selection(
        CLASSIFICATIONS,
        required=True,
        default="class_2",
        help="How serious the health hazard is (FDA classes).",
    )
    is_drill = fields.Boolean(
        string="Mock Recall (Drill)", help="A drill places no hold and e-mails no customer."
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        required=True,
        default=lambda self: self.env.user,
        help="Who runs the recall.",
    )
    compute_scope = fields.Boolean(
        string="Compute Scope Now",
        default=True,
        help="Compute the affected lots and customers at once.",
    )

    @api.depends("origin", "lot_ids", "product_id", "vendor_id", "vendor_lot")
    def _compute_found_lot_ids(self):
        for wizard in self:
            wizard.found_lot_ids = wizard._origin_lots()

    def _origin_lots(self):
        lots = self.env["stock.lot"].with_context(active_test=False)
        if self.origin == "lots":
            return self.lot_ids._origin
        number = (self.vendor_lot or "").strip()
        if not number:
            return lots
        domain = ["|", ("name", "=ilike", number), ("ref", "=ilike", number)]
        if self.origin == "vendor_lot":
            if not self.product_id:
                return lots
            return lots.search([("product_id", "=", self.product_id.id), *domain])
        if not self.vendor_id:
            return lots
        candidates = lots.search(domain)
        vendor = self.vendor_id.commercial_partner_id
        return candidates.filtered(lambda lot: vendor in lot._trace_suppliers())

    def action_create_recall(self):
        self.ensure_one()
        lots = self._origin_lots()
        if not lots:
            raise UserError(self._no_lot_message())
        recall = self.env["stock.recall"].create(
            {
                "lot_ids": [fields.Command.set(lots.ids)],
                "reason": self.reason,
                "classification": self.classification,
                "is_drill": self.is_drill,
                "user_id": self.user_id.id,
                "company_id": lots[0].company_id.id or self.env.company.id,
            }
        )
        if self.compute_scope:
            recall.action_compute_scope()
        return {
            "type": "ir.actions.act_window",
            "res_model": "stock.recall",
            "res_id": recall.id,
            "view_mode": "form",
            "target": "current",
        }

    def _no_lot_message(self):
        if self.origin == "lots":
            return _("Select the lots to recall.")
        if self.origin == "vendor_lot":
            return _(
                "No lot of %(product)s matches vendor lot number %(number)s.",
                product=self.product_id.display_name or _("(no product)"),
                number=self.vendor_lot or _("(empty)"),
            )
        return _(
            "No lot received from %(vendor)s matches lot number %(number)s.",
            vendor=self.vendor_id.display_name or _("(no supplier)"),
            number=self.vendor_lot or _("(empty)"),
        )
