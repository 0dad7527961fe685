from odoo import _, fields, models
from odoo.tools import SQL, split_every

from . import evidence


class RecordNames:
    """Texts of the records many export rows share (customers, products, units,
    addresses), computed once per record with the ORM, so they read as in Odoo."""

    def __init__(self, model, compute=None, many=None):
        self.model = model
        self.many = many or (
            lambda records: {
                record.id: (compute(record) if compute else record.display_name) or ""
                for record in records
            }
        )
        self.known = {}

    def load(self, ids):
        missing = {record_id for record_id in ids if record_id and record_id not in self.known}
        if missing:
            self.known.update(self.many(self.model.browse(sorted(missing))))

    def __getitem__(self, record_id):
        return self.known.get(record_id, "") if record_id else ""


class StockRecall(models.Model):
    """A recall's evidence: the tables the workbook and the PDF report are made of, and
    the stored exports."""

    _inherit = "stock.recall"

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

    def _stream(self, line_ids, query, names, build_row, batch_size=2000):
        """The rows of the lines ``line_ids`` (in the table's order), a batch at a time.

        ``query(batch)``: one SQL reading the batch's raw columns, the line id first.
        ``names``: ``[(column index, _Names)]``, the names of the records many rows share
        (customers, products), looked up once each through the ORM so that they read as
        everywhere else in Odoo. Rows are tuples of plain values, so memory stays flat
        and no record of the tens of thousands of lines is ever built.
        """
        for batch in split_every(batch_size, line_ids):
            self.env.cr.execute(query(list(batch)))
            by_id = {row[0]: row for row in self.env.cr.fetchall()}
            for column, known in names:
                known.load(row[column] for row in by_id.values())
            for line_id in batch:
                yield build_row(by_id[line_id])

    def _ordered_ids(self, model_name, domain):
        """Ids of the lines of ``domain`` in the model's order (one query)."""
        return list(self.env[model_name].with_context(active_test=False)._search(domain))

    def _names(self, model_name, compute=None):
        return RecordNames(self.env[model_name].with_context(active_test=False), compute)

    def _labels(self, model_name, field_name):
        field = self.env[model_name]._fields[field_name]
        return dict(field._description_selection(self.env))

    def _current_lines(self):
        return [("recall_id", "=", self.id), ("superseded", "=", False)]

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
        products, units = self._names("product.product"), self._product_units()
        hold_states = self._labels("stock.lot", "hold_state")

        def query(ids):
            return SQL(
                """
                SELECT line.id, line.depth, lot.name, line.product_id, lot.expiration_date,
                       line.on_hand_qty, line.on_hand_locations, lot.hold_state
                  FROM stock_recall_lot line
                  JOIN stock_lot lot ON lot.id = line.lot_id
                 WHERE line.id = ANY(%s)
                """,
                ids,
            )

        def row(values):
            _id, depth, lot, product_id, expiration, on_hand, locations, hold_state = values
            return [
                depth,
                lot,
                products[product_id],
                expiration,
                on_hand,
                units[product_id],
                locations,
                hold_states.get(hold_state, ""),
            ]

        line_ids = self._ordered_ids("stock.recall.lot", self._current_lines())
        return headers, self._stream(line_ids, query, [(3, products), (3, units)], row)

    def _product_units(self):
        return self._names("product.product", lambda product: product.uom_id.name)

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
        partners, products, units = (
            self._names("res.partner"),
            self._names("product.product"),
            self._product_units(),
        )
        sales = self._names("sale.order")

        def row(values):
            (
                _id,
                customer_id,
                ship_to_id,
                picking,
                sale_id,
                lot,
                product_id,
                quantity,
                returned,
                net,
                date_done,
            ) = values[:11]
            return [
                partners[customer_id],
                partners[ship_to_id],
                picking or "",
                sales[sale_id],
                lot,
                products[product_id],
                quantity,
                returned,
                net,
                units[product_id],
                date_done,
            ]

        names = [(1, partners), (2, partners), (4, sales), (6, products), (6, units)]
        return headers, self._stream(self._delivery_ids(), self._delivery_query, names, row)

    def _delivery_ids(self):
        return self._ordered_ids("stock.recall.delivery", self._current_lines())

    def _delivery_query(self, ids):
        return SQL(
            """
            SELECT line.id, line.partner_id, COALESCE(picking.partner_id, move.partner_id),
                   picking.name, sale_line.order_id, lot.name, line.product_id, line.quantity,
                   line.returned_qty, line.net_qty, line.date_done, line.lot_id, ml.location_id
              FROM stock_recall_delivery line
              JOIN stock_lot lot ON lot.id = line.lot_id
              JOIN stock_move_line ml ON ml.id = line.move_line_id
              LEFT JOIN stock_move move ON move.id = ml.move_id
              LEFT JOIN stock_picking picking ON picking.id = ml.picking_id
              LEFT JOIN sale_order_line sale_line ON sale_line.id = move.sale_line_id
             WHERE line.id = ANY(%s)
            """,
            ids,
        )

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
        partners, products, units = (
            self._names("res.partner"),
            self._names("product.product"),
            self._product_units(),
        )
        states = self._labels("stock.recall.partner", "state")

        def query(ids):
            return SQL(
                """
                SELECT line.id, customer.partner_id, customer.email, line.product_id,
                       line.shipped_qty, customer.state, customer.notified_at,
                       customer.acknowledged_at, line.returned_qty, line.accounted_qty,
                       line.recovered_qty, customer.waive_reason
                  FROM stock_recall_partner_product line
                  JOIN stock_recall_partner customer ON customer.id = line.partner_line_id
                 WHERE line.id = ANY(%s)
                """,
                ids,
            )

        def row(values):
            (
                _id,
                partner_id,
                email,
                product_id,
                shipped,
                state,
                notified,
                acknowledged,
                returned,
                accounted,
                recovered,
                waive_reason,
            ) = values
            return [
                partners[partner_id],
                email,
                products[product_id],
                shipped,
                units[product_id],
                states.get(state, ""),
                notified,
                acknowledged,
                returned,
                accounted,
                recovered,
                waive_reason,
            ]

        line_ids = self._ordered_ids("stock.recall.partner.product", [("recall_id", "=", self.id)])
        return headers, self._stream(
            line_ids, query, [(1, partners), (3, products), (3, units)], row
        )

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
        products = self._names("product.product")

        def query(ids):
            return SQL(
                """
                SELECT line.id, lot.name, line.product_id, line.received_qty, line.produced_qty,
                       line.returned_qty, line.adjusted_qty, line.on_hand_qty, line.shipped_qty,
                       line.consumed_qty, line.scrapped_qty, line.mass_balance_gap,
                       line.has_mass_balance_gap
                  FROM stock_recall_lot line
                  JOIN stock_lot lot ON lot.id = line.lot_id
                 WHERE line.id = ANY(%s)
                """,
                ids,
            )

        def row(values):
            return [values[1], products[values[2]], *values[3:12], bool(values[12])]

        line_ids = self._ordered_ids("stock.recall.lot", self._current_lines())
        return headers, self._stream(line_ids, query, [(2, products)], row)

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
