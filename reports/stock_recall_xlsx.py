import io

import pytz

from odoo import _, api, models

from .xlsx_stream import StreamingWorkbook


class StockRecallXlsx(models.AbstractModel):
    """The recall workbook: one sortable, filterable sheet per part of the evidence.

    Written by the streaming writer of ``xlsx_stream.py``: each row goes into the archive
    as soon as it is read, so the rows (streamed in batches by the recall's table methods)
    never sit in memory together.
    """

    _name = "stock.recall.xlsx"
    _description = "Recall Workbook"

    @api.model
    def _generate(self, recall):
        def write(workbook, options):
            self._write_summary(workbook, options, recall)
            for title, headers, rows in self._tables(recall):
                self._write_table(workbook, options, title, headers, rows)

        return self._write_workbook(write, recall._export_tz())

    @api.model
    def _table_workbook(self, title, headers, rows):
        """A one-sheet workbook of ``rows`` (lists of values), written like the recall's:
        the other reports of the addon (adjustments, expiry) export through it."""
        tz = pytz.timezone(self.env.user.tz or "UTC")
        return self._write_workbook(
            lambda workbook, options: self._write_table(workbook, options, title, headers, rows),
            tz,
        )

    @api.model
    def _write_workbook(self, write, tz):
        """XLSX bytes of what ``write(workbook, options)`` writes; dates are written in
        ``tz`` (``options``: the time zone and the word for a true value)."""
        output = io.BytesIO()
        workbook = StreamingWorkbook(output)
        write(workbook, {"tz": tz, "yes": _("Yes")})
        workbook.close()
        return output.getvalue()

    @api.model
    def _download(self, name, content):
        """Store ``content`` as the attachment ``name`` and return the action downloading it."""
        attachment = self.env["ir.attachment"].create(
            {
                "name": name,
                "raw": content,
                "mimetype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def _write_summary(self, workbook, options, recall):
        sheet = workbook.add_sheet(_("Summary"), widths=(32, 70))
        sheet.write_row([_("Recall"), recall.name], styles=("header", "header"))
        for label, value in recall._summary_rows():
            sheet.write_row([label, value], styles=("bold", None), **options)
        sheet.write_row([_("Dates and times in"), options["tz"].zone], styles=("bold", None))

    def _write_table(self, workbook, options, title, headers, rows):
        widths = [max(12, len(header) + 4) for header in headers]
        sheet = workbook.add_sheet(title, widths=widths)
        sheet.write_row(headers, styles=["header"] * len(headers))
        write_row = sheet.write_row
        for values in rows:
            write_row(values, **options)
        sheet.autofilter()

    def _tables(self, recall):
        return [
            (_("Affected lots"), *recall._lot_table()),
            (_("Deliveries"), *recall._delivery_table()),
            (_("Customers"), *recall._customer_table()),
            (_("Mass balance"), *recall._mass_balance_table()),
            (_("FSMA 204"), *recall._fsma_204_table()),
        ]
