from odoo import _, api, fields, models

EXPIRY_STATES = [
    ("ok", "Within shelf life"),
    ("near_expiry", "Near expiry"),
    ("expired", "Expired"),
]


class StockLotExpiryReport(models.Model):
    """Stock on hand of lots with an expiration date, one row per quant, valued.

    A read-only SQL view: the "Near expiry" and "Expired stock" reports, the expiry
    overview's counts and the daily digest all read it, so they always agree. The state is
    evaluated at query time; the value is the quantity at the product's cost in the quant's
    company.
    """

    _name = "stock.lot.expiry.report"
    _description = "Lot Expiry Report"
    _auto = False
    _rec_name = "lot_id"
    _order = "expiration_date, lot_id, location_id"

    lot_id = fields.Many2one("stock.lot", readonly=True, help="The lot in stock.")
    product_id = fields.Many2one("product.product", readonly=True, help="The product in stock.")
    product_categ_id = fields.Many2one(
        "product.category", string="Category", readonly=True, help="The product's category."
    )
    location_id = fields.Many2one("stock.location", readonly=True, help="Where the stock is.")
    warehouse_id = fields.Many2one(
        "stock.warehouse", readonly=True, help="The warehouse of the location."
    )
    company_id = fields.Many2one("res.company", readonly=True, help="The company of the stock.")
    quantity = fields.Float(
        string="On Hand",
        digits="Product Unit of Measure",
        readonly=True,
        help="Quantity in stock at the location.",
    )
    product_uom_id = fields.Many2one(
        "uom.uom", string="Unit", readonly=True, help="The product's unit of measure."
    )
    currency_id = fields.Many2one("res.currency", readonly=True, help="Currency of the value.")
    value = fields.Monetary(readonly=True, help="Value of the stock at the product's cost.")
    expiration_date = fields.Datetime(readonly=True, help="When the lot expires.")
    alert_date = fields.Datetime(readonly=True, help="When the lot raises its expiry alert.")
    expiry_week = fields.Date(readonly=True, help="First day of the week the lot expires in.")
    days_left = fields.Integer(
        readonly=True,
        aggregator="min",
        help="Days until the lot expires (negative: expired).",
    )
    expiry_state = fields.Selection(
        EXPIRY_STATES,
        string="Expiry",
        readonly=True,
        help="Within shelf life, near expiry or expired.",
    )
    hold_state = fields.Selection(
        [("free", "Free"), ("held", "On Hold")],
        string="Quality Status",
        readonly=True,
        help="On Hold while the lot has an active quality hold.",
    )

    @api.model
    def _stock_query(self):
        """The rows, as SQL (also used by the overview). "Now" is the server's clock, as in
        the domains of the actions (PostgreSQL's ``now()`` is the transaction's start)."""
        now = fields.Datetime.to_string(fields.Datetime.now())
        return f"""
            SELECT quant.id AS id,
                   quant.lot_id AS lot_id,
                   quant.product_id AS product_id,
                   template.categ_id AS product_categ_id,
                   quant.location_id AS location_id,
                   location.warehouse_id AS warehouse_id,
                   quant.company_id AS company_id,
                   quant.quantity AS quantity,
                   template.uom_id AS product_uom_id,
                   company.currency_id AS currency_id,
                   quant.quantity * COALESCE(
                       (product.standard_price ->> quant.company_id::text)::numeric, 0
                   ) AS value,
                   lot.expiration_date AS expiration_date,
                   lot.alert_date AS alert_date,
                   date_trunc('week', lot.expiration_date)::date AS expiry_week,
                   (lot.expiration_date::date - ('{now}'::timestamp)::date) AS days_left,
                   CASE
                       WHEN lot.expiration_date <= '{now}'::timestamp THEN 'expired'
                       WHEN lot.alert_date <= '{now}'::timestamp THEN 'near_expiry'
                       ELSE 'ok'
                   END AS expiry_state,
                   COALESCE(lot.hold_state, 'free') AS hold_state
              FROM stock_quant quant
              JOIN stock_lot lot ON lot.id = quant.lot_id
              JOIN stock_location location ON location.id = quant.location_id
              JOIN product_product product ON product.id = quant.product_id
              JOIN product_template template ON template.id = product.product_tmpl_id
              JOIN res_company company ON company.id = quant.company_id
             WHERE location.usage = 'internal'
               AND quant.quantity > 0
               AND lot.expiration_date IS NOT NULL
        """

    @property
    def _table_query(self):
        return self._stock_query()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.model
    def _action(self, name, domain, context=None):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "stock_lot_traceability.stock_lot_expiry_report_action"
        )
        action.update(name=name, domain=domain, context=context or {})
        return action

    @api.model
    @api.readonly
    def action_open_expiring(self, days):
        now = fields.Datetime.now()
        return self._action(
            _("Expiring within %s days", days),
            [
                ("expiration_date", ">", now),
                ("expiration_date", "<=", fields.Datetime.add(now, days=days)),
            ],
        )

    def action_export_xlsx(self):
        """The selected rows (or all the rows of the report shown) as a spreadsheet."""
        rows = self or self.search(self._export_domain())
        xlsx = self.env["stock.recall.xlsx"]
        content = xlsx._table_workbook(_("Expiry"), self._export_headers(), rows._export_rows())
        stamp = fields.Datetime.now().strftime("%Y%m%d-%H%M%S")
        report = self.env.context.get("expiry_report", "stock")
        return xlsx._download(f"expiry-{report}-{stamp}.xlsx", content)

    @api.model
    def _export_headers(self):
        return [
            _("Lot"),
            _("Product"),
            _("Location"),
            _("Warehouse"),
            _("Expiration Date"),
            _("Alert Date"),
            _("Days Left"),
            _("Expiry"),
            _("Quality Status"),
            _("On Hand"),
            _("Unit"),
            _("Value"),
            _("Currency"),
        ]

    def _export_rows(self, batch_size=2000):
        """Rows for the workbook, read in batches (the cache is emptied between them)."""
        states = dict(self._fields["expiry_state"]._description_selection(self.env))
        holds = dict(self._fields["hold_state"]._description_selection(self.env))
        for start in range(0, len(self.ids), batch_size):
            batch = self.browse(self.ids[start : start + batch_size])
            for line in batch:
                yield [
                    line.lot_id.name,
                    line.product_id.display_name,
                    line.location_id.display_name,
                    line.warehouse_id.name or "",
                    line.expiration_date,
                    line.alert_date,
                    line.days_left,
                    states.get(line.expiry_state, ""),
                    holds.get(line.hold_state, ""),
                    line.quantity,
                    line.product_uom_id.name,
                    line.value,
                    line.currency_id.name,
                ]
            batch.invalidate_recordset()

    @api.model
    def _export_domain(self):
        state = self.env.context.get("expiry_report")
        return [("expiry_state", "=", state)] if state in ("near_expiry", "expired") else []
