from odoo import _, api, fields, models
from odoo.tools import float_round

from . import bulk, evidence
from .snapshot_fields import SnapshotMany2one


class StockRecallPartnerProduct(models.Model):
    """What one customer got of one product in a recall, and what became of it.

    Kept across re-scopes with its customer line: returns and the quantities the
    customer accounted for survive, the shipped quantity follows the current scope.
    """

    _name = "stock.recall.partner.product"
    _inherit = ["stock.recall.evidence.mixin"]
    _description = "Recall Customer Product"
    _order = "partner_line_id, product_id"
    # written by the thousand when a recall is scoped (see stock.recall.delivery); what a
    # user does to a line is stamped on it (accounted_by_id, accounted_at)
    _log_access = False

    partner_line_id = fields.Many2one(
        "stock.recall.partner",
        required=True,
        index=True,
        ondelete="cascade",
        readonly=True,
        help="The customer's line in the recall.",
    )
    recall_id = SnapshotMany2one(
        related="partner_line_id.recall_id", store=True, index=True, help="The recall."
    )
    company_id = fields.Many2one(
        related="partner_line_id.company_id", help="The company of the recall."
    )
    partner_id = SnapshotMany2one(
        related="partner_line_id.partner_id", store=True, help="The customer."
    )
    product_id = SnapshotMany2one(
        "product.product", required=True, ondelete="restrict", help="The recalled product."
    )
    product_uom_id = fields.Many2one(related="product_id.uom_id", string="Unit")
    shipped_qty = fields.Float(
        string="Shipped (net)",
        digits="Product Unit of Measure",
        help="Shipped in the current scope, net of the returns made before the recall began.",
    )
    returned_qty = fields.Float(
        string="Returned", digits="Product Unit of Measure", help="Returned since the recall began."
    )
    accounted_qty = fields.Float(
        string="Destroyed / Accounted For",
        digits="Product Unit of Measure",
        help="Quantity the customer confirms destroyed, or already used up, without returning it.",
    )
    accounted_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        help="Who recorded the destroyed quantity.",
    )
    accounted_at = fields.Datetime(
        string="Accounted On", readonly=True, help="When the destroyed quantity was recorded."
    )
    recovered_qty = fields.Float(
        string="Recovered",
        digits="Product Unit of Measure",
        compute="_compute_recovered_qty",
        store=True,
        help="Returned + accounted for, never more than shipped.",
    )
    remaining_qty = fields.Float(
        string="Still Out",
        digits="Product Unit of Measure",
        compute="_compute_recovered_qty",
        store=True,
        help="Shipped (net) and not yet recovered.",
    )

    @api.depends("shipped_qty", "returned_qty", "accounted_qty")
    def _compute_recovered_qty(self):
        for line in self:
            shipped = max(line.shipped_qty, 0.0)
            line.recovered_qty = min(shipped, max(line.returned_qty + line.accounted_qty, 0.0))
            line.remaining_qty = shipped - line.recovered_qty

    @api.model
    def _insert_lines(self, partner_lines, vals_list):
        """Insert product lines of ``partner_lines`` (``partner_line_id``, ``product_id``,
        ``shipped_qty``, ``returned_qty``) in one statement, with what the ORM would
        compute (the customer line's recall, company and partner; the recovered and
        remaining quantities), then mark the customer lines' totals to recompute."""
        if not vals_list:
            return
        evidence.check_system_change(self, partner_lines.recall_id, _("created"))
        lines = {
            line.id: {
                "recall_id": line.recall_id.id,
                "partner_id": line.partner_id.id,
            }
            for line in partner_lines
        }
        digits = self._fields["shipped_qty"].get_digits(self.env)[1]
        rows = []
        for vals in vals_list:
            shipped = max(float_round(vals["shipped_qty"], precision_digits=digits), 0.0)
            returned = float_round(vals["returned_qty"], precision_digits=digits)
            recovered = min(shipped, max(returned, 0.0))
            rows.append(
                {
                    **vals,
                    **lines[vals["partner_line_id"]],
                    "recovered_qty": recovered,
                    "remaining_qty": shipped - recovered,
                }
            )
        bulk.insert(self, rows)
        partner_lines.invalidate_recordset(["product_line_ids"], flush=False)
        partner_lines.modified(["product_line_ids"])

    @api.model
    def _recalls_of_new_lines(self, vals_list):
        partner_lines = self.env["stock.recall.partner"].browse(
            {vals["partner_line_id"] for vals in vals_list if vals.get("partner_line_id")}
        )
        return partner_lines.recall_id
