import base64
import io
from datetime import datetime

from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, letter
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
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

from .stock_recall_pdf import BOLD_FONT, GAP_RED, HEADER_BLUE

PASS_GREEN = colors.HexColor("#1E7B34")
MARGIN = 15 * mm
CELL_FONT, CELL_SIZE, CELL_PADDING = "Helvetica", 8, 6  # Table's default padding: 6 pt a side
LOGO_HEIGHT = 18 * mm
LOGO_PIXELS = (600, 240)  # enough for 18 mm at 300 dpi
_LOGO_CACHE = {}  # (database, company, write date): (JPEG bytes, width, height) or None


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
            # The page-numbering recipe: showPage() above only keeps each page, save()
            # prints them through reportlab's own showPage once the page counts are known.
            super().showPage()  # pylint: disable=super-method-mismatch
        return super().save()


class StockLotCoaPdf(models.AbstractModel):
    """The Certificate of Analysis of a lot, built with reportlab (not QWeb).

    A delivery of hundreds of lots renders hundreds of certificates inside its validation,
    so what every certificate shares (labels, styles, the company's logo converted once to
    JPEG, which PDF embeds as is) is prepared once per batch, and table cells are plain
    strings unless their text must wrap."""

    _name = "stock.lot.coa.pdf"
    _description = "Certificate of Analysis"

    @api.model
    def _next_number(self):
        # sudo: whoever issues a certificate (a delivery's validation) draws its number
        return self.env["ir.sequence"].sudo().next_by_code("stock.lot.coa") or "/"

    @api.model
    def _generate(self, lots, partner, numbers):
        """One PDF: a certificate per lot of ``lots`` (``numbers``: ``{lot id: number}``)."""
        return self._build(self._prepare(lots), lots, partner, numbers)

    @api.model
    def _generate_each(self, lots, partner, numbers):
        """``{lot id: PDF}``: the certificate of each lot in a PDF of its own."""
        shared = self._prepare(lots)
        return {lot.id: self._build(shared, lot, partner, numbers) for lot in lots}

    def _prepare(self, lots):
        """What the certificates of ``lots`` share: company, page, styles, labels, logo."""
        company = lots[:1].company_id or self.env.company
        pagesize = letter if company.paperformat_id.format == "Letter" else A4
        lang = self.env["res.lang"]._get_data(code=self.env.lang or "en_US")
        return {
            "company": company,
            "pagesize": pagesize,
            "width": pagesize[0] - 2 * MARGIN,
            "styles": self._styles(),
            "labels": self._labels(),
            "logo": self._logo(company),
            "address": self._address(company),
            "date_format": lang.date_format,
            "today": fields.Date.context_today(self),
        }

    def _build(self, shared, lots, partner, numbers):
        buffer = io.BytesIO()
        document = SimpleDocTemplate(
            buffer,
            pagesize=shared["pagesize"],
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN + 6 * mm,
            title=shared["labels"]["title"],
            author=shared["company"].name,
        )
        story = []
        for lot in lots:
            if story:
                story.append(PageBreak())
            story.extend(self._certificate(shared, lot, partner, numbers[lot.id]))
        footer = self._footer_drawer(shared)
        document.build(
            story, canvasmaker=lambda *args, **kw: _NumberedCanvas(*args, footer=footer, **kw)
        )
        return buffer.getvalue()

    # ------------------------------------------------------------------
    # Shared parts
    # ------------------------------------------------------------------
    def _styles(self):
        # the recall report's styles: same fonts and sizes for the addon's documents
        styles = self.env["stock.recall.pdf"]._styles()
        styles["address"] = styles["body"].clone(
            "address", fontSize=8, leading=10, alignment=TA_RIGHT
        )
        styles["td"] = styles["body"].clone("td", fontSize=CELL_SIZE, leading=10)
        styles["th"] = styles["td"].clone("th", fontName=BOLD_FONT)
        styles["conclusion"] = styles["body"].clone(
            "conclusion", fontName=BOLD_FONT, fontSize=10, leading=13
        )
        return styles

    def _labels(self):
        """Every fixed text of a certificate, translated once per batch."""
        return {
            "title": _("Certificate of Analysis"),
            "number": _("No. %(number)s — issued on %(date)s"),
            "product": _("Product"),
            "customer": _("Customer"),
            "lot": _("Lot"),
            "production_date": _("Manufacturing date"),
            "expiration_date": _("Expiration date"),
            "use_date": _("Best before"),
            "origin": _("Country of origin"),
            "headers": [
                _("Parameter"),
                _("Method"),
                _("Unit"),
                _("Specification"),
                _("Result"),
                _("Pass/Fail"),
            ],
            "pass": _("Pass"),
            "fail": _("Fail"),
            "pending": _("Pending"),
            "passed": _("Conclusion: lot %s conforms to the specification."),
            "failed": _("Conclusion: lot %s does NOT conform to the specification."),
            "incomplete": _("Conclusion: testing of lot %s is not complete."),
            "approved_by": _("Approved by"),
            "approved_at": _("Approval date"),
            "not_approved": _("Not released by Quality yet"),
            "page": _("Page %(page)s of %(total)s"),
            "vat": _("VAT: %s"),
        }

    def _address(self, company):
        lines = [company.name, company.street, company.street2]
        lines.append(" ".join(filter(None, [company.zip, company.city])))
        lines.extend([company.country_id.name, company.phone, company.email])
        if company.vat:
            lines.append(_("VAT: %s", company.vat))
        return "<br/>".join(self._text(line) for line in lines if line)

    def _logo(self, company):
        """The company's logo as ``(JPEG bytes, width, height)``, converted once per logo:
        PDF embeds a JPEG as it is, where a PNG is decoded and recompressed every time."""
        if not company.logo:
            return None
        key = (self.env.cr.dbname, company.id, str(company.write_date))
        if key not in _LOGO_CACHE:
            _LOGO_CACHE.clear()
            _LOGO_CACHE[key] = self._logo_jpeg(base64.b64decode(company.logo))
        return _LOGO_CACHE[key]

    @staticmethod
    def _logo_jpeg(data):
        try:
            image = PILImage.open(io.BytesIO(data))
            image.thumbnail(LOGO_PIXELS)
            flat = PILImage.new("RGB", image.size, "white")
            rgba = image.convert("RGBA")
            flat.paste(rgba, mask=rgba.getchannel("A"))
        except (OSError, ValueError):
            return None  # not a bitmap (e.g. SVG): the header goes without a logo
        output = io.BytesIO()
        flat.save(output, "JPEG", quality=90)
        return output.getvalue(), flat.width, flat.height

    def _text(self, value):
        return self.env["stock.recall.pdf"]._text(value)

    # ------------------------------------------------------------------
    # A certificate
    # ------------------------------------------------------------------
    def _certificate(self, shared, lot, partner, number):
        styles, labels = shared["styles"], shared["labels"]
        today = self._date(shared, shared["today"])
        return [
            _CertificateStart(number),
            self._header(shared),
            Spacer(1, 4 * mm),
            Paragraph(self._text(labels["title"]), styles["title"]),
            Paragraph(
                self._text(labels["number"] % {"number": number, "date": today}), styles["body"]
            ),
            Spacer(1, 3 * mm),
            self._key_values(shared, self._lot_rows(shared, lot, partner)),
            Spacer(1, 5 * mm),
            self._results_table(shared, lot),
            Spacer(1, 5 * mm),
            Paragraph(self._text(self._conclusion(shared, lot)), styles["conclusion"]),
            Spacer(1, 3 * mm),
            self._key_values(shared, self._approval_rows(shared, lot)),
        ]

    def _header(self, shared):
        """The company's logo on the left, its name and address on the right."""
        width, logo = shared["width"], ""
        if shared["logo"]:
            data, pixels_wide, pixels_high = shared["logo"]
            logo = Image(
                io.BytesIO(data),
                width=LOGO_HEIGHT * pixels_wide / pixels_high,
                height=LOGO_HEIGHT,
            )
            logo.hAlign = "LEFT"
        table = Table(
            [[logo, Paragraph(shared["address"], shared["styles"]["address"])]],
            colWidths=[width * 0.45, width * 0.55],
        )
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
                ]
            )
        )
        return table

    def _lot_rows(self, shared, lot, partner):
        labels = shared["labels"]
        rows = [(labels["product"], lot.product_id.display_name)]
        if partner:
            rows.append((labels["customer"], partner.commercial_partner_id.display_name))
        rows.append((labels["lot"], lot.name))
        if "production_date" in lot._fields:
            rows.append((labels["production_date"], self._date(shared, lot.production_date)))
        for name in ("expiration_date", "use_date"):
            if lot[name]:
                rows.append((labels[name], self._date(shared, lot[name])))
        if "origin_country_id" in lot._fields and lot.origin_country_id:
            rows.append((labels["origin"], lot.origin_country_id.name))
        return rows

    def _approval_rows(self, shared, lot):
        labels = shared["labels"]
        if lot.quality_approved_by_id:
            return [
                (labels["approved_by"], lot.quality_approved_by_id.name),
                (labels["approved_at"], self._date(shared, lot.quality_approved_at)),
            ]
        return [(labels["approved_by"], labels["not_approved"])]

    def _key_values(self, shared, rows):
        widths = [shared["width"] * 0.3, shared["width"] * 0.7]
        data = [
            [
                self._cell(shared, label, widths[0], "th"),
                self._cell(shared, value, widths[1], "td"),
            ]
            for label, value in rows
        ]
        table = Table(data, colWidths=widths)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (0, -1), HEADER_BLUE),
                    ("FONT", (0, 0), (0, -1), BOLD_FONT, CELL_SIZE),
                    ("FONT", (1, 0), (1, -1), CELL_FONT, CELL_SIZE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return table

    def _results_table(self, shared, lot):
        labels = shared["labels"]
        fractions = [0.22, 0.17, 0.09, 0.2, 0.18, 0.14]
        widths = [shared["width"] * fraction for fraction in fractions]
        data = [
            [
                self._cell(shared, header, width, "th")
                for header, width in zip(labels["headers"], widths, strict=True)
            ]
        ]
        style = [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_BLUE),
            ("FONT", (0, 0), (-1, 0), BOLD_FONT, CELL_SIZE),
            ("FONT", (0, 1), (-1, -1), CELL_FONT, CELL_SIZE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        for row, (spec, result) in enumerate(self._spec_results(lot), start=1):
            if not result:
                verdict, color = labels["pending"], colors.black
            elif result.passed:
                verdict, color = labels["pass"], PASS_GREEN
            else:
                verdict, color = labels["fail"], GAP_RED
            cells = [
                spec.name,
                spec.method,
                spec.unit,
                spec._specification_text(),
                result._result_text() if result else "—",
                verdict,
            ]
            data.append(
                [
                    self._cell(shared, cell, width, "td")
                    for cell, width in zip(cells, widths, strict=True)
                ]
            )
            style.append(("TEXTCOLOR", (5, row), (5, row), color))
        table = Table(data, colWidths=widths, repeatRows=1)
        table.setStyle(TableStyle(style))
        return table

    def _cell(self, shared, value, width, style):
        """The text as is when it fits its column (cheap), else a wrapping paragraph."""
        text = "" if value in (None, False) else str(value)
        font = BOLD_FONT if style == "th" else CELL_FONT
        if stringWidth(text, font, CELL_SIZE) <= width - 2 * CELL_PADDING:
            return text
        return Paragraph(self._text(text), shared["styles"][style])

    def _spec_results(self, lot):
        """``[(spec, current result or empty)]`` in the specification's order."""
        current = {r.spec_id.id: r for r in lot.test_result_ids.filtered("is_current")}
        empty = self.env["stock.lot.test.result"]
        return [
            (spec, current.get(spec.id, empty))
            for spec in lot.product_id.product_tmpl_id.quality_spec_ids
        ]

    def _conclusion(self, shared, lot):
        key = {"passed": "passed", "failed": "failed"}.get(lot.quality_state, "incomplete")
        return shared["labels"][key] % lot.name

    def _date(self, shared, value):
        if not value:
            return ""
        if isinstance(value, datetime):
            value = fields.Datetime.context_timestamp(self, value).date()
        return value.strftime(shared["date_format"])

    def _footer_drawer(self, shared):
        page_width, page_label = shared["pagesize"][0], shared["labels"]["page"]
        company_name = shared["company"].name

        def draw(canvas, number, page, total):
            canvas.saveState()
            canvas.setFont(CELL_FONT, 7)
            canvas.setFillColor(colors.grey)
            canvas.drawString(MARGIN, 10 * mm, f"{company_name} — {number}")
            canvas.drawRightString(
                page_width - MARGIN, 10 * mm, page_label % {"page": page, "total": total}
            )
            canvas.restoreState()

        return draw
