import io

import xlsxwriter

from odoo import _, api, models


class StockRecallXlsx(models.AbstractModel):
    """The recall workbook: one sortable, filterable sheet per part of the evidence."""

    _name = "stock.recall.xlsx"
    _description = "Recall Workbook"

    @api.model
    def _generate(self, recall):
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True, "remove_timezone": True})
        formats = {
            "header": workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
            "number": workbook.add_format({"num_format": "#,##0.###"}),
            "gap": workbook.add_format({"num_format": "#,##0.###", "font_color": "#C00000"}),
            "bold": workbook.add_format({"bold": True}),
        }
        self._write_summary(workbook, formats, recall)
        for title, headers, rows in self._tables(recall):
            self._write_table(workbook, formats, title, headers, rows)
        workbook.close()
        return output.getvalue()

    def _write_summary(self, workbook, formats, recall):
        sheet = workbook.add_worksheet(_("Summary"))
        sheet.set_column(0, 0, 32)
        sheet.set_column(1, 1, 70)
        sheet.write(0, 0, _("Recall"), formats["header"])
        sheet.write(0, 1, recall.name, formats["header"])
        sheet.freeze_panes(1, 0)
        for row, (label, value) in enumerate(recall._summary_rows(), start=1):
            sheet.write(row, 0, label, formats["bold"])
            self._write_cell(sheet, row, 1, value, formats)

    def _write_table(self, workbook, formats, title, headers, rows):
        sheet = workbook.add_worksheet(title)
        for col, header in enumerate(headers):
            sheet.write(0, col, header, formats["header"])
            sheet.set_column(col, col, max(12, len(header) + 4))
        for row, values in enumerate(rows, start=1):
            for col, value in enumerate(values):
                self._write_cell(sheet, row, col, value, formats)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(rows), 1), len(headers) - 1)

    def _write_cell(self, sheet, row, col, value, formats):
        if value is None or value is False:
            sheet.write_blank(row, col, None)
        elif hasattr(value, "year") and hasattr(value, "hour"):
            sheet.write_datetime(row, col, value, formats["date"])
        elif isinstance(value, bool):
            sheet.write(row, col, _("Yes") if value else _("No"))
        elif isinstance(value, (int, float)):
            sheet.write_number(row, col, value, formats["number"])
        else:
            sheet.write_string(row, col, str(value))

    def _tables(self, recall):
        return [
            (_("Affected lots"), *recall._lot_table()),
            (_("Deliveries"), *recall._delivery_table()),
            (_("Customers"), *recall._customer_table()),
            (_("Mass balance"), *recall._mass_balance_table()),
            (_("FSMA 204"), *recall._fsma_204_table()),
        ]
