import base64
import io
from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas as pdf_canvas
from reportlab.platypus import (
    Flowable,
    Image,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from odoo import _, api, fields, models

from .stock_recall_pdf import GAP_RED, HEADER_BLUE

PASS_GREEN = colors.HexColor("#1E7B34")
MARGIN = 15 * mm


class _CertificateStart(Flowable):
    """Invisible marker opening a certificate: the pages after it, until the next marker,
    are numbered "page x of y" within this certificate."""

    def __init__(self, number):
        super().__init__()
        self.number = number

    def wrap(self, avail_width, avail_height):
        return 0, 0

    def draw(self):
        self.canv._coa_number = self.number


class _NumberedCanvas(pdf_canvas.Canvas):
    """Draws the footer once the document is laid out, when each certificate's page
    count is known (reportlab's two-pass "page x of y" recipe)."""

    def __init__(self, *args, footer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._coa_number = ""
        self._pages = []
        self._footer = footer

    def showPage(self):
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        totals = {}
        for page in self._pages:
            totals[page["_coa_number"]] = totals.get(page["_coa_number"], 0) + 1
        seen = {}
        for page in self._pages:
            self.__dict__.update(page)
            number = self._coa_number
            seen[number] = seen.get(number, 0) + 1
            self._footer(self, number, seen[number], totals[number])
            super().showPage()
        super().save()


class StockLotCoaPdf(models.AbstractModel):
    """The Certificate of Analysis of a lot, built with reportlab (not QWeb)."""

    _name = "stock.lot.coa.pdf"
    _description = "Certificate of Analysis"

    @api.model
    def _next_number(self):
        # sudo: whoever issues a certificate (a delivery's validation) draws its number
        return self.env["ir.sequence"].sudo().next_by_code("stock.lot.coa") or "/"

    @api.model
    def _generate(self, lots, partner, numbers):
        """One certificate per lot of ``lots`` (``numbers``: ``{lot id: number}``)."""
        company = lots[:1].company_id or self.env.company
        pagesize = letter if company.paperformat_id.format == "Letter" else A4
        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer,
            pagesize=pagesize,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN + 6 * mm,
            title=_("Certificate of Analysis"),
            author=company.name,
        )
        story = []
        for lot in lots:
            if story:
                story.append(PageBreak())
            story.extend(self._certificate(lot, partner, numbers[lot.id], document.width))
        footer = self._footer_drawer(company, pagesize)
        document.build(
            story, canvasmaker=lambda *args, **kw: _NumberedCanvas(*args, footer=footer, **kw)
        )
        return buffer.getvalue()

    # ------------------------------------------------------------------
    # Layout
    # ------------------------------------------------------------------
    def _styles(self):
        # the recall report's styles: same fonts and sizes for the addon's documents
        styles = self.env["stock.recall.pdf"]._styles()
        styles["small"] = styles["body"].clone("small", fontSize=8, leading=10)
        styles["th"] = styles["body"].clone("th", fontName="Helvetica-Bold", fontSize=8, leading=10)
        styles["td"] = styles["body"].clone("td", fontSize=8, leading=10)
        styles["conclusion"] = styles["body"].clone(
            "conclusion", fontName="Helvetica-Bold", fontSize=10, leading=13
        )
        return styles

    def _text(self, value):
        return self.env["stock.recall.pdf"]._text(value)

    def _certificate(self, lot, partner, number, width):
        styles = self._styles()
        company = lot.company_id or self.env.company
        story = [_CertificateStart(number), self._header(company, styles, width)]
        story.append(Spacer(1, 4 * mm))
        story.append(Paragraph(self._text(_("Certificate of Analysis")), styles["title"]))
        story.append(
            Paragraph(
                self._text(
                    _(
                        "No. %(number)s — issued on %(date)s",
                        number=number,
                        date=self._date(fields.Date.context_today(lot)),
                    )
                ),
                styles["body"],
            )
        )
        story.append(Spacer(1, 3 * mm))
        story.append(self._key_values(self._lot_rows(lot, partner), styles, width))
        story.append(Spacer(1, 5 * mm))
        story.append(self._results_table(lot, styles, width))
        story.append(Spacer(1, 5 * mm))
        story.append(Paragraph(self._text(self._conclusion(lot)), styles["conclusion"]))
        story.append(Spacer(1, 3 * mm))
        story.append(self._key_values(self._approval_rows(lot), styles, width))
        return story

    def _header(self, company, styles, width):
        """The company's logo on the left, its name and address on the right."""
        address = [company.name, company.street, company.street2]
        address.append(" ".join(filter(None, [company.zip, company.city])))
        address.append(company.country_id.name)
        address.extend([company.phone, company.email, company.vat and _("VAT: %s", company.vat)])
        text = "<br/>".join(self._text(line) for line in address if line)
        logo = self._logo(company)
        table = Table(
            [[logo or "", Paragraph(text, styles["small"])]],
            colWidths=[width * 0.45, width * 0.55],
        )
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
                ]
            )
        )
        return table

    def _logo(self, company):
        if not company.logo:
            return None
        try:
            data = base64.b64decode(company.logo)
            reader = ImageReader(io.BytesIO(data))
            image_width, image_height = reader.getSize()
        except Exception:  # an unreadable logo (e.g. SVG) is left out
            return None
        height = 18 * mm
        logo = Image(io.BytesIO(data), width=height * image_width / image_height, height=height)
        logo.hAlign = "LEFT"
        return logo

    def _lot_rows(self, lot, partner):
        rows = [(_("Product"), lot.product_id.display_name)]
        if partner:
            rows.append((_("Customer"), partner.commercial_partner_id.display_name))
        rows.append((_("Lot"), lot.name))
        if "production_date" in lot._fields:
            rows.append((_("Manufacturing date"), self._date(lot.production_date)))
        if lot.expiration_date:
            rows.append((_("Expiration date"), self._date(lot.expiration_date)))
        if lot.use_date:
            rows.append((_("Best before"), self._date(lot.use_date)))
        if "origin_country_id" in lot._fields and lot.origin_country_id:
            rows.append((_("Country of origin"), lot.origin_country_id.name))
        return rows

    def _approval_rows(self, lot):
        if lot.quality_approved_by_id:
            return [
                (_("Approved by"), lot.quality_approved_by_id.name),
                (_("Approval date"), self._date(lot.quality_approved_at)),
            ]
        return [(_("Approved by"), _("Not released by Quality yet"))]

    def _key_values(self, rows, styles, width):
        data = [
            [Paragraph(self._text(label), styles["th"]), Paragraph(self._text(value), styles["td"])]
            for label, value in rows
        ]
        table = Table(data, colWidths=[width * 0.3, width * 0.7])
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

    def _results_table(self, lot, styles, width):
        headers = [
            _("Parameter"),
            _("Method"),
            _("Unit"),
            _("Specification"),
            _("Result"),
            _("Pass/Fail"),
        ]
        data = [[Paragraph(self._text(header), styles["th"]) for header in headers]]
        style = [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_BLUE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("REPEATROWS", (0, 0), (-1, 0)),
        ]
        for row, (spec, result) in enumerate(self._spec_results(lot), start=1):
            verdict, color = self._verdict(result)
            cells = [
                spec.name,
                spec.method,
                spec.unit,
                spec._specification_text(),
                result._result_text() if result else "—",
                verdict,
            ]
            data.append([Paragraph(self._text(cell), styles["td"]) for cell in cells])
            style.append(("TEXTCOLOR", (5, row), (5, row), color))
        fractions = [0.22, 0.17, 0.09, 0.2, 0.18, 0.14]
        table = Table(data, colWidths=[width * f for f in fractions], repeatRows=1)
        table.setStyle(TableStyle(style))
        return table

    def _spec_results(self, lot):
        """``[(spec, current result or empty)]`` in the specification's order."""
        current = {r.spec_id.id: r for r in lot.test_result_ids.filtered("is_current")}
        empty = self.env["stock.lot.test.result"]
        return [
            (spec, current.get(spec.id, empty))
            for spec in lot.product_id.product_tmpl_id.quality_spec_ids
        ]

    def _verdict(self, result):
        if not result:
            return _("Pending"), colors.black
        if result.passed:
            return _("Pass"), PASS_GREEN
        return _("Fail"), GAP_RED

    def _conclusion(self, lot):
        if lot.quality_state == "passed":
            return _("Conclusion: lot %s conforms to the specification.", lot.name)
        if lot.quality_state == "failed":
            return _("Conclusion: lot %s does NOT conform to the specification.", lot.name)
        return _("Conclusion: testing of lot %s is not complete.", lot.name)

    def _date(self, value):
        if not value:
            return ""
        if isinstance(value, datetime):
            value = fields.Datetime.context_timestamp(self, value).date()
        lang = self.env["res.lang"]._get_data(code=self.env.lang or "en_US")
        return value.strftime(lang.date_format)

    def _footer_drawer(self, company, pagesize):
        page_width = pagesize[0]

        def draw(canvas, number, page, total):
            canvas.saveState()
            canvas.setFont("Helvetica", 7)
            canvas.setFillColor(colors.grey)
            canvas.drawString(MARGIN, 10 * mm, f"{company.name} — {number}")
            canvas.drawRightString(
                page_width - MARGIN,
                10 * mm,
                _("Page %(page)s of %(total)s", page=page, total=total),
            )
            canvas.restoreState()

        return draw
