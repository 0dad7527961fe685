from odoo import _, api, fields, models
from odoo.exceptions import UserError

from . import evidence


class StockRecallScope(models.Model):
    """One computation of a recall's scope, kept as a numbered version.

    Re-scoping never deletes: the lines of the previous version stay, marked as
    superseded, and the recall shows the current version's lines.
    """

    _name = "stock.recall.scope"
    _description = "Recall Scope Version"
    _order = "recall_id, number desc"

    recall_id = fields.Many2one(
        "stock.recall",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
        help="The recall.",
    )
    company_id = fields.Many2one(
        related="recall_id.company_id", store=True, help="The company of the recall."
    )
    number = fields.Integer(
        string="Version",
        required=True,
        readonly=True,
        help="Version number: 1 for the first scope.",
    )
    computed_at = fields.Datetime(
        string="Computed On", readonly=True, help="When this scope was computed."
    )
    computed_by_id = fields.Many2one("res.users", readonly=True, help="Who computed this scope.")
    scope_seconds = fields.Float(
        string="Time to Scope (s)",
        readonly=True,
        digits=(16, 3),
        help="Seconds it took to compute this scope.",
    )
    lot_count = fields.Integer(readonly=True, help="Lots in this scope.")
    delivery_count = fields.Integer(readonly=True, help="Deliveries in this scope.")
    customer_count = fields.Integer(readonly=True, help="Customers in this scope.")
    mass_balance_gap_count = fields.Integer(
        string="Mass-Balance Gaps",
        readonly=True,
        help="Lots with a mass-balance gap in this scope.",
    )
    is_current = fields.Boolean(
        string="Current", compute="_compute_is_current", help="The recall's scope now."
    )
    recall_lot_ids = fields.One2many(
        "stock.recall.lot",
        "scope_id",
        string="Affected Lots",
        readonly=True,
        help="Lots found by this scope.",
    )
    delivery_ids = fields.One2many(
        "stock.recall.delivery",
        "scope_id",
        string="Deliveries",
        readonly=True,
        help="Deliveries found by this scope.",
    )
    product_line_ids = fields.One2many(
        "stock.recall.product",
        "scope_id",
        string="Products",
        readonly=True,
        help="Product totals of this scope.",
    )

    @api.depends("recall_id", "number")
    def _compute_display_name(self):
        for scope in self:
            scope.display_name = _(
                "%(recall)s, scope v%(number)s", recall=scope.recall_id.name, number=scope.number
            )

    @api.depends("recall_id.scope_id")
    def _compute_is_current(self):
        for scope in self:
            scope.is_current = scope.recall_id.scope_id == scope

    @api.model_create_multi
    def create(self, vals_list):
        if not evidence.is_system(self):
            raise UserError(_("Scope versions are created by Compute Scope on the recall."))
        return super().create(vals_list)

    def write(self, vals):
        if not evidence.is_system(self):
            for scope in self:
                evidence.check_writable(
                    scope, vals, set(), _("A scope version is kept as it was computed.")
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_evidence(self):
        if not evidence.is_system(self):
            raise UserError(
                _(
                    "Scope versions are audit records and cannot be deleted (%(scopes)s).",
                    scopes=", ".join(self.mapped("display_name")),
                )
            )
