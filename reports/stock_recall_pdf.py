import io
from datetime import datetime
from itertools import islice

import pytz
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from odoo import _, api, fields, models

GAP_RED = colors.HexColor("#C00000")
GAP_PINK = colors.HexColor("#FDECEA")
HEADER_BLUE = colors.HexColor("#D9E1F2")
FONT, BOLD_FONT, FONT_SIZE, LEADING, PADDING = "Helvetica", "Helvetica-Bold", 7, 8.5, 2
BLOCK_ROWS = 200  # rows per flowable: a page break splits one block, never a whole table
MAX_CELL_LINES = 40  # a longer text is cut (a row must fit on a page)
WRAP_MEMORY = 20000  # wrapped texts remembered per table


class _LazyStory(list):
    """The report's flowables, produced on demand.

    Platypus consumes its story from the front; this list is topped up from a generator
    as it empties, so the rows of a big table are read and laid out page by page instead
    of all being held in memory first.
    """

    def __init__(self, flowables, ahead=3):
        super().__init__()
        self._pending = iter(flowables)
        self._ahead = ahead

    def _top_up(self, count):
        while list.__len__(self) < count and self._pending is not None:
            flowable = next(self._pending, None)
            if flowable is None:
                self._pending = None
            else:
                self.append(flowable)

    def __len__(self):
        self._top_up(self._ahead)
        return list.__len__(self)

    def __getitem__(self, index):
        stop = index + 1 if isinstance(index, int) else index.stop
        self._top_up(max(stop or 0, self._ahead))
        return super().__getitem__(index)


class _RowBlock(Flowable):
    """A slice of a table, drawn as plain text in a grid, with the header row on top.

    Rows arrive wrapped (a list of lines per cell) with their height, so laying out and
    splitting a block is a sum over its rows: tens of thousands of rows cost linear time,
    where one platypus ``Table`` (a style object per cell, quadratic splitting) does not.
    """

    def __init__(self, header, rows, widths):
        super().__init__()
        self.header = header  # (cells, height)
        self.rows = rows  # [(cells, height, highlighted)]
        self.widths = widths

    def wrap(self, avail_width, avail_height):
        self.width = sum(self.widths)
        self.height = self.header[1] + sum(row[1] for row in self.rows)
        return self.width, self.height

    def split(self, avail_width, avail_height):
        used, count = self.header[1], 0
        for row in self.rows:
            if used + row[1] > avail_height:
                break
            used += row[1]
            count += 1
        if not count:
            return []
        return [
            _RowBlock(self.header, self.rows[:count], self.widths),
            _RowBlock(self.header, self.rows[count:], self.widths),
        ]

    def draw(self):
        canvas = self.canv
        right = sum(self.widths)
        lefts = [sum(self.widths[:index]) for index in range(len(self.widths))]
        header_height = self.header[1]
        canvas.setFillColor(HEADER_BLUE)
        canvas.rect(0, self.height - header_height, right, header_height, stroke=0, fill=1)
        canvas.setFillColor(GAP_PINK)
        top = self.height - header_height
        for _cells, height, highlighted in self.rows:
            if highlighted:
                canvas.rect(0, top - height, right, height, stroke=0, fill=1)
            top -= height
        text = canvas.beginText()
        text.setFillColor(colors.black)
        text.setFont(BOLD_FONT, FONT_SIZE)
        self._write_cells(text, self.header[0], lefts, self.height)
        text.setFont(FONT, FONT_SIZE)
        top = self.height - header_height
        for cells, height, highlighted in self.rows:
            if highlighted:
                text.setFillColor(GAP_RED)
            self._write_cells(text, cells, lefts, top)
            if highlighted:
                text.setFillColor(colors.black)
            top -= height
        canvas.drawText(text)
        self._draw_grid([*lefts, right])

    def _write_cells(self, text, cells, lefts, top):
        """Put the lines of a row into the block's one text object (a text object per
        string, as ``drawString`` makes, costs three times more on big tables)."""
        code, format_text = text._code, text._formatText
        for left, lines in zip(lefts, cells, strict=True):
            baseline = top - PADDING - FONT_SIZE
            for line in lines:
                if line:
                    code.append(
                        f"1 0 0 1 {fp_str(left + PADDING, baseline)} Tm {format_text(line)}"
                    )
                baseline -= LEADING

    def _draw_grid(self, edges):
        canvas = self.canv
        canvas.setStrokeColor(colors.grey)
        canvas.setLineWidth(0.25)
        path = canvas.beginPath()
        top = self.height
        for height in [self.header[1]] + [row[1] for row in self.rows]:
            path.moveTo(0, top)
            path.lineTo(edges[-1], top)
            top -= height
        path.moveTo(0, top)
        path.lineTo(edges[-1], top)
        for edge in edges:
            path.moveTo(edge, 0)
            path.lineTo(edge, self.height)
        canvas.drawPath(path, stroke=1, fill=0)


class StockRecallPdf(models.AbstractModel):
    """The recall report an auditor reads: case, timing, scope, customers, mass balance."""

    _name = "stock.recall.pdf"
    _description = "Recall Report"

    @api.model
    def _generate(self, recall):
        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer,
            pagesize=landscape(A4),
            leftMargin=12 * mm,
            rightMargin=12 * mm,
            topMargin=12 * mm,
            bottomMargin=12 * mm,
            title=recall.name,
            author=recall.company_id.name,
        )
        document.build(_LazyStory(self._story(recall)))
        return buffer.getvalue()

    def _story(self, recall):
        """The flowables of the report, in order; the big tables come block by block."""
        styles = self._styles()
        yield Paragraph(self._text(self._title(recall)), styles["title"])
        yield Paragraph(self._text(recall.company_id.name), styles["body"])
        yield Spacer(1, 4 * mm)
        yield self._key_values(recall, styles)
        sections = [
            (_("Affected lots"), recall._lot_table, False),
            (_("Customer deliveries"), recall._delivery_table, False),
            (_("Customer notification"), recall._customer_table, False),
            (_("Mass balance"), recall._mass_balance_table, True),
        ]
        for title, table, highlight in sections:
            yield Paragraph(self._text(title), styles["h2"])
            headers, rows = table()
            yield from self._data_blocks(recall, headers, rows, highlight, styles)
        yield Spacer(1, 8 * mm)
        yield self._signatures(styles)

    def _styles(self):
        sample = getSampleStyleSheet()
        return {
            "title": sample["Title"],
            "h2": sample["Heading2"],
            "cell": sample["BodyText"].clone("cell", fontSize=7, leading=8.5),
            "body": sample["BodyText"],
        }

    def _title(self, recall):
        kind = _("Mock recall (drill)") if recall.is_drill else _("Recall")
        return f"{kind} {recall.name}"

    def _text(self, value):
        text = "" if value in (None, False) else str(value)
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def _formatter(self, recall):
        """A function turning a cell value into its text, in the user's language and time
        zone (decimal and thousands separators, date format); built once per report."""
        lang = self.env["res.lang"]._get_data(code=self.env.lang or "en_US")
        separators = str.maketrans({",": lang.thousands_sep or "", ".": lang.decimal_point})
        date_format = f"{lang.date_format} {lang.time_format}"
        tz = recall._export_tz()
        yes = _("Yes")

        def format_value(value):
            if value is None or value is False:
                return ""
            if value is True:
                return yes
            if isinstance(value, datetime):
                return pytz.utc.localize(value).astimezone(tz).strftime(date_format)
            if isinstance(value, float):
                text = f"{value:,.3f}".rstrip("0").rstrip(".")
                return "0" if text == "-0" else text.translate(separators)
            return str(value)

        return format_value

    def _cell(self, format_value, value, styles):
        return Paragraph(self._text(format_value(value)), styles["cell"])

    def _key_values(self, recall, styles):
        format_value = self._formatter(recall)
        rows = [
            [self._cell(format_value, label, styles), self._cell(format_value, value, styles)]
            for label, value in recall._summary_rows()
        ]
        table = Table(rows, colWidths=[70 * mm, 190 * mm])
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (0, -1), HEADER_BLUE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return table

    def _data_blocks(self, recall, headers, rows, highlight, styles):
        """The table's rows as blocks of ``BLOCK_ROWS``, formatted and wrapped as they come.

        ``highlight``: the last column flags the row (mass-balance gap) in red."""
        width = (landscape(A4)[0] - 24 * mm) / len(headers)
        widths = [width] * len(headers)
        format_value = self._formatter(recall)
        header = self._wrap_row(headers, width, BOLD_FONT, {})
        known = {}  # text: its lines (names, units, products repeat over thousands of rows)
        rows = iter(rows)
        empty = True
        while block := list(islice(rows, BLOCK_ROWS)):
            empty = False
            wrapped = []
            for values in block:
                texts = [format_value(value) for value in values]
                cells, height = self._wrap_row(texts, width, FONT, known)
                wrapped.append((cells, height, bool(highlight and values[-1])))
            yield _RowBlock(header, wrapped, widths)
        if empty:
            yield Paragraph(self._text(_("None.")), styles["body"])

    def _wrap_row(self, texts, width, font, known):
        """``(lines per cell, row height)``: a text wider than its column is wrapped.
        ``known`` remembers the lines of texts already seen (kept to a bounded size)."""
        room = width - 2 * PADDING
        cells = []
        for text in texts:
            lines = known.get(text)
            if lines is None:
                lines = self._wrap_text(text, font, room)
                if len(known) >= WRAP_MEMORY:
                    known.clear()
                known[text] = lines
            cells.append(lines)
        lines = max(len(cell) for cell in cells)
        return cells, lines * LEADING + 2 * PADDING

    def _wrap_text(self, text, font, room):
        if stringWidth(text, font, FONT_SIZE) <= room:
            return (text,)
        lines = simpleSplit(text, font, FONT_SIZE, room) or [""]
        if len(lines) > MAX_CELL_LINES:
            lines = [*lines[: MAX_CELL_LINES - 1], "[…]"]
        return lines

    def _signatures(self, styles):
        labels = [_("Prepared by (QA)"), _("Approved by (Quality Manager)"), _("Date")]
        rows = [
            [Paragraph(self._text(label), styles["body"]) for label in labels],
            ["", "", ""],
            ["_" * 30, "_" * 30, "_" * 20],
        ]
        table = Table(
            rows, colWidths=[90 * mm, 90 * mm, 70 * mm], rowHeights=[8 * mm, 14 * mm, 6 * mm]
        )
        return KeepTogether(
            [
                Paragraph(self._text(_("Sign-off")), styles["h2"]),
                Paragraph(
                    self._text(
                        _("Generated on %s", fields.Datetime.now().strftime("%Y-%m-%d %H:%M UTC"))
                    ),
                    styles["cell"],
                ),
                table,
            ]
        )
