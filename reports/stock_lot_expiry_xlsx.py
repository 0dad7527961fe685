import os
import tempfile

import pytz
import xlsxwriter

from odoo import _, api, models


class StockLotExpiryXlsx(models.AbstractModel):
    """The near-expiry / expired stock spreadsheet, written like the recall workbook
    (reports/stock_recall_xlsx.py): xlsxwriter's ``constant_memory`` mode into a temporary
    file, rows read in batches, so a large stock never sits in memory at once."""

    _name = "stock.lot.expiry.xlsx"
    _description = "Lot Expiry Spreadsheet"

    _BATCH = 2000

    @api.model
    def _headers(self):
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

    @api.model
    def _generate(self, rows):
        states = dict(rows._fields["expiry_state"]._description_selection(self.env))
        holds = dict(rows._fields["hold_state"]._description_selection(self.env))
        tz = pytz.timezone(self.env.user.tz or "UTC")
        with tempfile.TemporaryDirectory(prefix="stock_lot_expiry_xlsx_") as folder:
            path = os.path.join(folder, "expiry.xlsx")
            workbook = xlsxwriter.Workbook(
                path, {"constant_memory": True, "tmpdir": folder, "remove_timezone": True}
            )
            header = workbook.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
            date = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
            number = workbook.add_format({"num_format": "#,##0.###"})
            sheet = workbook.add_worksheet(_("Expiry"))
            headers = self._headers()
            for col, title in enumerate(headers):
                sheet.write(0, col, title, header)
                sheet.set_column(col, col, max(12, len(title) + 4))
            row = 0
            for start in range(0, len(rows), self._BATCH):
                for line in rows[start : start + self._BATCH]:
                    row += 1
                    values = [
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
                    for col, value in enumerate(values):
                        if hasattr(value, "year"):
                            local = pytz.utc.localize(value).astimezone(tz).replace(tzinfo=None)
                            sheet.write_datetime(row, col, local, date)
                        elif isinstance(value, (int, float)) and not isinstance(value, bool):
                            sheet.write_number(row, col, value, number)
                        elif value:
                            sheet.write_string(row, col, str(value))
                        else:
                            sheet.write_blank(row, col, None)
                rows[start : start + self._BATCH].invalidate_recordset()
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, max(row, 1), len(headers) - 1)
            workbook.close()
            with open(path, "rb") as file:
                return file.read()
