import calendar
import datetime
import re
from collections import defaultdict

from markupsafe import Markup

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, float_is_zero
from odoo.tools.barcode import get_barcode_check_digit

from .gs1_element_string import AIS, CSET82, ElementStringError, split_element_string

# ASCII digits only: str.isdigit() also takes '²' or Arabic-Indic digits
_DIGITS = re.compile(r"^[0-9]+$")


class StockGs1Capture(models.TransientModel):
    """Scan or paste the GS1 labels of a receipt; each line shows what it says and whether
    it fits the receipt, and *Apply* fills the receipt's lines in one transaction, once
    every line is valid (or removed)."""

    _name = "stock.gs1.capture"
    _description = "GS1 Capture at Receipt"

    picking_id = fields.Many2one(
        "stock.picking",
        string="Receipt",
        required=True,
        readonly=True,
        ondelete="cascade",
        help="The receipt whose lines the scans fill.",
    )
    scan_text = fields.Text(
        string="Scans",
        help="One GS1-128, DataMatrix or QR scan per line, as the scanner types it (with or "
        "without ]C1/]d2/]Q3, separators as ASCII 29) or in the human-readable form with "
        "parentheses, e.g. (01)09506000134352(17)261231(10)ABC123.",
    )
    line_ids = fields.One2many(
        "stock.gs1.capture.line",
        "wizard_id",
        string="Scanned Labels",
        help="One line per scan: what it says, and why it cannot be applied if so.",
    )
    error_count = fields.Integer(
        compute="_compute_error_count",
        string="Lines in Error",
        help="Scans to fix or remove before applying.",
    )

    @api.depends("line_ids.error")
    def _compute_error_count(self):
        for wizard in self:
            wizard.error_count = len(wizard.line_ids.filtered("error"))

    @api.onchange("scan_text")
    def _onchange_scan_text(self):
        # not str.splitlines(): it also splits on GS (ASCII 29), the scans' own separator
        lines = (self.scan_text or "").replace("\r\n", "\n").split("\n")
        scans = [line for line in lines if line.strip()]
        self.line_ids = [Command.clear()] + [Command.create({"raw": raw}) for raw in scans]

    # ------------------------------------------------------------------
    # Parsing
    # ------------------------------------------------------------------
    @api.model
    def _parse_line(self, text):
        """What one scan says: ``product_id``, ``gtin``, ``lot_name`` (the vendor's lot,
        AI 10), ``expiration_date``, ``production_date``, ``quantity`` (in the product's
        unit), ``serial`` and ``error`` (a sentence for the user, or ``False``)."""
        result = {
            "product_id": False,
            "gtin": False,
            "lot_name": False,
            "expiration_date": False,
            "production_date": False,
            "quantity": 0.0,
            "serial": False,
            "error": False,
            "packaging_qty": 1.0,
        }
        try:
            values = self._read_ais(split_element_string(text))
            result.update(self._interpret(values))
        except ElementStringError as error:
            result["error"] = str(error.args[0])
        return result

    def _read_ais(self, pairs):
        """``{kind: value}`` of the AIs of a scan, each value checked and converted."""
        values = {}
        for ai, raw in pairs:
            kind = AIS[ai][2]
            if kind in values:
                raise ElementStringError(_("AI (%(ai)s) appears twice", ai=ai))
            values[kind] = self._ai_value(ai, kind, raw)
        return values

    def _ai_value(self, ai, kind, raw):
        if kind in ("gtin", "content_gtin", "sscc", "ship_to", "location"):
            if not _DIGITS.match(raw):
                raise ElementStringError(_("AI (%(ai)s) takes digits only", ai=ai))
            if get_barcode_check_digit(raw) != int(raw[-1]):
                raise ElementStringError(
                    _("bad check digit in %(value)s (AI %(ai)s)", value=raw, ai=ai)
                )
            return raw
        if kind.endswith("_date") or kind in ("best_before", "sell_by", "expiry"):
            return self._gs1_date(ai, raw)
        if kind in ("lot", "serial"):
            if not CSET82.match(raw):
                raise ElementStringError(
                    _(
                        "AI (%(ai)s) holds characters GS1 does not allow: %(value)s",
                        ai=ai,
                        value=raw,
                    )
                )
            return raw
        if kind == "count":
            if not _DIGITS.match(raw) or not int(raw):
                raise ElementStringError(_("AI (%(ai)s) needs a count above zero", ai=ai))
            return int(raw)
        if kind.startswith("net_weight"):
            if not _DIGITS.match(raw):
                raise ElementStringError(_("AI (%(ai)s) takes digits only", ai=ai))
            decimals = int(ai[3])
            return int(raw) / (10**decimals)
        return raw

    def _gs1_date(self, ai, raw):
        """YYMMDD, DD = 00 meaning the month's last day; the century follows GS1's rule
        through Odoo's own ``gs1_date_to_date``."""
        if not _DIGITS.match(raw):
            raise ElementStringError(_("AI (%(ai)s) takes a date YYMMDD", ai=ai))
        month, day = int(raw[2:4]), int(raw[4:6])
        nomenclature = self.env["barcode.nomenclature"]
        if 1 <= month <= 12:
            year = nomenclature.gs1_date_to_date(raw[:4] + "00").year
            if day <= calendar.monthrange(year, month)[1]:
                return nomenclature.gs1_date_to_date(raw)
        raise ElementStringError(
            _("the date %(value)s of AI (%(ai)s) does not exist", value=raw, ai=ai)
        )

    def _interpret(self, values):
        """The product, lot, dates and quantity of a scan's AIs, or an error."""
        gtin = values.get("gtin") or values.get("content_gtin")
        if not gtin:
            raise ElementStringError(_("no GTIN (AI 01 or 02): which product is it?"))
        product, packaging_qty = self._product_of_gtin(gtin)
        if not product:
            raise ElementStringError(_("no product has the GTIN %(gtin)s", gtin=gtin))
        result = {
            "product_id": product.id,
            "gtin": gtin,
            "lot_name": values.get("lot", False),
            "serial": values.get("serial", False),
            "expiration_date": values.get("expiry") or values.get("best_before") or False,
            "production_date": values.get("production_date")
            or values.get("packaging_date")
            or False,
            "packaging_qty": packaging_qty,
        }
        self._check_tracking(product, result)
        result["quantity"] = self._quantity(product, values, packaging_qty, result)
        return result

    def _product_of_gtin(self, gtin):
        """The product whose barcode is this GTIN (as GTIN-14, -13, -12 or -8), or whose
        packaging's barcode is: then also how many units the packaging holds."""
        forms = {gtin, gtin[1:], gtin[2:], gtin[6:]}
        forms = [form for form in forms if len(form) in (8, 12, 13, 14)]
        product = self.env["product.product"].search([("barcode", "in", forms)], limit=1)
        if product:
            return product, 1.0
        packaging = self.env["product.packaging"].search([("barcode", "in", forms)], limit=1)
        if packaging:
            return packaging.product_id, packaging.qty or 1.0
        return self.env["product.product"], 1.0

    def _check_tracking(self, product, result):
        tracking = product.tracking
        if result["lot_name"] and tracking == "none":
            raise ElementStringError(
                _(
                    "%(product)s is not tracked by lot: a lot (AI 10) cannot be received",
                    product=product.display_name,
                )
            )
        if result["serial"] and tracking != "serial":
            raise ElementStringError(
                _(
                    "%(product)s is not tracked by serial number: AI (21) cannot be received",
                    product=product.display_name,
                )
            )
        if tracking == "lot" and not result["lot_name"]:
            raise ElementStringError(
                _(
                    "%(product)s is tracked by lot: the label has no lot (AI 10)",
                    product=product.display_name,
                )
            )
        if tracking == "serial" and not result["serial"]:
            raise ElementStringError(
                _(
                    "%(product)s is tracked by serial number: the label has no serial (AI 21)",
                    product=product.display_name,
                )
            )

    def _quantity(self, product, values, packaging_qty, result):
        """In the product's unit: a net weight for products measured by weight, else the
        count (30/37) times the units of the scanned packaging, else one item."""
        weight_kind = next(
            (kind for kind in ("net_weight_kg", "net_weight_lb") if kind in values), None
        )
        uom = product.uom_id
        if weight_kind:
            weight_uom = self.env.ref(
                "uom.product_uom_kgm" if weight_kind == "net_weight_kg" else "uom.product_uom_lb"
            )
            if uom.category_id != weight_uom.category_id:
                raise ElementStringError(
                    _(
                        "%(product)s is not measured by weight: the net weight cannot be received",
                        product=product.display_name,
                    )
                )
            quantity = weight_uom._compute_quantity(values[weight_kind], uom)
        else:
            quantity = values.get("count", 1) * packaging_qty
        if float_is_zero(quantity, precision_rounding=uom.rounding):
            raise ElementStringError(_("the quantity is zero"))
        if result["serial"] and float_compare(quantity, 1, precision_rounding=uom.rounding):
            raise ElementStringError(
                _("a serial number is one item, not %(quantity)s", quantity=quantity)
            )
        return quantity

    # ------------------------------------------------------------------
    # Apply
    # ------------------------------------------------------------------
    def _move_for(self, product_id):
        moves = self.picking_id.move_ids.filtered(
            lambda move: move.product_id.id == product_id and move.state not in ("done", "cancel")
        )
        return moves[:1]

    def action_apply(self):
        """Fill the receipt's lines from every scan, or refuse with each bad line's error."""
        self.ensure_one()
        picking = self.picking_id
        if picking.state in ("done", "cancel") or picking.picking_type_code != "incoming":
            raise UserError(
                _("%(receipt)s is not a receipt waiting for goods.", receipt=picking.display_name)
            )
        if not self.line_ids:
            raise UserError(_("Scan or paste at least one GS1 label."))
        bad = self.line_ids.filtered("error")
        if bad:
            raise UserError(
                _(
                    "Fix or remove the scans in error before applying:\n%(lines)s",
                    lines="\n".join(f"- {line.raw}: {line.error}" for line in bad),
                )
            )
        groups = defaultdict(lambda: {"quantity": 0.0, "parsed": None})
        for line in self.line_ids:
            parsed = self._parse_line(line.raw)
            move = self._move_for(parsed["product_id"])
            key = (move.id, parsed["serial"] or parsed["lot_name"])
            groups[key]["quantity"] += parsed["quantity"]
            groups[key]["parsed"] = groups[key]["parsed"] or parsed
        moves = self.env["stock.move"].browse({move_id for move_id, _lot in groups})
        # the receipt's own lines without a lot are placeholders for what the scans bring
        moves.move_line_ids.filtered(lambda ml: not ml.lot_id and not ml.lot_name).unlink()
        self.env["stock.move.line"].create(
            [
                self._move_line_vals(self.env["stock.move"].browse(move_id), group)
                for (move_id, _lot), group in groups.items()
            ]
        )
        moves.picked = True
        picking.message_post(
            body=Markup("%s")
            % _(
                "%(count)s GS1 scans applied to %(lines)s receipt lines.",
                count=len(self.line_ids),
                lines=len(groups),
            )
        )
        return {"type": "ir.actions.act_window_close"}

    def _move_line_vals(self, move, group):
        parsed = group["parsed"]
        product = move.product_id
        vals = {
            "move_id": move.id,
            "picking_id": move.picking_id.id,
            "product_id": product.id,
            "product_uom_id": product.uom_id.id,
            "quantity": group["quantity"],
            "location_id": move.location_id.id,
            "location_dest_id": move.location_dest_id.id,
            "picked": True,
        }
        if parsed["lot_name"]:
            vals["vendor_lot_name"] = parsed["lot_name"]
        lot = self._existing_lot(product, parsed)
        if lot:
            vals["lot_id"] = lot.id
        else:
            vals["lot_name"] = (
                parsed["serial"] or product._next_lot_name(move.company_id) or parsed["lot_name"]
            )
        if parsed["expiration_date"] and "expiration_date" in self.env["stock.move.line"]._fields:
            if product.use_expiration_date:
                vals["expiration_date"] = datetime.datetime.combine(
                    parsed["expiration_date"], datetime.time()
                )
        return vals

    def _existing_lot(self, product, parsed):
        """The lot already known for this serial, or for this vendor lot of the product."""
        lots = self.env["stock.lot"].with_context(active_test=False)
        company = self.picking_id.company_id
        domain = [("product_id", "=", product.id), ("company_id", "in", [company.id, False])]
        if parsed["serial"]:
            return lots.search([*domain, ("name", "=", parsed["serial"])], limit=1)
        lot_name = parsed["lot_name"]
        return lots.search(
            [*domain, "|", ("vendor_lot_name", "=", lot_name), ("name", "=", lot_name)], limit=1
        )
