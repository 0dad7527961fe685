import time
from collections import defaultdict
from datetime import timedelta

import pytz
from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_round, split_every

from . import bulk, evidence

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
        string="Reference", required=True, readonly=True, copy=False, default=lambda self: _("New")
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
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
        "product.product", compute="_compute_product_ids", string="Products"
    )
    reason = fields.Text(required=True, tracking=True)
    classification = fields.Selection(
        CLASSIFICATIONS,
        required=True,
        default="class_2",
        tracking=True,
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
    )
    state = fields.Selection(
        RECALL_STATES,
        required=True,
        default="draft",
        readonly=True,
        tracking=True,
        index=True,
        copy=False,
    )
    cancel_reason = fields.Text(readonly=True, tracking=True, copy=False)
    customer_instructions = fields.Text(
        default=lambda self: _(
            "Stop selling and using the products and lots listed below, put them aside, "
            "and reply to this e-mail with the quantity you still hold. We will arrange "
            "collection or destruction."
        ),
        help="Included in the e-mail sent to every customer.",
    )

    scope_started_at = fields.Datetime(readonly=True, copy=False)
    scoped_at = fields.Datetime(readonly=True, copy=False)
    scope_seconds = fields.Float(
        string="Time to Scope (s)", readonly=True, copy=False, digits=(16, 3)
    )
    closed_at = fields.Datetime(readonly=True, copy=False)
    hours_to_close = fields.Float(
        compute="_compute_hours_to_close", store=True, digits=(16, 2), string="Time to Close (h)"
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
        "stock.recall.scope", string="Scope Version", readonly=True, copy=False
    )
    scope_ids = fields.One2many(
        "stock.recall.scope", "recall_id", string="Scope History", readonly=True
    )
    scope_count = fields.Integer(string="Scope Versions", compute="_compute_scope_count")
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
    )
    partner_line_ids = fields.One2many("stock.recall.partner", "recall_id", string="Customers")
    hold_ids = fields.One2many("stock.lot.hold", "recall_id", string="Recall Holds")
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
    )

    affected_lot_count = fields.Integer(compute="_compute_counts", store=True)
    delivery_count = fields.Integer(compute="_compute_counts", store=True)
    customer_count = fields.Integer(compute="_compute_counts", store=True)
    unassigned_delivery_count = fields.Integer(
        string="Deliveries Without Customer",
        compute="_compute_counts",
        store=True,
        help="Shipments of affected lots that name no customer: no e-mail can reach them.",
    )
    hold_count = fields.Integer(compute="_compute_hold_count")
    mass_balance_gap_count = fields.Integer(
        string="Mass-Balance Gaps", compute="_compute_counts", store=True
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
    xlsx_attachment_id = fields.Many2one("ir.attachment", readonly=True, copy=False)
    pdf_attachment_id = fields.Many2one("ir.attachment", readonly=True, copy=False)

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
    # Computes
    # ------------------------------------------------------------------
    @api.depends("lot_ids")
    def _compute_product_ids(self):
        for recall in self:
            recall.product_ids = recall.lot_ids.product_id

    @api.depends("scope_started_at", "closed_at", "create_date")
    def _compute_hours_to_close(self):
        for recall in self:
            start = recall.scope_started_at or recall.create_date
            if recall.closed_at and start:
                recall.hours_to_close = (recall.closed_at - start).total_seconds() / 3600
            else:
                recall.hours_to_close = 0.0

    @api.depends("recall_lot_ids.mass_balance_gap", "delivery_ids", "partner_line_ids")
    def _compute_counts(self):
        """Counted in SQL for saved recalls: a scope may hold thousands of lines."""
        saved = self.filtered("id")
        counts = saved._line_counts() if saved else {}
        for recall in saved:
            recall.update(counts[recall.id])
        for recall in self - saved:
            recall.affected_lot_count = len(recall.recall_lot_ids)
            recall.delivery_count = len(recall.delivery_ids)
            recall.customer_count = len(recall.partner_line_ids)
            recall.unassigned_delivery_count = len(
                recall.delivery_ids.filtered(lambda delivery: not delivery.partner_id)
            )
            recall.mass_balance_gap_count = len(
                recall.recall_lot_ids.filtered("has_mass_balance_gap")
            )

    def _line_counts(self):
        """``{recall id: {count field: value}}`` of the current scope's lines."""
        for model_name in ("stock.recall.lot", "stock.recall.delivery", "stock.recall.partner"):
            self.env[model_name].flush_model()
        counts = {
            recall_id: {
                "affected_lot_count": 0,
                "delivery_count": 0,
                "customer_count": 0,
                "unassigned_delivery_count": 0,
                "mass_balance_gap_count": 0,
            }
            for recall_id in self.ids
        }
        self.env.cr.execute(
            SQL(
                """
                SELECT recall_id, COUNT(*), COUNT(*) FILTER (WHERE has_mass_balance_gap)
                  FROM stock_recall_lot
                 WHERE recall_id = ANY(%(ids)s) AND superseded IS NOT TRUE
                 GROUP BY recall_id
                """,
                ids=self.ids,
            )
        )
        for recall_id, lot_count, gap_count in self.env.cr.fetchall():
            counts[recall_id].update(affected_lot_count=lot_count, mass_balance_gap_count=gap_count)
        self.env.cr.execute(
            SQL(
                """
                SELECT recall_id, COUNT(*), COUNT(*) FILTER (WHERE partner_id IS NULL)
                  FROM stock_recall_delivery
                 WHERE recall_id = ANY(%(ids)s) AND superseded IS NOT TRUE
                 GROUP BY recall_id
                """,
                ids=self.ids,
            )
        )
        for recall_id, delivery_count, unassigned_count in self.env.cr.fetchall():
            counts[recall_id].update(
                delivery_count=delivery_count, unassigned_delivery_count=unassigned_count
            )
        self.env.cr.execute(
            SQL(
                """
                SELECT recall_id, COUNT(*) FROM stock_recall_partner
                 WHERE recall_id = ANY(%(ids)s) GROUP BY recall_id
                """,
                ids=self.ids,
            )
        )
        for recall_id, customer_count in self.env.cr.fetchall():
            counts[recall_id]["customer_count"] = customer_count
        return counts

    @api.depends("scope_ids")
    def _compute_scope_count(self):
        for recall in self:
            recall.scope_count = len(recall.scope_ids)

    @api.depends("hold_ids")
    def _compute_hold_count(self):
        for recall in self:
            recall.hold_count = len(recall.hold_ids)

    @api.depends(
        "product_line_ids.effectiveness",
        "product_line_ids.shipped_qty",
        "product_line_ids.recovered_qty",
    )
    def _compute_effectiveness(self):
        for recall in self:
            lowest = recall.product_line_ids.filtered("shipped_qty").sorted(
                lambda line: (line.effectiveness, line.product_id.id)
            )[:1]
            recall.effectiveness_product_id = lowest.product_id
            recall.shipped_qty = lowest.shipped_qty
            recall.accounted_qty = lowest.recovered_qty
            recall.effectiveness = lowest.effectiveness if lowest else 100.0

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

    def action_compute_scope(self):
        """Trace the origin lots forward (and backward), fill the scope, time it."""
        self._check_recall_manager()
        self._check_state(("draft", "scoped", "in_progress"), _("scoped"))
        for recall in evidence.system(self):
            started_at, started = fields.Datetime.now(), time.perf_counter()
            if not recall.scope_started_at:
                recall.write(
                    {
                        "scope_started_at": started_at,
                        "scope_move_line_mark": recall._last_move_line_id(),
                    }
                )
            # a recall traces, counts and balances within its own company (and shared lots)
            scope = recall.with_context(trace_company_ids=recall.company_id.ids)._fill_scope()
            seconds = time.perf_counter() - started
            recall.write(
                {
                    "scoped_at": fields.Datetime.now(),
                    "scope_seconds": seconds,
                    "state": "scoped" if recall.state == "draft" else recall.state,
                }
            )
            scope.write(
                {
                    "scope_seconds": seconds,
                    "lot_count": recall.affected_lot_count,
                    "delivery_count": recall.delivery_count,
                    "customer_count": recall.customer_count,
                    "mass_balance_gap_count": recall.mass_balance_gap_count,
                }
            )
            recall.message_post(
                body=_(
                    "Scope computed in %(seconds).3f s: %(lots)s lots, %(deliveries)s "
                    "deliveries, %(customers)s customers, %(gaps)s mass-balance gaps.",
                    seconds=recall.scope_seconds,
                    lots=recall.affected_lot_count,
                    deliveries=recall.delivery_count,
                    customers=recall.customer_count,
                    gaps=recall.mass_balance_gap_count,
                )
            )
        return True

    def _last_move_line_id(self):
        self.env["stock.move.line"].flush_model()
        self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM stock_move_line")
        return self.env.cr.fetchone()[0]

    def _fill_scope(self):
        """Compute a new scope version; the previous one is kept, marked superseded.

        Called in system mode (models/evidence.py). Returns the new ``stock.recall.scope``.
        Set-based: the lines are computed by a few queries and written in one statement
        per table (models/bulk.py), then the caches and stored computes that depend on
        them are refreshed.
        """
        self.ensure_one()
        lots = self.lot_ids.with_context(active_test=False)
        depths = lots._trace("down")
        scope_lots = self.env["stock.lot"].with_context(active_test=False).browse(depths)
        scope = self.env["stock.recall.scope"].create(
            {
                "recall_id": self.id,
                "number": len(self.scope_ids) + 1,
                "computed_at": fields.Datetime.now(),
                "computed_by_id": self.env.uid,
            }
        )
        self._supersede_scope_lines()
        self.write({"scope_id": scope.id})
        self._insert_lot_lines(scope, depths)
        deliveries = self.env["stock.recall.delivery"]._values_for_lots(scope_lots)
        partner_lines = self._sync_partner_lines(
            [vals["partner_id"] for vals in deliveries if vals["partner_id"]]
        )
        bulk.insert(
            self.env["stock.recall.delivery"],
            [
                {
                    **vals,
                    "recall_id": self.id,
                    "company_id": self.company_id.id,
                    "scope_id": scope.id,
                    "superseded": False,
                    "partner_line_id": partner_lines.get(vals["partner_id"]),
                    "net_qty": max(vals["quantity"] - vals["returned_qty"], 0.0),
                }
                for vals in deliveries
            ],
        )
        self._scope_lines_changed()
        upstream = lots._trace_lots("up") - lots
        self.upstream_lot_ids = upstream
        self.supplier_ids = (lots | upstream)._receipt_vendors()
        self._refresh_quantities()
        return scope

    def _supersede_scope_lines(self):
        """Mark the lines of the current scope version as an older version's, in SQL."""
        for model_name in ("stock.recall.lot", "stock.recall.delivery", "stock.recall.product"):
            model = self.env[model_name]
            model.flush_model(["recall_id", "superseded"])
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE %(table)s
                       SET superseded = TRUE, write_uid = %(uid)s, write_date = %(now)s
                     WHERE recall_id = %(recall_id)s AND superseded IS NOT TRUE
                    RETURNING id
                    """,
                    table=SQL.identifier(model._table),
                    uid=self.env.uid,
                    now=self.env.cr.now(),
                    recall_id=self.id,
                )
            )
            ids = [row[0] for row in self.env.cr.fetchall()]
            model.browse(ids).invalidate_recordset(["superseded", "write_uid", "write_date"])
        self._scope_lines_changed()

    def _insert_lot_lines(self, scope, depths):
        """One ``stock.recall.lot`` per lot of ``{lot_id: depth}``, with its mass balance."""
        lots = self.env["stock.lot"].with_context(active_test=False).browse(depths)
        products = self.env["stock.recall.lot"]._lot_products(lots)
        balances = self.env["stock.recall.lot"]._mass_balance(lots, products)
        bulk.insert(
            self.env["stock.recall.lot"],
            [
                {
                    "recall_id": self.id,
                    "company_id": self.company_id.id,
                    "scope_id": scope.id,
                    "superseded": False,
                    "lot_id": lot_id,
                    "product_id": products[lot_id][0],
                    "depth": depth,
                    **balances[lot_id],
                }
                for lot_id, depth in sorted(depths.items(), key=lambda item: (item[1], item[0]))
            ],
        )

    def _scope_lines_changed(self):
        """After lines were written in SQL: forget the cached relations to them (recall,
        scope versions, customers) and recompute what depends on them (the counts)."""
        for model_name in ("stock.recall", "stock.recall.scope"):
            self.env[model_name].invalidate_model(
                ["recall_lot_ids", "delivery_ids", "product_line_ids"], flush=False
            )
        self.env["stock.recall.partner"].invalidate_model(["delivery_ids"], flush=False)
        self.modified(["recall_lot_ids", "delivery_ids", "product_line_ids"])

    def _sync_partner_lines(self, partner_ids):
        """One line per customer of the current scope (``partner_ids``, commercial
        entities), kept across re-scopes with what the customer did; a customer no longer
        in scope and never told is dropped. Returns ``{partner id: customer line id}``."""
        in_scope = dict.fromkeys(partner_ids)
        lines = self.partner_line_ids
        dropped = lines.filtered(
            lambda line: line.partner_id.id not in in_scope and line.state == "to_notify"
        )
        # sudo: Recall Managers may not delete customer lines; a customer no longer in
        # scope that was never told is no evidence (system mode still required)
        dropped.sudo().unlink()
        existing = {line.partner_id.id: line.id for line in lines - dropped}
        new_partners = [partner_id for partner_id in in_scope if partner_id not in existing]
        new_lines = self.env["stock.recall.partner"].create(
            [{"recall_id": self.id, "partner_id": partner_id} for partner_id in new_partners]
        )
        existing.update(zip(new_partners, new_lines.ids, strict=True))
        return existing

    # ------------------------------------------------------------------
    # Quantities, per customer and product, then per product
    # ------------------------------------------------------------------
    def _refresh_quantities(self):
        """Shipped, returned, accounted for and recovered, in each product's unit.

        Shipped is net of the customer returns made before the recall began (up to
        ``scope_move_line_mark``); returns since then, whether made with the Return
        action or not, are recovered quantities. So a re-scope never inflates the
        effectiveness: goods brought back by the recall are not subtracted from what
        was shipped. Customer lines keep their returns and accounted quantities.
        """
        for recall in evidence.system(self):
            if not recall.scope_id:
                continue
            delivered, lot_ids = recall._current_scope_quantities()
            before, since = recall._customer_returns(recall.env["stock.lot"].browse(lot_ids))
            shipped = {
                key: max(quantity - before.get(key, 0.0), 0.0)
                for key, quantity in delivered.items()
            }
            recall._refresh_partner_products(shipped, since)
            recall.partner_line_ids._update_states()
            recall._refresh_product_totals(shipped)

    def _current_scope_quantities(self):
        """``({(customer, product): shipped quantity}, [lot ids])`` of the current scope,
        read in SQL (a scope may hold thousands of lines)."""
        self.env["stock.recall.delivery"].flush_model()
        self.env["stock.recall.lot"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id, product_id, COALESCE(SUM(quantity), 0)
                  FROM stock_recall_delivery
                 WHERE recall_id = %(recall_id)s AND superseded IS NOT TRUE
                 GROUP BY partner_id, product_id
                """,
                recall_id=self.id,
            )
        )
        delivered = {
            (partner_id or False, product_id): quantity
            for partner_id, product_id, quantity in self.env.cr.fetchall()
        }
        self.env.cr.execute(
            SQL(
                "SELECT lot_id FROM stock_recall_lot "
                "WHERE recall_id = %(recall_id)s AND superseded IS NOT TRUE",
                recall_id=self.id,
            )
        )
        return delivered, [row[0] for row in self.env.cr.fetchall()]

    def _refresh_partner_products(self, shipped, returned):
        """Insert the missing customer product lines and update the others' shipped and
        returned quantities, one statement each."""
        to_create, to_write = [], {}
        products_by_partner = defaultdict(set)
        for partner_id, product_id in shipped:
            products_by_partner[partner_id].add(product_id)
        lines = self.partner_line_ids
        existing_by_line = self._partner_product_lines(lines)
        digits = (
            self.env["stock.recall.partner.product"]._fields["shipped_qty"].get_digits(self.env)[1]
        )
        for line in lines:
            existing = existing_by_line[line.id]
            partner_id = line.partner_id.id
            for product_id in products_by_partner[partner_id] | set(existing):
                key = (partner_id, product_id)
                vals = {
                    "shipped_qty": shipped.get(key, 0.0),
                    "returned_qty": returned.get(key, 0.0),
                }
                if product_id not in existing:
                    to_create.append({**vals, "partner_line_id": line.id, "product_id": product_id})
                    continue
                product_line_id, *current = existing[product_id]
                if any(
                    float_round(value, precision_digits=digits) != stored
                    for value, stored in zip(vals.values(), current, strict=True)
                ):
                    to_write[product_line_id] = vals
        bulk.update(self.env["stock.recall.partner.product"], to_write)
        self.env["stock.recall.partner.product"]._insert_lines(lines, to_create)

    def _partner_product_lines(self, lines):
        """``{customer line id: {product id: (line id, shipped, returned)}}``, in SQL."""
        result = defaultdict(dict)
        if not lines:
            return result
        self.env["stock.recall.partner.product"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_line_id, product_id, id, COALESCE(shipped_qty, 0),
                       COALESCE(returned_qty, 0)
                  FROM stock_recall_partner_product
                 WHERE partner_line_id = ANY(%(line_ids)s)
                """,
                line_ids=lines.ids,
            )
        )
        for line_id, product_id, product_line_id, shipped, returned in self.env.cr.fetchall():
            result[line_id][product_id] = (product_line_id, shipped, returned)
        return result

    def _refresh_product_totals(self, shipped):
        """One line per product of the current scope: its mass balance and recovery."""
        totals = self._product_totals()
        for (partner_id, product_id), quantity in shipped.items():
            if not partner_id:  # shipments naming no customer: shipped, never recovered
                totals[product_id]["shipped_qty"] += quantity
        existing = {line.product_id.id: line.id for line in self.product_line_ids}
        to_create, to_write = [], {}
        for product_id, total in totals.items():
            shipped_qty = total["shipped_qty"]
            vals = {
                "lot_count": int(total["lot_count"]),
                "on_hand_qty": total["on_hand_qty"],
                "mass_balance_gap": total["mass_balance_gap"],
                "shipped_qty": shipped_qty,
                "returned_qty": total["returned_qty"],
                "accounted_qty": total["accounted_qty"],
                "recovered_qty": total["recovered_qty"],
                "effectiveness": min(100.0, 100.0 * total["recovered_qty"] / shipped_qty)
                if shipped_qty > 0
                else 100.0,
            }
            if product_id in existing:
                to_write[existing[product_id]] = vals
            else:
                to_create.append(
                    {
                        **vals,
                        "recall_id": self.id,
                        "scope_id": self.scope_id.id,
                        "product_id": product_id,
                    }
                )
        bulk.update(self.env["stock.recall.product"], to_write)
        self.env["stock.recall.product"].create(to_create)

    def _product_totals(self):
        """``{product id: {column: total}}`` of the current scope's lot lines and customer
        product lines, summed in SQL."""
        totals = defaultdict(lambda: defaultdict(float))
        self.env["stock.recall.lot"].flush_model()
        self.env["stock.recall.partner.product"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT product_id, COUNT(*), COALESCE(SUM(on_hand_qty), 0),
                       COALESCE(SUM(mass_balance_gap), 0)
                  FROM stock_recall_lot
                 WHERE recall_id = %(recall_id)s AND superseded IS NOT TRUE
                 GROUP BY product_id
                """,
                recall_id=self.id,
            )
        )
        for product_id, lot_count, on_hand_qty, mass_balance_gap in self.env.cr.fetchall():
            totals[product_id].update(
                lot_count=lot_count, on_hand_qty=on_hand_qty, mass_balance_gap=mass_balance_gap
            )
        self.env.cr.execute(
            SQL(
                """
                SELECT product_id, COALESCE(SUM(shipped_qty), 0), COALESCE(SUM(returned_qty), 0),
                       COALESCE(SUM(accounted_qty), 0), COALESCE(SUM(recovered_qty), 0)
                  FROM stock_recall_partner_product
                 WHERE partner_line_id = ANY(%(line_ids)s)
                 GROUP BY product_id
                """,
                line_ids=self.partner_line_ids.ids,
            )
        )
        for product_id, shipped, returned, accounted, recovered in self.env.cr.fetchall():
            total = totals[product_id]
            total["shipped_qty"] += shipped
            total["returned_qty"] += returned
            total["accounted_qty"] += accounted
            total["recovered_qty"] += recovered
        return totals

    def _customer_returns(self, lots):
        """``({(customer, product): quantity}, {...})``: done customer returns of ``lots``
        made before the recall began, and since, in the product's unit of measure."""
        if not lots:
            return {}, {}
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(partner.commercial_partner_id, partner.id), ml.product_id,
                       COALESCE(SUM(ml.quantity_product_uom) FILTER (WHERE ml.id <= %(mark)s), 0),
                       COALESCE(SUM(ml.quantity_product_uom) FILTER (WHERE ml.id > %(mark)s), 0)
                  FROM stock_move_line ml
                  JOIN stock_move move ON move.id = ml.move_id
                  JOIN stock_location src ON src.id = ml.location_id
                  JOIN stock_location dest ON dest.id = ml.location_dest_id
                  LEFT JOIN stock_picking picking ON picking.id = ml.picking_id
                  JOIN res_partner partner
                    ON partner.id = COALESCE(picking.partner_id, move.partner_id)
                 WHERE ml.lot_id = ANY(%(lot_ids)s) AND ml.state = 'done'
                   AND ml.company_id = %(company_id)s
                   AND src.usage = 'customer' AND dest.usage != 'customer'
                 GROUP BY 1, 2
                """,
                mark=self.scope_move_line_mark,
                lot_ids=lots.ids,
                company_id=self.company_id.id,
            )
        )
        before, since = {}, {}
        for partner_id, product_id, returned_before, returned_since in self.env.cr.fetchall():
            before[partner_id, product_id] = returned_before
            since[partner_id, product_id] = returned_since
        return before, since

    # ------------------------------------------------------------------
    # Act
    # ------------------------------------------------------------------
    def action_hold_stock(self):
        """Hold every affected lot that still has stock (a drill only reports them)."""
        self._check_recall_manager()
        self._check_state(("scoped", "in_progress"), _("acted on"))
        for recall in self:
            lots = recall.recall_lot_ids.lot_id._lots_with_stock()
            already = recall.hold_ids.filtered(lambda hold: hold.state == "active").lot_id
            to_hold = lots - already
            if recall.is_drill:
                recall.message_post(
                    body=_(
                        "Drill: %(count)s lots with stock would be put on hold (%(lots)s). "
                        "No hold was placed.",
                        count=len(to_hold),
                        lots=", ".join(to_hold.mapped("name")) or _("none"),
                    )
                )
            elif to_hold:
                holds = to_hold._place_hold(
                    "recall",
                    _("Recall %(recall)s", recall=recall.name),
                    recall_id=recall.id,
                    company_id=recall.company_id.id,
                )
                recall._post_hold_digest(holds)
            evidence.system(recall).state = "in_progress"
        return True

    def _post_hold_digest(self, holds, listed=30):
        """One message for all the holds a recall placed: counts per product, first lots."""
        self.ensure_one()
        per_product = Markup("").join(
            Markup("<li>%s: %s</li>") % (product.display_name, len(product_holds))
            for product, product_holds in holds.grouped("product_id").items()
        )
        names = ", ".join(holds[:listed].lot_id.mapped("name"))
        if len(holds) > listed:
            names = _("%(names)s and %(count)s more", names=names, count=len(holds) - listed)
        self.message_post(
            body=Markup("<p>%s</p><ul>%s</ul><p>%s</p>")
            % (
                _(
                    "%(count)s lots put on hold (%(first)s to %(last)s):",
                    count=len(holds),
                    first=holds[:1].name,
                    last=holds[-1:].name,
                ),
                per_product,
                _("Lots: %s", names),
            )
        )

    def action_notify_customers(self):
        """E-mail every customer not yet notified (the responsible user, for a drill)."""
        self._check_recall_manager()
        self._check_state(("scoped", "in_progress"), _("acted on"))
        template = self.env.ref("stock_lot_traceability.stock_recall_partner_mail_template")
        for recall in self:
            lines = recall.partner_line_ids.filtered(lambda line: line.state == "to_notify")
            if not recall.is_drill:
                missing = lines.filtered(lambda line: not line.email)
                if missing:
                    raise UserError(
                        _(
                            "These customers have no e-mail address: %(partners)s. Add one or "
                            "waive them before notifying.",
                            partners=", ".join(missing.partner_id.mapped("display_name")),
                        )
                    )
            for line in lines:
                email_values = {}
                if recall.is_drill:
                    email_values = {
                        "email_to": recall.user_id.email_formatted,
                        "recipient_ids": [],
                    }
                template.send_mail(line.id, email_values=email_values)
            evidence.system(lines).write(
                {
                    "state": "notified",
                    "notified_at": fields.Datetime.now(),
                    "notified_by_id": self.env.uid,
                }
            )
            recall.message_post(
                body=_(
                    "%(count)s customers notified%(drill)s.",
                    count=len(lines),
                    drill=_(" (drill: e-mails sent to the responsible only)")
                    if recall.is_drill
                    else "",
                )
            )
            evidence.system(recall).state = "in_progress"
        return True

    def action_close(self):
        self._check_recall_manager()
        self._check_state(("scoped", "in_progress"), _("closed"))
        for recall in self:
            if not recall.scope_id or not recall.recall_lot_ids:
                raise UserError(
                    _(
                        "Recall %(recall)s cannot be closed: it has no computed scope or no "
                        "affected lot.",
                        recall=recall.name,
                    )
                )
            open_lines = recall.partner_line_ids.filtered(
                lambda line: line.state in ("to_notify", "notified")
            )
            if open_lines:
                raise UserError(
                    _(
                        "Recall %(recall)s cannot be closed: these customers have neither "
                        "acknowledged nor been waived: %(partners)s.",
                        recall=recall.name,
                        partners=", ".join(open_lines.partner_id.mapped("display_name")),
                    )
                )
            evidence.system(recall).write({"state": "closed", "closed_at": fields.Datetime.now()})
            recall.message_post(
                body=_(
                    "Recall closed in %(hours).2f h. Effectiveness: %(effectiveness).1f %% "
                    "(lowest product). %(products)s",
                    effectiveness=recall.effectiveness,
                    hours=recall.hours_to_close,
                    products="; ".join(recall._product_effectiveness_lines()),
                )
            )
            recall.activity_ids.action_feedback(feedback=_("Recall closed"))
        return True

    def action_cancel(self, reason):
        self._check_recall_manager()
        self._check_state(("draft", "scoped", "in_progress"), _("cancelled"))
        if not (reason or "").strip():
            raise UserError(_("Give the reason for cancelling the recall."))
        evidence.system(self).write({"state": "cancelled", "cancel_reason": reason})
        return True

    def action_open_cancel_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Cancel Recall"),
            "res_model": "stock.recall.cancel.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_recall_id": self.id},
        }

    # ------------------------------------------------------------------
    # Smart buttons
    # ------------------------------------------------------------------
    def _action_view(self, model, name, records):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": [("id", "in", records.ids)],
            "context": {"create": False},
        }

    def action_view_scopes(self):
        self.ensure_one()
        action = self._action_view("stock.recall.scope", _("Scope History"), self.scope_ids)
        action["context"] = {"create": False, "delete": False, "edit": False}
        return action

    def action_view_holds(self):
        self.ensure_one()
        return self._action_view("stock.lot.hold", _("Recall Holds"), self.hold_ids)

    def action_view_pickings(self):
        self.ensure_one()
        return self._action_view(
            "stock.picking", _("Recalled Deliveries"), self.delivery_ids.picking_id
        )

    # ------------------------------------------------------------------
    # Follow-up
    # ------------------------------------------------------------------
    @api.model
    def _cron_follow_up(self):
        """Remind the responsible of customers who have not acknowledged after N days."""
        todo_type = self.env.ref("mail.mail_activity_data_todo")
        for company in self.env["res.company"].search([]):
            days = company.recall_follow_up_days
            if days <= 0:
                continue
            deadline = fields.Datetime.now() - timedelta(days=days)
            lines = self.env["stock.recall.partner"].search(
                [
                    ("recall_id.company_id", "=", company.id),
                    ("recall_id.state", "=", "in_progress"),
                    ("state", "=", "notified"),
                    ("notified_at", "<=", deadline),
                ]
            )
            for recall, recall_lines in lines.grouped("recall_id").items():
                summary = _("Recall follow-up: customers to chase")
                if recall.activity_ids.filtered(
                    lambda act, summary=summary: (
                        act.summary == summary and act.activity_type_id == todo_type
                    )
                ):
                    continue
                recall.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=recall.user_id.id,
                    summary=summary,
                    note=Markup("<p>%s</p><ul>%s</ul>")
                    % (
                        _("No acknowledgement after %s days from:", days),
                        Markup("").join(
                            Markup("<li>%s</li>") % partner.display_name
                            for partner in recall_lines.partner_id
                        ),
                    ),
                )

    # ------------------------------------------------------------------
    # Evidence: the tables shared by the workbook and the PDF report
    # ------------------------------------------------------------------
    def _selection_label(self, record, field_name):
        selection = dict(record._fields[field_name]._description_selection(self.env))
        return selection.get(record[field_name], "")

    def _summary_rows(self):
        self.ensure_one()
        return [
            (_("Reference"), self.name),
            (_("Mock recall (drill)"), self.is_drill),
            (_("Classification"), self._selection_label(self, "classification")),
            (_("Status"), self._selection_label(self, "state")),
            (_("Reason"), self.reason),
            (_("Origin lots"), ", ".join(self.lot_ids.mapped("display_name"))),
            (_("Products"), ", ".join(self.product_ids.mapped("display_name"))),
            (_("Responsible"), self.user_id.name),
            (_("Company"), self.company_id.name),
            (_("Opened"), self.create_date),
            (_("Scope started"), self.scope_started_at),
            (_("Scope computed"), self.scoped_at),
            (_("Time to scope (s)"), round(self.scope_seconds, 3)),
            (_("Closed"), self.closed_at),
            (_("Time to close (h)"), round(self.hours_to_close, 2)),
            (_("Affected lots"), self.affected_lot_count),
            (_("Customer deliveries"), self.delivery_count),
            (_("Customers"), self.customer_count),
            (_("Lots on recall hold"), len(self.hold_ids.filtered(lambda h: h.state == "active"))),
            (_("Scope version"), self.scope_id.number),
            (_("Effectiveness (%, lowest product)"), round(self.effectiveness, 1)),
            *(
                # self.env._: _() finds no language inside a generator expression
                (self.env._("Product: %s", line.product_id.display_name), text)
                for line, text in zip(
                    self.product_line_ids, self._product_effectiveness_lines(), strict=True
                )
            ),
            (_("Lots with a mass-balance gap"), self.mass_balance_gap_count),
            (_("Upstream lots"), ", ".join(self.upstream_lot_ids.mapped("display_name"))),
            (_("Root-cause suppliers"), ", ".join(self.supplier_ids.mapped("display_name"))),
        ]

    def _iter_rows(self, records, build_row, batch_size=1000, cache_batches=5):
        """Rows built from ``records`` a batch at a time: each batch is read with one
        prefetch, and the cache is emptied every ``cache_batches`` batches, so that memory
        stays flat on a recall of tens of thousands of lines (while the records shared by
        many rows, partners and products, are not read and computed again every batch)."""
        model = records.browse()
        for index, batch_ids in enumerate(split_every(batch_size, records.ids), start=1):
            for record in model.browse(batch_ids):
                yield build_row(record)
            if index % cache_batches == 0:
                self.env.invalidate_all()

    def _lot_table(self):
        headers = [
            _("Depth"),
            _("Lot"),
            _("Product"),
            _("Expiration"),
            _("On Hand"),
            _("Unit"),
            _("Locations"),
            _("Quality Status"),
        ]
        return headers, self._iter_rows(self.recall_lot_ids, self._lot_row)

    def _lot_row(self, line):
        return [
            line.depth,
            line.lot_id.name,
            line.product_id.display_name,
            line.lot_id.expiration_date,
            line.on_hand_qty,
            line.product_id.uom_id.name,
            line.on_hand_locations,
            self._selection_label(line.lot_id, "hold_state"),
        ]

    def _delivery_table(self):
        headers = [
            _("Customer"),
            _("Ship To"),
            _("Delivery"),
            _("Sale Order"),
            _("Lot"),
            _("Product"),
            _("Shipped"),
            _("Returned"),
            _("Net"),
            _("Unit"),
            _("Ship Date"),
        ]
        return headers, self._iter_rows(self.delivery_ids, self._delivery_row)

    def _delivery_row(self, line):
        return [
            line.partner_id.display_name,
            line.ship_to_partner_id.display_name,
            line.picking_id.name,
            line.sale_id.name,
            line.lot_id.name,
            line.product_id.display_name,
            line.quantity,
            line.returned_qty,
            line.net_qty,
            line.product_id.uom_id.name,
            line.date_done,
        ]

    def _product_effectiveness_lines(self):
        """'Product: recovered / shipped unit (effectiveness %)', one per product line."""
        return [
            self.env._(
                "%(product)s: %(recovered)g / %(shipped)g %(uom)s (%(effectiveness).1f %%)",
                product=line.product_id.display_name,
                recovered=line.recovered_qty,
                shipped=line.shipped_qty,
                uom=line.product_uom_id.name,
                effectiveness=line.effectiveness,
            )
            for line in self.product_line_ids
        ]

    def _customer_table(self):
        """One row per customer and product: quantities are in that product's unit."""
        headers = [
            _("Customer"),
            _("E-mail"),
            _("Product"),
            _("Shipped (net)"),
            _("Unit"),
            _("Status"),
            _("Notified"),
            _("Acknowledged"),
            _("Returned"),
            _("Accounted For"),
            _("Recovered"),
            _("Waived"),
        ]
        return headers, self._iter_rows(
            self.partner_line_ids.product_line_ids, self._customer_product_row
        )

    def _customer_product_row(self, product):
        line = product.partner_line_id
        return [
            line.partner_id.display_name,
            line.email,
            product.product_id.display_name,
            product.shipped_qty,
            product.product_uom_id.name,
            self._selection_label(line, "state"),
            line.notified_at,
            line.acknowledged_at,
            product.returned_qty,
            product.accounted_qty,
            product.recovered_qty,
            line.waive_reason,
        ]

    def _mass_balance_table(self):
        headers = [
            _("Lot"),
            _("Product"),
            _("Received"),
            _("Produced"),
            _("Returned"),
            _("Other Adjustments"),
            _("On Hand"),
            _("Shipped"),
            _("Consumed"),
            _("Scrapped"),
            _("Gap"),
            _("Gap Found"),
        ]
        return headers, self._iter_rows(self.recall_lot_ids, self._mass_balance_row)

    def _mass_balance_row(self, line):
        return [
            line.lot_id.name,
            line.product_id.display_name,
            line.received_qty,
            line.produced_qty,
            line.returned_qty,
            line.adjusted_qty,
            line.on_hand_qty,
            line.shipped_qty,
            line.consumed_qty,
            line.scrapped_qty,
            line.mass_balance_gap,
            line.has_mass_balance_gap,
        ]

    def _fsma_204_table(self):
        """Shipping Key Data Elements (21 CFR 1.1340), one row per shipment of a lot."""
        headers = [
            _("Traceability Lot Code"),
            _("Product Description"),
            _("Quantity"),
            _("Unit of Measure"),
            _("Ship-To Location"),
            _("Ship-From Location"),
            _("Ship Date"),
            _("Traceability Lot Code Source"),
            _("Reference Document Type"),
            _("Reference Document Number"),
        ]
        return headers, self._iter_rows(self.delivery_ids, self._fsma_204_row_builder())

    def _fsma_204_row_builder(self):
        """The row builder of the FSMA sheet, remembering the texts shared by many rows
        (lot code sources, addresses) across batches."""
        known = {}
        document_type = _("Delivery Order")
        made_here = {
            lot.id
            for [lot] in self.env["stock.lot.link"]._read_group(
                [("child_lot_id", "in", self.delivery_ids.lot_id.ids)], ["child_lot_id"]
            )
        }

        def text(key, compute):
            if key not in known:
                known[key] = compute()
            return known[key]

        def fsma_row(line):
            lot, ship_to = line.lot_id, line.ship_to_partner_id
            return [
                lot.name,
                line.product_id.display_name,
                line.quantity,
                line.product_id.uom_id.name,
                text(("to", ship_to.id), lambda: self._address(ship_to)),
                text(("from", line.ship_from_location_id.id), lambda: self._ship_from(line)),
                line.date_done,
                text(("source", lot.id), lambda: self._lot_code_source(lot, made_here)),
                document_type,
                line.picking_id.name,
            ]

        return fsma_row

    def _export_tz(self):
        """The time zone dates are written in: the exporting user's, else the responsible's."""
        return pytz.timezone(self.env.user.tz or self.user_id.tz or "UTC")

    def _address(self, partner):
        if not partner:
            return ""
        lines = [partner.display_name] + [
            part
            for part in (partner.street, partner.city, partner.zip, partner.country_id.name)
            if part
        ]
        return ", ".join(lines)

    def _ship_from(self, line):
        warehouse = line.ship_from_location_id.warehouse_id
        partner = warehouse.partner_id or self.company_id.partner_id
        return f"{line.ship_from_location_id.display_name} — {self._address(partner)}"

    def _lot_code_source(self, lot, made_here=None):
        """Where the lot code was assigned: our plant for lots we made, else the supplier.
        ``made_here``: the ids of the lots known to be made from others, if looked up."""
        if lot.id in made_here if made_here is not None else lot.parent_link_ids:
            return self._address(self.company_id.partner_id)
        suppliers = lot._receipt_vendors()
        return "; ".join(self._address(partner) for partner in suppliers) or self._address(
            self.company_id.partner_id
        )

    # ------------------------------------------------------------------
    # Exports
    # ------------------------------------------------------------------
    def action_export_xlsx(self):
        self.ensure_one()
        content = self.env["stock.recall.xlsx"]._generate(self)
        attachment = self._store_export(
            content,
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        evidence.system(self).xlsx_attachment_id = attachment
        return self._download(attachment)

    def action_print_report(self):
        self.ensure_one()
        content = self.env["stock.recall.pdf"]._generate(self)
        attachment = self._store_export(content, "pdf", "application/pdf")
        evidence.system(self).pdf_attachment_id = attachment
        return self._download(attachment)

    def _store_export(self, content, extension, mimetype):
        stamp = fields.Datetime.now().strftime("%Y%m%d-%H%M%S")
        return self.env["ir.attachment"].create(
            {
                "name": f"{self.name.replace('/', '_')}-{stamp}.{extension}",
                "raw": content,
                "mimetype": mimetype,
                "res_model": self._name,
                "res_id": self.id,
            }
        )

    def _download(self, attachment):
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }
