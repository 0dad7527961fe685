from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError

from . import evidence

CLASSIFICATIONS = [
    ("class_1", "Class I - serious health hazard"),
    ("class_2", "Class II - remote health hazard"),
    ("class_3", "Class III - unlikely to cause harm"),
]

RECALL_STATES = [
    ("draft", "Draft"),
    ("scoped", "Scoped"),
    ("in_progress", "In Progress"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]


class StockRecall(models.Model):
    """A recall, or a mock-recall drill, of one or more lots and everything made from them."""

    _name = "stock.recall"
    _description = "Recall"
    _inherit = ["stock.lot.check.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        default=lambda self: _("New"),
        help="The recall's reference.",
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        help="The company running the recall.",
    )
    lot_ids = fields.Many2many(
        "stock.lot",
        "stock_recall_origin_lot_rel",
        "recall_id",
        "lot_id",
        string="Origin Lots",
        required=True,
        check_company=True,
        context={"active_test": False},
        help="The lots the problem was found in; everything made from them is in scope.",
    )
    product_ids = fields.Many2many(
        "product.product",
        compute="_compute_product_ids",
        string="Products",
        help="Products of the origin lots.",
    )
    reason = fields.Text(
        required=True, tracking=True, help="What was found and why the lots are recalled."
    )
    classification = fields.Selection(
        CLASSIFICATIONS,
        required=True,
        default="class_2",
        tracking=True,
        help="How serious the health hazard is (FDA classes).",
    )
    is_drill = fields.Boolean(
        string="Mock Recall (Drill)",
        tracking=True,
        help="A drill computes and times everything but places no hold and e-mails no "
        "customer: notifications go to the responsible user.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        required=True,
        default=lambda self: self.env.user,
        tracking=True,
        domain="[('share', '=', False)]",
        help="Who runs the recall.",
    )
    state = fields.Selection(
        RECALL_STATES,
        required=True,
        default="draft",
        readonly=True,
        tracking=True,
        index=True,
        copy=False,
        help="Draft, scoped, in progress (acted on), closed or cancelled.",
    )
    cancel_reason = fields.Text(
        readonly=True, tracking=True, copy=False, help="Why the recall was cancelled."
    )
    customer_instructions = fields.Text(
        default=lambda self: _(
            "Stop selling and using the products and lots listed below, put them aside, "
            "and reply to this e-mail with the quantity you still hold. We will arrange "
            "collection or destruction."
        ),
        help="Included in the e-mail sent to every customer.",
    )

    scope_started_at = fields.Datetime(
        readonly=True, copy=False, help="When the first scope computation started."
    )
    scoped_at = fields.Datetime(readonly=True, copy=False, help="When the scope was last computed.")
    scope_seconds = fields.Float(
        string="Time to Scope (s)",
        readonly=True,
        copy=False,
        digits=(16, 3),
        help="Seconds it took to compute the scope.",
    )
    closed_at = fields.Datetime(readonly=True, copy=False, help="When the recall was closed.")
    hours_to_close = fields.Float(
        compute="_compute_hours_to_close",
        store=True,
        digits=(16, 2),
        string="Time to Close (h)",
        help="Hours from the first scope to closing.",
    )

    recall_lot_ids = fields.One2many(
        "stock.recall.lot",
        "recall_id",
        string="Affected Lots",
        domain=[("superseded", "=", False)],
        help="The lots of the current scope version.",
    )
    delivery_ids = fields.One2many(
        "stock.recall.delivery",
        "recall_id",
        string="Deliveries",
        domain=[("superseded", "=", False)],
        help="The customer deliveries of the current scope version.",
    )
    scope_id = fields.Many2one(
        "stock.recall.scope",
        string="Scope Version",
        readonly=True,
        copy=False,
        help="The current scope version.",
    )
    scope_ids = fields.One2many(
        "stock.recall.scope",
        "recall_id",
        string="Scope History",
        readonly=True,
        help="Every scope computed, newest first.",
    )
    scope_count = fields.Integer(
        string="Scope Versions", compute="_compute_scope_count", help="Scope versions computed."
    )
    scope_move_line_mark = fields.Integer(
        readonly=True,
        copy=False,
        help="Technical: the last stock move line when the recall was first scoped. Customer "
        "returns up to it net the shipped quantities; later ones count as recovered.",
    )
    product_line_ids = fields.One2many(
        "stock.recall.product",
        "recall_id",
        string="Product Totals",
        domain=[("superseded", "=", False)],
        readonly=True,
        help="Shipped, recovered and effectiveness per product.",
    )
    partner_line_ids = fields.One2many(
        "stock.recall.partner",
        "recall_id",
        string="Customers",
        help="Customers to notify and their follow-up.",
    )
    hold_ids = fields.One2many(
        "stock.lot.hold", "recall_id", string="Recall Holds", help="Holds placed by the recall."
    )
    upstream_lot_ids = fields.Many2many(
        "stock.lot",
        "stock_recall_upstream_lot_rel",
        "recall_id",
        "lot_id",
        string="Upstream Lots",
        readonly=True,
        copy=False,
        help="What the origin lots were made from: where the root cause may come from.",
    )
    supplier_ids = fields.Many2many(
        "res.partner",
        "stock_recall_supplier_rel",
        "recall_id",
        "partner_id",
        string="Root-Cause Suppliers",
        readonly=True,
        copy=False,
        help="Vendors of the upstream lots: where the root cause may come from.",
    )

    affected_lot_count = fields.Integer(
        compute="_compute_counts", store=True, help="Lots in the current scope."
    )
    delivery_count = fields.Integer(
        compute="_compute_counts", store=True, help="Customer deliveries of affected lots."
    )
    customer_count = fields.Integer(
        compute="_compute_counts", store=True, help="Customers to notify."
    )
    unassigned_delivery_count = fields.Integer(
        string="Deliveries Without Customer",
        compute="_compute_counts",
        store=True,
        help="Shipments of affected lots that name no customer: no e-mail can reach them.",
    )
    hold_count = fields.Integer(compute="_compute_hold_count", help="Holds placed by the recall.")
    mass_balance_gap_count = fields.Integer(
        string="Mass-Balance Gaps",
        compute="_compute_counts",
        store=True,
        help="Affected lots whose quantities do not add up.",
    )
    effectiveness_product_id = fields.Many2one(
        "product.product",
        string="Lowest Product",
        compute="_compute_effectiveness",
        store=True,
        help="The product with the lowest effectiveness: it sets the recall's.",
    )
    shipped_qty = fields.Float(
        string="Shipped (lowest product)",
        compute="_compute_effectiveness",
        store=True,
        digits="Product Unit of Measure",
        help="Net quantity shipped of the lowest product, in its unit of measure. Quantities "
        "of different products are never added up: see the Products tab.",
    )
    accounted_qty = fields.Float(
        string="Recovered (lowest product)",
        compute="_compute_effectiveness",
        store=True,
        digits="Product Unit of Measure",
        help="Quantity of the lowest product returned or accounted for by the customers.",
    )
    effectiveness = fields.Float(
        string="Effectiveness (%)",
        compute="_compute_effectiveness",
        store=True,
        digits=(16, 1),
        help="The lowest effectiveness of the recalled products, each being its recovered "
        "(returned or accounted for) / shipped quantity in its own unit of measure, "
        "between 0 and 100 %. A recall is only as effective as its worst product.",
    )
    xlsx_attachment_id = fields.Many2one(
        "ir.attachment", readonly=True, copy=False, help="The last recall workbook exported."
    )
    pdf_attachment_id = fields.Many2one(
        "ir.attachment", readonly=True, copy=False, help="The last recall report printed."
    )

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    # Written only by the recall's actions (models/evidence.py), like account.move.write:
    # the scope, its timing and state; then what a user may change depends on the state.
    _ACTION_FIELDS = {
        "state",
        "cancel_reason",
        "scope_started_at",
        "scoped_at",
        "scope_seconds",
        "closed_at",
        "scope_id",
        "scope_ids",
        "scope_move_line_mark",
        "recall_lot_ids",
        "delivery_ids",
        "partner_line_ids",
        "product_line_ids",
        "hold_ids",
        "upstream_lot_ids",
        "supplier_ids",
        "xlsx_attachment_id",
        "pdf_attachment_id",
    }
    _FROZEN_ONCE_SCOPED = {"lot_ids", "is_drill", "company_id"}

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code("stock.recall") or _("New")
            if not evidence.is_system(self):
                self._check_user_create(vals)
        return super().create(vals_list)

    @api.model
    def _check_user_create(self, vals):
        """A recall is born a draft: its scope and state only come from its actions."""
        given = [name for name in self._ACTION_FIELDS if vals.get(name)]
        if given:
            raise UserError(
                _(
                    "A new recall cannot be given %(fields)s: they are written by its actions.",
                    fields=", ".join(self._fields[name].string for name in given),
                )
            )
        # explicit values: context defaults (default_state=...) must not seed them either
        vals.update(state="draft", scope_started_at=False, scoped_at=False, closed_at=False)

    def write(self, vals):
        if not evidence.is_system(self):
            for recall in self:
                recall._check_user_write(vals)
        return super().write(vals)

    def _check_user_write(self, vals):
        if self.state in ("closed", "cancelled"):
            allowed = set()
            why = _("A closed or cancelled recall is an audit record.")
        else:
            allowed = set(self._fields) - self._ACTION_FIELDS
            if self.state != "draft":
                allowed -= self._FROZEN_ONCE_SCOPED
            if all(
                command[0] == Command.UPDATE for command in vals.get("partner_line_ids", [(0,)])
            ):
                # the customers list of the form: each line's own guard decides
                allowed.add("partner_line_ids")
            why = _(
                "The origin lots, drill flag and company are fixed once the recall is scoped; "
                "its scope, customers and state are written by its actions."
            )
        evidence.check_writable(self, vals, allowed, why)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_scoped(self):
        scoped = self.filtered(lambda recall: recall.state != "draft" or recall.scoped_at)
        if scoped:
            raise UserError(
                _(
                    "Recalls that were scoped are audit records and cannot be deleted: "
                    "cancel %(recalls)s instead.",
                    recalls=", ".join(scoped.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Scope
    # ------------------------------------------------------------------
    def _check_recall_manager(self):
        if not self.env.user.has_group("stock_lot_traceability.group_recall_manager"):
            raise AccessError(_("Only Recall Managers can act on recalls."))

    def _check_state(self, allowed, action):
        for recall in self:
            if recall.state not in allowed:
                raise UserError(
                    _(
                        "Recall %(recall)s is %(state)s: it cannot be %(action)s.",
                        recall=recall.name,
                        state=dict(RECALL_STATES)[recall.state].lower(),
                        action=action,
                    )
                )
