from odoo import _, api, fields, models
from odoo.tools import SQL


class StockAdjustmentReport(models.Model):
    """Adjustments by lot and reason: one row per done inventory move line of a lot,
    signed (a gain is positive, a loss negative), with its reason and value."""

    _name = "stock.adjustment.report"
    _description = "Adjustments by Lot and Reason"
    _auto = False
    _order = "date desc, id desc"

    date = fields.Datetime(readonly=True, help="When the count was applied.")
    move_id = fields.Many2one(
        "stock.move",
        string="Stock Move",
        readonly=True,
        help="The inventory move that applied the count.",
    )
    lot_id = fields.Many2one("stock.lot", readonly=True, help="The lot counted.")
    product_id = fields.Many2one("product.product", readonly=True, help="The product counted.")
    product_uom_id = fields.Many2one(
        "uom.uom", string="Unit", readonly=True, help="The product's unit of measure."
    )
    location_id = fields.Many2one("stock.location", readonly=True, help="The location counted.")
    reason_id = fields.Many2one(
        "stock.adjustment.reason",
        readonly=True,
        help="The reason given when the count was applied.",
    )
    direction = fields.Selection(
        [("gain", "Gain"), ("loss", "Loss")],
        readonly=True,
        help="Gain: more counted than in stock. Loss: less.",
    )
    quantity = fields.Float(
        digits="Product Unit of Measure",
        readonly=True,
        help="Quantity gained or lost, in the product's unit.",
    )
    currency_id = fields.Many2one("res.currency", readonly=True, help="Currency of the value.")
    value = fields.Monetary(readonly=True, help="Value of the quantity at the product's cost.")
    user_id = fields.Many2one(
        "res.users", string="Applied By", readonly=True, help="Who applied the count."
    )
    company_id = fields.Many2one(
        "res.company", readonly=True, help="The company of the adjustment."
    )

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT ml.id, ml.date, ml.move_id, ml.lot_id, ml.product_id,
                   tmpl.uom_id AS product_uom_id,
                   CASE WHEN src.usage IN ('internal', 'transit')
                        THEN ml.location_id ELSE ml.location_dest_id END AS location_id,
                   m.adjustment_reason_id AS reason_id,
                   CASE WHEN src.usage IN ('internal', 'transit')
                        THEN 'loss' ELSE 'gain' END AS direction,
                   CASE WHEN src.usage IN ('internal', 'transit')
                        THEN -ml.quantity_product_uom ELSE ml.quantity_product_uom END
                       AS quantity,
                   company.currency_id,
                   m.adjustment_value * ml.quantity_product_uom
                       / NULLIF(SUM(ml.quantity_product_uom) OVER (PARTITION BY ml.move_id), 0)
                       AS value,
                   m.create_uid AS user_id, ml.company_id
              FROM stock_move_line ml
              JOIN stock_move m ON m.id = ml.move_id
              JOIN stock_location src ON src.id = ml.location_id
              JOIN product_product prod ON prod.id = ml.product_id
              JOIN product_template tmpl ON tmpl.id = prod.product_tmpl_id
              JOIN res_company company ON company.id = ml.company_id
             WHERE m.is_inventory AND ml.state = 'done' AND ml.lot_id IS NOT NULL
            """
        )

    @api.model
    def _search(self, domain, *args, **kwargs):
        # the view reads moves and move lines: write what is pending there first
        self.env.flush_all()
        return super()._search(domain, *args, **kwargs)

    @api.model
    def _read_group(self, domain, *args, **kwargs):
        self.env.flush_all()
        return super()._read_group(domain, *args, **kwargs)

    def action_export_xlsx(self):
        """The rows selected (else those of the list's filters) as an XLSX download."""
        rows = self or self.search(self.env.context.get("active_domain") or [])
        xlsx = self.env["stock.recall.xlsx"]
        content = xlsx._table_workbook(
            _("Adjustments"), rows._export_headers(), rows._export_rows()
        )
        return xlsx._download(
            _("Adjustments by lot and reason %s.xlsx", fields.Date.today()), content
        )

    def _export_rows(self, batch_size=1000):
        """Rows for the workbook, read in batches (the cache is emptied between them)."""
        for start in range(0, len(self.ids), batch_size):
            batch = self.browse(self.ids[start : start + batch_size])
            for line in batch:
                yield [
                    line.date,
                    line.lot_id.name,
                    line.product_id.display_name,
                    line.location_id.display_name,
                    line.reason_id.name or "",
                    dict(self._fields["direction"]._description_selection(self.env))[
                        line.direction
                    ],
                    line.quantity,
                    line.product_uom_id.name,
                    line.value,
                    line.currency_id.name,
                    line.user_id.name or "",
                ]
            batch.invalidate_recordset()

    @api.model
    def _export_headers(self):
        return [
            _("Date"),
            _("Lot"),
            _("Product"),
            _("Location"),
            _("Reason"),
            _("Direction"),
            _("Quantity"),
            _("Unit"),
            _("Value"),
            _("Currency"),
            _("Applied By"),
        ]
