import os
import tempfile
from datetime import datetime

import pytz
import xlsxwriter

from odoo import _, api, models

# Excel refuses longer cells; a longer text is cut and ends with this mark
MAX_CELL_CHARS = 32767
TRUNCATED = " […] (truncated)"


class StockRecallXlsx(models.AbstractModel):
    """The recall workbook: one sortable, filterable sheet per part of the evidence.

    Written in xlsxwriter's ``constant_memory`` mode into a temporary file: each row is
    flushed as soon as the next one starts, so the rows (streamed in batches by the
    recall's table methods) never sit in memory together.
    """

    _name = "stock.recall.xlsx"
    _description = "Recall Workbook"

    @api.model
    def _generate(self, recall):
        def write(workbook, formats):
            self._write_summary(workbook, formats, recall)
            for title, headers, rows in self._tables(recall):
                self._write_table(workbook, formats, title, headers, rows)

        return self._write_workbook(write, recall._export_tz())

    @api.model
    def _table_workbook(self, title, headers, rows):
        """A one-sheet workbook of ``rows`` (lists of values), written like the recall's:
        the other reports of the addon (adjustments, expiry) export through it."""
        tz = pytz.timezone(self.env.user.tz or "UTC")
        return self._write_workbook(
            lambda workbook, formats: self._write_table(workbook, formats, title, headers, rows),
            tz,
        )

    @api.model
    def _write_workbook(self, write, tz):
        """XLSX bytes of what ``write(workbook, formats)`` writes, in ``constant_memory``
        mode into a temporary file; dates are written in ``tz``."""
        with tempfile.TemporaryDirectory(prefix="stock_lot_traceability_xlsx_") as folder:
            path = os.path.join(folder, "export.xlsx")
            workbook = xlsxwriter.Workbook(
                path, {"constant_memory": True, "tmpdir": folder, "remove_timezone": True}
            )
            formats = {
                "header": workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1}),
                "date": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
                "number": workbook.add_format({"num_format": "#,##0.###"}),
                "gap": workbook.add_format({"num_format": "#,##0.###", "font_color": "#C00000"}),
                "bold": workbook.add_format({"bold": True}),
                "tz": tz,
                "yes": _("Yes"),
            }
            write(workbook, formats)
            workbook.close()
            with open(path, "rb") as file:
                return file.read()

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

    def _write_summary(self, workbook, formats, recall):
        sheet = workbook.add_worksheet(_("Summary"))
        sheet.set_column(0, 0, 32)
        sheet.set_column(1, 1, 70)
        sheet.write(0, 0, _("Recall"), formats["header"])
        sheet.write(0, 1, recall.name, formats["header"])
        sheet.freeze_panes(1, 0)
        row = 0
        for row, (label, value) in enumerate(recall._summary_rows(), start=1):
            sheet.write(row, 0, label, formats["bold"])
            self._write_cell(sheet, row, 1, value, formats)
        sheet.write(row + 1, 0, _("Dates and times in"), formats["bold"])
        sheet.write_string(row + 1, 1, formats["tz"].zone)

    def _write_table(self, workbook, formats, title, headers, rows):
        sheet = workbook.add_worksheet(title)
        for col, header in enumerate(headers):
            sheet.write(0, col, header, formats["header"])
            sheet.set_column(col, col, max(12, len(header) + 4))
        count = 0
        write_string, write_cell = sheet.write_string, self._write_cell
        for count, values in enumerate(rows, start=1):
            for col, value in enumerate(values):
                # most cells are short texts: written without the type dispatch
                if value.__class__ is str and len(value) <= MAX_CELL_CHARS:
                    write_string(count, col, value)
                else:
                    write_cell(sheet, count, col, value, formats)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(count, 1), len(headers) - 1)

    def _write_cell(self, sheet, row, col, value, formats):
        if isinstance(value, str):
            sheet.write_string(row, col, self._cell_text(value))
        elif value is None or value is False:
            sheet.write_blank(row, col, None)
        elif value is True:
            sheet.write_string(row, col, formats["yes"])
        elif isinstance(value, (int, float)):
            sheet.write_number(row, col, value, formats["number"])
        elif isinstance(value, datetime):
            local = pytz.utc.localize(value).astimezone(formats["tz"]).replace(tzinfo=None)
            sheet.write_datetime(row, col, local, formats["date"])
        else:
            sheet.write_string(row, col, self._cell_text(str(value)))

    def _cell_text(self, text):
        if len(text) > MAX_CELL_CHARS:
            return text[: MAX_CELL_CHARS - len(TRUNCATED)] + TRUNCATED
        return text

    def _tables(self, recall):
        return [
            (_("Affected lots"), *recall._lot_table()),
            (_("Deliveries"), *recall._delivery_table()),
            (_("Customers"), *recall._customer_table()),
            (_("Mass balance"), *recall._mass_balance_table()),
            (_("FSMA 204"), *recall._fsma_204_table()),
        ]
