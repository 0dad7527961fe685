import pytz

from odoo import _, fields, models
from odoo.tools import split_every

from . import evidence


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
