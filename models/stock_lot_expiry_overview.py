from odoo import _, api, fields, models


class StockLotExpiryOverview(models.Model):
    """The expiry overview: one card per company, counts computed by SQL when read.

    Each count opens the list it counts (buttons on the kanban card); the expiry report's
    graph view gives the stock expiring week by week.
    """

    _name = "stock.lot.expiry.overview"
    _description = "Expiry Overview"
    _auto = False
    _rec_name = "company_id"

    company_id = fields.Many2one(
        "res.company", readonly=True, help="The company whose stock is summed."
    )
    currency_id = fields.Many2one("res.currency", readonly=True, help="Currency of the values.")
    held_lot_count = fields.Integer(string="Held Lots", readonly=True, help="Lots on quality hold.")
    expiring_7_count = fields.Integer(
        string="Expiring in 7 Days",
        readonly=True,
        help="Lots in stock that expire within 7 days.",
    )
    expiring_30_count = fields.Integer(
        string="Expiring in 30 Days",
        readonly=True,
        help="Lots in stock that expire within 30 days.",
    )
    expiring_90_count = fields.Integer(
        string="Expiring in 90 Days",
        readonly=True,
        help="Lots in stock that expire within 90 days.",
    )
    expired_lot_count = fields.Integer(
        string="Expired Lots in Stock",
        readonly=True,
        help="Lots past their expiration date with stock.",
    )
    expired_value = fields.Monetary(
        string="Expired Stock Value", readonly=True, help="Value of the expired stock."
    )
    open_recall_count = fields.Integer(
        string="Open Recalls", readonly=True, help="Recalls scoped or in progress."
    )

    @property
    def _table_query(self):
        stock = self.env["stock.lot.expiry.report"]._stock_query()
        now = fields.Datetime.to_string(fields.Datetime.now())
        return f"""
            WITH stock AS ({stock}),
                 horizon AS (SELECT '{now}'::timestamp AS now)
            SELECT company.id AS id,
                   company.id AS company_id,
                   company.currency_id AS currency_id,
                   (SELECT count(DISTINCT hold.lot_id) FROM stock_lot_hold hold
                     WHERE hold.company_id = company.id AND hold.state = 'active'
                   ) AS held_lot_count,
                   (SELECT count(DISTINCT stock.lot_id) FROM stock, horizon
                     WHERE stock.company_id = company.id AND stock.expiration_date > horizon.now
                       AND stock.expiration_date <= horizon.now + interval '7 days'
                   ) AS expiring_7_count,
                   (SELECT count(DISTINCT stock.lot_id) FROM stock, horizon
                     WHERE stock.company_id = company.id AND stock.expiration_date > horizon.now
                       AND stock.expiration_date <= horizon.now + interval '30 days'
                   ) AS expiring_30_count,
                   (SELECT count(DISTINCT stock.lot_id) FROM stock, horizon
                     WHERE stock.company_id = company.id AND stock.expiration_date > horizon.now
                       AND stock.expiration_date <= horizon.now + interval '90 days'
                   ) AS expiring_90_count,
                   (SELECT count(DISTINCT stock.lot_id) FROM stock
                     WHERE stock.company_id = company.id AND stock.expiry_state = 'expired'
                   ) AS expired_lot_count,
                   (SELECT COALESCE(sum(stock.value), 0) FROM stock
                     WHERE stock.company_id = company.id AND stock.expiry_state = 'expired'
                   ) AS expired_value,
                   (SELECT count(*) FROM stock_recall recall
                     WHERE recall.company_id = company.id AND NOT recall.is_drill
                       AND recall.state IN ('draft', 'scoped', 'in_progress')
                   ) AS open_recall_count
              FROM res_company company
        """

    # ------------------------------------------------------------------
    # What each count opens
    # ------------------------------------------------------------------
    @api.readonly
    def action_open_held_lots(self):
        """Lots held by this company (a lot may belong to no company; its hold does)."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stock_lot_traceability.stock_lot_action"
        )
        action.update(
            name=_("Held Lots"),
            domain=[
                (
                    "hold_ids",
                    "any",
                    [("state", "=", "active"), ("company_id", "in", self.company_id.ids)],
                )
            ],
            context={},
        )
        return action

    @api.readonly
    def action_open_expiring(self):
        days = int(self.env.context.get("expiry_days", 30))
        action = self.env["stock.lot.expiry.report"].action_open_expiring(days)
        action["domain"] += [("company_id", "in", self.company_id.ids)]
        return action

    @api.readonly
    def action_open_expired(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stock_lot_traceability.stock_lot_expired_report_action"
        )
        action["domain"] = [
            ("expiry_state", "=", "expired"),
            ("company_id", "in", self.company_id.ids),
        ]
        return action

    @api.readonly
    def action_open_recalls(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stock_lot_traceability.stock_recall_action"
        )
        action.update(
            name=_("Open Recalls"),
            domain=[
                ("state", "in", ("draft", "scoped", "in_progress")),
                ("is_drill", "=", False),
                ("company_id", "in", self.company_id.ids),
            ],
        )
        return action

    @api.readonly
    def action_open_weekly_graph(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stock_lot_traceability.stock_lot_expiry_report_action"
        )
        action.update(
            name=_("Stock by Expiry Week"),
            view_mode="graph,pivot,list",
            views=[(False, "graph"), (False, "pivot"), (False, "list")],
            domain=[("company_id", "in", self.company_id.ids or self.env.companies.ids)],
        )
        return action
