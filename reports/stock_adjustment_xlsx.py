import os
import tempfile

import pytz
import xlsxwriter

from odoo import _, api, models


class StockAdjustmentXlsx(models.AbstractModel):
    """The "Adjustments by lot and reason" workbook, streamed like the recall workbook:
    xlsxwriter's ``constant_memory`` mode into a temporary file, rows read in batches."""

    _name = "stock.adjustment.xlsx"
    _description = "Adjustments Workbook"

    @api.model
    def _generate(self, rows):
        """XLSX bytes of ``rows`` (``stock.adjustment.report`` records)."""
        xlsx = self.env["stock.recall.xlsx"]
        tz = pytz.timezone(self.env.user.tz or "UTC")
        with tempfile.TemporaryDirectory(prefix="stock_adjustment_xlsx_") as folder:
            path = os.path.join(folder, "adjustments.xlsx")
            workbook = xlsxwriter.Workbook(
                path, {"constant_memory": True, "tmpdir": folder, "remove_timezone": True}
            )
            formats = {
                "header": workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1}),
                "date": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
                "number": workbook.add_format({"num_format": "#,##0.###"}),
                "tz": tz,
                "yes": _("Yes"),
            }
            xlsx._write_table(
                workbook,
                formats,
                _("Adjustments"),
                rows._export_headers(),
                rows._export_rows(),
            )
            workbook.close()
            with open(path, "rb") as file:
                return file.read()
