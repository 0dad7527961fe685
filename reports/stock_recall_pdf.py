import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from odoo import _, api, fields, models
from odoo.tools import format_datetime
from odoo.tools.misc import formatLang

GAP_RED = colors.HexColor("#C00000")
HEADER_BLUE = colors.HexColor("#D9E1F2")


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
        styles = self._styles()
        story = [
            Paragraph(self._text(self._title(recall)), styles["title"]),
            Paragraph(self._text(recall.company_id.name), styles["body"]),
            Spacer(1, 4 * mm),
            self._key_values(recall, styles),
        ]
        sections = [
            (_("Affected lots"), recall._lot_table(), None),
            (_("Customer deliveries"), recall._delivery_table(), None),
            (_("Customer notification"), recall._customer_table(), None),
            (_("Mass balance"), recall._mass_balance_table(), "gap"),
        ]
        for title, (headers, rows), highlight in sections:
            story += [Paragraph(self._text(title), styles["h2"])]
            story += [self._data_table(recall, headers, rows, highlight, styles)]
        story += [Spacer(1, 8 * mm), self._signatures(styles)]
        document.build(story)
        return buffer.getvalue()

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

    def _format(self, recall, value):
        if value is None or value is False:
            return ""
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if hasattr(value, "hour"):
            return format_datetime(self.env, value, tz=recall.user_id.tz or "UTC")
        if isinstance(value, float):
            return formatLang(self.env, value, digits=3).rstrip("0").rstrip(".")
        return str(value)

    def _cell(self, recall, value, styles):
        return Paragraph(self._text(self._format(recall, value)), styles["cell"])

    def _key_values(self, recall, styles):
        rows = [
            [self._cell(recall, label, styles), self._cell(recall, value, styles)]
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

    def _data_table(self, recall, headers, rows, highlight, styles):
        if not rows:
            return Paragraph(self._text(_("None.")), styles["body"])
        data = [[self._cell(recall, header, styles) for header in headers]]
        data += [[self._cell(recall, value, styles) for value in row] for row in rows]
        width = (landscape(A4)[0] - 24 * mm) / len(headers)
        table = Table(data, colWidths=[width] * len(headers), repeatRows=1)
        style = [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_BLUE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if highlight == "gap":
            for index, row in enumerate(rows, start=1):
                if row[-1]:
                    style.append(("TEXTCOLOR", (0, index), (-1, index), GAP_RED))
                    style.append(
                        ("BACKGROUND", (0, index), (-1, index), colors.HexColor("#FDECEA"))
                    )
        table.setStyle(TableStyle(style))
        return table

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
