import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytz
from lxml import etree

from odoo.tests import BaseCase, tagged

from ..reports.xlsx_stream import MAX_CELL_CHARS, TRUNCATED, StreamingWorkbook, column_name


@tagged("post_install", "-at_install")
class TestXlsxStream(BaseCase):
    """The addon's streaming workbook writer, read back by openpyxl as a user's
    spreadsheet would read it."""

    def _workbook(self, write):
        output = io.BytesIO()
        workbook = StreamingWorkbook(output)
        write(workbook)
        workbook.close()
        return output.getvalue()

    def test_values_of_every_kind_read_back_as_written(self):
        brussels = pytz.timezone("Europe/Brussels")

        def write(workbook):
            sheet = workbook.add_sheet("Deliveries", widths=(12, 30))
            sheet.write_row(
                ["Lot", "Customer", "Qty", "Shipped", "Best before", "Held"], styles=["header"] * 6
            )
            sheet.write_row(
                [
                    "L<1>&2",
                    'Café "Chez Nous"',
                    12.5,
                    datetime(2026, 7, 1, 22, 30),
                    date(2026, 12, 31),
                    True,
                ],
                tz=brussels,
                yes="Oui",
            )
            sheet.write_row(["L3", None, 0, False, None, False], tz=brussels)
            sheet.autofilter()

        content = self._workbook(write)
        sheet = openpyxl.load_workbook(io.BytesIO(content))["Deliveries"]
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0], ("Lot", "Customer", "Qty", "Shipped", "Best before", "Held"))
        # the datetime is stored in UTC and shown in the user's time zone (summer: +2)
        self.assertEqual(
            rows[1],
            ("L<1>&2", 'Café "Chez Nous"', 12.5, datetime(2026, 7, 2, 0, 30), "2026-12-31", "Oui"),
        )
        self.assertEqual(rows[2], ("L3", None, 0, None, None, None))
        self.assertEqual(sheet.freeze_panes, "A2")
        self.assertEqual(sheet.auto_filter.ref, "A1:F3")
        self.assertTrue(sheet["A1"].font.b)
        self.assertEqual(sheet["D2"].number_format, "yyyy\\-mm\\-dd\\ hh:mm")
        self.assertEqual(sheet.column_dimensions["B"].width, 30)

    def test_texts_excel_cannot_hold_are_made_safe(self):
        def write(workbook):
            sheet = workbook.add_sheet("Notes")
            sheet.write_row(["x" * (MAX_CELL_CHARS + 10), "bell\x07 and _x0041_"])

        content = self._workbook(write)
        first, second = next(
            openpyxl.load_workbook(io.BytesIO(content))["Notes"].iter_rows(values_only=True)
        )
        self.assertEqual(len(first), MAX_CELL_CHARS)
        self.assertTrue(first.endswith(TRUNCATED))
        # a control character is written as Excel's escape; a literal escape stays literal
        self.assertEqual(second, "bell_x0007_ and _x005F_x0041_")
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                if name.endswith(".xml") or name.endswith(".rels"):
                    etree.fromstring(archive.read(name))  # every part is well-formed XML

    def test_sheet_titles_are_valid_and_unique(self):
        def write(workbook):
            for title in ["Lots: 2026/07 [A]", "Lots: 2026/07 [A]", "A" * 40, "'quoted'"]:
                workbook.add_sheet(title).write_row(["x"])

        names = openpyxl.load_workbook(io.BytesIO(self._workbook(write))).sheetnames
        self.assertEqual(names, ["Lots  2026 07  A", "Lots  2026 07  A (2)", "A" * 31, "quoted"])

    def test_column_names(self):
        self.assertEqual(
            [column_name(index) for index in (0, 25, 26, 51, 52, 701, 702)],
            ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"],
        )
