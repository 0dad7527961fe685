from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_compare

from . import bulk, evidence


class StockRecallPartner(models.Model):
    """A customer to notify in a recall, and what it did about it."""

    _name = "stock.recall.partner"
    _inherit = ["stock.lot.check.mixin"]
    _description = "Recall Customer"
    _order = "recall_id, partner_id"
    _non_negative_fields = ("accounted_qty",)

    recall_id = fields.Many2one(
        "stock.recall", required=True, index=True, ondelete="cascade", help="The recall."
    )
    company_id = fields.Many2one(
        related="recall_id.company_id", store=True, help="The company of the recall."
    )
    is_drill = fields.Boolean(related="recall_id.is_drill")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        ondelete="restrict",
        help="The customer to notify.",
    )
    email = fields.Char(
        compute="_compute_email",
        store=True,
        readonly=False,
        help="Where the recall notice is sent.",
    )
    delivery_ids = fields.Many2many(
        "stock.recall.delivery",
        string="Deliveries",
        compute="_compute_delivery_ids",
        help="The customer's deliveries of affected lots, in the current scope.",
    )
    product_line_ids = fields.One2many(
        "stock.recall.partner.product",
        "partner_line_id",
        string="Products",
        readonly=True,
        help="Quantities per product for this customer.",
    )
    product_summary = fields.Char(
        string="Shipped (net) per Product",
        compute="_compute_product_summary",
        help="Net shipped quantity of each product, in its unit.",
    )
    quantity = fields.Float(
        string="Shipped (net)",
        digits="Product Unit of Measure",
        compute="_compute_quantities",
        store=True,
        help="Total of the product lines: a quantity only for a customer who received one "
        "product; the product lines give each product in its own unit.",
    )
    state = fields.Selection(
        [
            ("to_notify", "To Notify"),
            ("notified", "Notified"),
            ("acknowledged", "Acknowledged"),
            ("returned", "Returned"),
            ("waived", "Waived"),
        ],
        default="to_notify",
        required=True,
        readonly=True,
        index=True,
        help="Where the customer is: to notify, notified, acknowledged, returned.",
    )
    notified_at = fields.Datetime(readonly=True, help="When the recall notice was sent.")
    notified_by_id = fields.Many2one("res.users", readonly=True, help="Who sent the recall notice.")
    acknowledged_at = fields.Datetime(
        readonly=True, help="When the customer acknowledged the notice."
    )
    acknowledged_by_id = fields.Many2one(
        "res.users",
        readonly=True,
        help="Who recorded the acknowledgement.",
    )
    returned_at = fields.Datetime(
        string="Returned On", readonly=True, help="When the goods came back."
    )
    returned_qty = fields.Float(
        string="Returned",
        digits="Product Unit of Measure",
        compute="_compute_quantities",
        store=True,
        help="Brought back since the recall began (total of the product lines).",
    )
    accounted_qty = fields.Float(
        string="Destroyed / Accounted For",
        digits="Product Unit of Measure",
        compute="_compute_quantities",
        store=True,
        help="Declared destroyed or used up by the customer (total of the product lines).",
    )
    recovered_qty = fields.Float(
        string="Recovered",
        compute="_compute_quantities",
        store=True,
        digits="Product Unit of Measure",
        help="Returned plus destroyed or accounted for.",
    )
    waive_reason = fields.Text(readonly=True, help="Why the customer needs no follow-up.")
    waived_by_id = fields.Many2one("res.users", readonly=True, help="Who waived the customer.")
    waived_at = fields.Datetime(
        string="Waived On", readonly=True, help="When the customer was waived."
    )
    return_picking_ids = fields.One2many(
        "stock.picking",
        "recall_partner_id",
        string="Return Receipts",
        help="Return receipts created for the recall.",
    )
    note = fields.Text(help="Notes on the follow-up of this customer.")

    @api.depends("recall_id.name", "partner_id")
    def _compute_display_name(self):
        for line in self:
            line.display_name = f"{line.recall_id.name}: {line.partner_id.display_name}"

    @api.depends("partner_id")
    def _compute_email(self):
        for line in self:
            line.email = line.partner_id.email or line.partner_id.commercial_partner_id.email

    @api.depends("recall_id", "partner_id")
    def _compute_delivery_ids(self):
        """Read in one search for all these lines (the scope invalidates it when it writes
        new deliveries: ``stock.recall._scope_lines_changed``)."""
        saved = self.filtered("id")
        deliveries = self.env["stock.recall.delivery"].search(
            [
                ("recall_id", "in", saved.recall_id.ids),
                ("partner_id", "in", saved.partner_id.ids),
                ("superseded", "=", False),
            ]
        )
        by_customer = defaultdict(list)
        for delivery in deliveries:
            by_customer[delivery.recall_id.id, delivery.partner_id.id].append(delivery.id)
        for line in self:
            line.delivery_ids = deliveries.browse(
                by_customer.get((line.recall_id.id, line.partner_id.id), [])
            )

    @api.depends(
        "product_line_ids.shipped_qty",
        "product_line_ids.returned_qty",
        "product_line_ids.accounted_qty",
        "product_line_ids.recovered_qty",
    )
    def _compute_quantities(self):
        """Summed in SQL for saved lines: a recall has thousands of product lines."""
        saved = self.filtered("id")
        names = ["shipped_qty", "returned_qty", "accounted_qty", "recovered_qty"]
        totals = {}
        if saved:
            self.env["stock.recall.partner.product"].flush_model()
            for line, *sums in self.env["stock.recall.partner.product"]._read_group(
                [("partner_line_id", "in", saved.ids)],
                ["partner_line_id"],
                [f"{name}:sum" for name in names],
            ):
                totals[line.id] = [value or 0.0 for value in sums]
        for line in saved:
            shipped, returned, accounted, recovered = totals.get(line.id, [0.0] * 4)
            line.quantity = shipped
            line.returned_qty = returned
            line.accounted_qty = accounted
            line.recovered_qty = recovered
        for line in self - saved:
            products = line.product_line_ids
            line.quantity = sum(products.mapped("shipped_qty"))
            line.returned_qty = sum(products.mapped("returned_qty"))
            line.accounted_qty = sum(products.mapped("accounted_qty"))
            line.recovered_qty = sum(products.mapped("recovered_qty"))

    @api.model
    def _insert_for_scope(self, recall, partners):
        """One new line per customer of ``partners`` in ``recall``, inserted in one
        statement with what the ORM would compute (company, e-mail, no quantities yet: the
        scope stores them next). A supplier recall adds a thousand customers at once."""
        if not partners:
            return self.browse()
        evidence.check_system_change(self, recall, _("created"))
        rows = [
            {
                "recall_id": recall.id,
                "company_id": recall.company_id.id,
                "partner_id": partner.id,
                "email": partner.email or partner.commercial_partner_id.email,
                "state": "to_notify",
                "quantity": 0.0,
                "returned_qty": 0.0,
                "accounted_qty": 0.0,
                "recovered_qty": 0.0,
            }
            for partner in partners
        ]
        lines = self.browse(bulk.insert(self, rows))
        recall.invalidate_recordset(["partner_line_ids"], flush=False)
        recall.modified(["partner_line_ids"])
        return lines

    def _store_quantities(self):
        """Store what :meth:`_compute_quantities` gives, for all these lines in one
        statement: after a scope, thousands of customer lines would otherwise be recomputed
        and written one by one."""
        if not self:
            return
        names = ["quantity", "returned_qty", "accounted_qty", "recovered_qty"]
        self.env["stock.recall.partner.product"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE stock_recall_partner line
                   SET quantity = COALESCE(total.shipped_qty, 0),
                       returned_qty = COALESCE(total.returned_qty, 0),
                       accounted_qty = COALESCE(total.accounted_qty, 0),
                       recovered_qty = COALESCE(total.recovered_qty, 0)
                  FROM unnest(%(ids)s) AS target(id)
                  LEFT JOIN (
                        SELECT partner_line_id, SUM(shipped_qty) AS shipped_qty,
                               SUM(returned_qty) AS returned_qty,
                               SUM(accounted_qty) AS accounted_qty,
                               SUM(recovered_qty) AS recovered_qty
                          FROM stock_recall_partner_product
                         WHERE partner_line_id = ANY(%(ids)s)
                         GROUP BY partner_line_id
                       ) AS total ON total.partner_line_id = target.id
                 WHERE line.id = target.id
                """,
                ids=self.ids,
            )
        )
        for name in names:
            self.env.remove_to_compute(self._fields[name], self)
        self.invalidate_recordset(names, flush=False)
        self.modified(names)

    @api.depends(
        "product_line_ids.shipped_qty",
        "product_line_ids.product_id",
        "product_line_ids.returned_qty",
    )
    def _compute_product_summary(self):
        for line in self:
            line.product_summary = "; ".join(
                f"{product.product_id.display_name}: {product.shipped_qty:g} "
                f"{product.product_uom_id.name}"
                for product in line.product_line_ids
                if product.shipped_qty or product.returned_qty or product.accounted_qty
            )

    # ------------------------------------------------------------------
    # Evidence: what a user may change (models/evidence.py)
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        recalls = self.env["stock.recall"].browse(
            {vals["recall_id"] for vals in vals_list if vals.get("recall_id")}
        )
        evidence.check_system_change(self, recalls, _("created"))
        return super().create(vals_list)

    def write(self, vals):
        if not evidence.is_system(self):
            for line in self:
                line._check_user_write(vals)
        return super().write(vals)

    def _check_user_write(self, vals):
        """While the recall is open: the e-mail of a customer not yet notified, and the
        note; everything else is written by the actions, stamped with user and time."""
        if self.recall_id.state in ("closed", "cancelled"):
            allowed = set()
        else:
            allowed = {"note", "email"} if self.state == "to_notify" else {"note"}
        evidence.check_writable(
            self,
            vals,
            allowed,
            _(
                "Notifications, acknowledgements, returns, waivers and accounted quantities "
                "are recorded by the recall's actions."
            ),
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_evidence(self):
        evidence.check_system_change(self, self.recall_id, _("deleted"))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def _check_open(self):
        self.recall_id._check_recall_manager()
        self.recall_id._check_state(("scoped", "in_progress"), _("acted on"))

    def action_acknowledge(self):
        """The customer confirmed it received the notice (and what it holds)."""
        self._check_open()
        not_notified = self.filtered(lambda line: line.state == "to_notify")
        if not_notified:
            raise UserError(
                _(
                    "Notify %(partners)s before recording an acknowledgement.",
                    partners=", ".join(not_notified.partner_id.mapped("display_name")),
                )
            )
        for line in self.filtered(lambda line: line.state == "notified"):
            evidence.system(line).write(
                {
                    "state": "acknowledged",
                    "acknowledged_at": fields.Datetime.now(),
                    "acknowledged_by_id": self.env.uid,
                }
            )
            line.recall_id.message_post(
                body=_("%s acknowledged the recall notice.", line.partner_id.display_name)
            )
        return True

    def action_waive(self, reason):
        """Close a customer line without acknowledgement, for a stated reason."""
        self._check_open()
        if not (reason or "").strip():
            raise UserError(_("Give the reason for waiving these customers."))
        closed = self.filtered(lambda line: line.state not in ("to_notify", "notified"))
        if closed:
            raise UserError(
                _(
                    "Only customers not yet acknowledged can be waived: %(partners)s.",
                    partners=", ".join(closed.partner_id.mapped("display_name")),
                )
            )
        evidence.system(self).write(
            {
                "state": "waived",
                "waive_reason": reason,
                "waived_by_id": self.env.uid,
                "waived_at": fields.Datetime.now(),
            }
        )
        for line in self:
            line.recall_id.message_post(
                body=_(
                    "%(partner)s waived: %(reason)s",
                    partner=line.partner_id.display_name,
                    reason=reason,
                )
            )
        return True

    def action_open_waive_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Waive Customer"),
            "res_model": "stock.recall.cancel.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_line_ids": self.ids, "default_mode": "waive"},
        }

    def _update_states(self):
        """Customers with goods back: a notified customer who returned anything is
        *Returned*; a customer not yet notified who has nothing left (everything came
        back, possibly before the recall) is *Returned* too, and is not e-mailed.

        The product quantities are read in one query and the lines written in one
        ``write`` per case (a recall has thousands of customer product lines)."""
        now = fields.Datetime.now()
        products = self._product_quantities()
        returned_unacknowledged, returned_acknowledged, nothing_left = [], [], []
        for line in self:
            rows = products.get(line.id, [])
            if line.state in ("notified", "acknowledged") and any(row[1] for row in rows):
                if line.acknowledged_at:
                    returned_acknowledged.append(line.id)
                else:
                    returned_unacknowledged.append(line.id)
            elif line.state == "to_notify" and all(
                float_compare(returned, shipped, precision_rounding=rounding) >= 0
                for shipped, returned, rounding in rows
            ):
                nothing_left.append(line.id)
        evidence.system(self.browse(returned_unacknowledged)).write(
            {"state": "returned", "returned_at": now, "acknowledged_at": now}
        )
        evidence.system(self.browse(returned_acknowledged + nothing_left)).write(
            {"state": "returned", "returned_at": now}
        )

    def _product_quantities(self):
        """``{line id: [(shipped, returned, rounding of the product's unit)]}``."""
        if not self.ids:
            return {}
        self.env["stock.recall.partner.product"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT line.partner_line_id, COALESCE(line.shipped_qty, 0),
                       COALESCE(line.returned_qty, 0), uom.rounding
                  FROM stock_recall_partner_product line
                  JOIN product_product product ON product.id = line.product_id
                  JOIN product_template template ON template.id = product.product_tmpl_id
                  JOIN uom_uom uom ON uom.id = template.uom_id
                 WHERE line.partner_line_id = ANY(%(line_ids)s)
                """,
                line_ids=self.ids,
            )
        )
        result = defaultdict(list)
        for line_id, shipped, returned, rounding in self.env.cr.fetchall():
            result[line_id].append((shipped, returned, rounding))
        return result
