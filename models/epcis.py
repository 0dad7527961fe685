"""EPCIS 2.0 documents: GS1 identifiers, units, times (the events: epcis_events.py).

Used by ``stock.lot`` (models/stock_lot_epcis.py) and ``stock.recall``
(models/stock_recall_epcis.py); not a model.
"""

import json
import re
import uuid
from urllib.parse import quote

import pytz

from odoo import fields
from odoo.tools.barcode import get_barcode_check_digit

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
DIGITAL_LINK = "https://id.gs1.org"
EPC_CLASS_VOCABULARY = "urn:epcglobal:epcis:vtype:EPCClass"
MASTER_DATA_ATTRIBUTE = "urn:epcglobal:cbv:mda#"
# A lot or serial number a GS1 Digital Link can carry (AI 10 or 21): up to 20 characters of
# the GS1 AI encodable character set 82.
GS1_LOT = re.compile(r"^[!\"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$")
# UN/CEFACT Recommendation 20 codes of Odoo's standard units, by XML id. Units are counts:
# EPCIS says a quantity without a unit counts instances of the class, so no code.
UNECE_UOM_CODES = {
    "uom.product_uom_unit": None,
    "uom.product_uom_dozen": "DZN",
    "uom.product_uom_day": "DAY",
    "uom.product_uom_hour": "HUR",
    "uom.product_uom_meter": "MTR",
    "uom.product_uom_millimeter": "MMT",
    "uom.product_uom_cm": "CMT",
    "uom.product_uom_km": "KMT",
    "uom.product_uom_square_meter": "MTK",
    "uom.product_uom_litre": "LTR",
    "uom.product_uom_cubic_meter": "MTQ",
    "uom.product_uom_kgm": "KGM",
    "uom.product_uom_gram": "GRM",
    "uom.product_uom_ton": "TNE",
    "uom.product_uom_lb": "LBR",
    "uom.product_uom_oz": "ONZ",
    "uom.product_uom_inch": "INH",
    "uom.product_uom_foot": "FOT",
    "uom.product_uom_yard": "YRD",
    "uom.product_uom_mile": "SMI",
    "uom.product_uom_square_foot": "FTK",
    "uom.product_uom_floz": "OZA",
    "uom.product_uom_qt": "QTL",
    "uom.product_uom_gal": "GLL",
    "uom.product_uom_cubic_inch": "INQ",
    "uom.product_uom_cubic_foot": "FTQ",
}
# The events a done move line of a lot stands for, by the usage of its two locations:
# (bizStep, disposition, kind of transaction document).
MOVE_EVENTS = {
    "receipt": ("receiving", "in_progress", "recadv"),
    "delivery": ("shipping", "in_transit", "desadv"),
    "customer_return": ("receiving", "returned", "rma"),
    "vendor_return": ("shipping", "returned", "rma"),
}
TRANSFORMATION_STEPS = {
    "production": "commissioning",
    "repack": "repackaging",
    "unbuild": "disassembling",
}


def gtin14(barcode):
    """The GTIN-14 of a barcode that is a valid GTIN (GTIN-8, UPC-A, EAN-13 or GTIN-14 with
    its check digit), else None."""
    code = (barcode or "").strip()
    if len(code) not in (8, 12, 13, 14) or not code.isdigit():
        return None
    if get_barcode_check_digit(code) != int(code[-1]):
        return None
    return code.zfill(14)


def gln(code):
    """A valid 13-digit Global Location Number (with its check digit), else None."""
    code = (code or "").strip()
    if len(code) == 13 and code.isdigit() and get_barcode_check_digit(code) == int(code[-1]):
        return code
    return None


def epcis_attachment_values(record, document, name):
    """An attachment of ``record`` holding ``document`` as a JSON-LD file."""
    stamp = fields.Datetime.now().strftime("%Y%m%d-%H%M%S")
    return {
        "name": f"{name.replace('/', '_')}-{stamp}.jsonld",
        "raw": json.dumps(document, indent=2, ensure_ascii=False).encode(),
        "mimetype": "application/ld+json",
        "res_model": record._name,
        "res_id": record.id,
    }


def download(attachment):
    return {
        "type": "ir.actions.act_url",
        "url": f"/web/content/{attachment.id}?download=true",
        "target": "self",
    }


def quantity_items(quantities):
    """``[(product, lot, quantity)]`` of ``{(product, lot): quantity}``."""
    return [(product, lot, quantity) for (product, lot), quantity in quantities.items()]


def segment(value):
    return quote(str(value), safe="")


class EpcisVocabulary:
    """How a document names things: GS1 identifiers or private URNs, quantities with
    their unit, times with their offset; and the lots it has shown (for the master data)."""

    def __init__(self, lots):
        self.lots = lots
        self.env = lots.env
        self.company = self.env.company
        self.dbuuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid")
        self.tz = pytz.timezone(self.env.user.tz or self.company.partner_id.tz or "UTC")
        self.classes = {}  # (product, lot) -> epcClass, and the lots shown in the document
        self._uom_codes = None

    # identifiers --------------------------------------------------------------
    def urn(self, company, *parts):
        company_id = company.id or self.company.id
        return ":".join(["urn:odoo", self.dbuuid, str(company_id), *map(segment, parts)])

    def epc_class(self, product, lot=None):
        """The class of a lot (LGTIN) or, for an untracked component, of a product."""
        key = (product.id, lot.id if lot else None)
        if key not in self.classes:
            gtin = gtin14(product.barcode)
            if gtin and (not lot or GS1_LOT.match(lot.name)):
                value = f"{DIGITAL_LINK}/01/{gtin}"
                if lot:
                    value += f"/10/{quote(lot.name, safe='')}"
            elif lot:
                value = self.urn(lot.company_id or product.company_id, "lot", product.id, lot.name)
            else:
                value = self.urn(product.company_id, "product", product.id)
            self.classes[key] = value
        return self.classes[key]

    def epc_instance(self, product, serial):
        """A serial number: the SGTIN ``https://id.gs1.org/01/<GTIN-14>/21/<serial>``, else a
        private URN (same rules as :meth:`epc_class`)."""
        gtin = gtin14(product.barcode)
        if gtin and GS1_LOT.match(serial.name):
            return f"{DIGITAL_LINK}/01/{gtin}/21/{quote(serial.name, safe='')}"
        company = serial.company_id or product.company_id
        return self.urn(company, "serial", product.id, serial.name)

    def party(self, partner):
        partner = partner.commercial_partner_id
        code = self._gln(partner)
        return f"{DIGITAL_LINK}/417/{code}" if code else self.urn(self.company, "party", partner.id)

    def place(self, partner):
        code = self._gln(partner)
        return f"{DIGITAL_LINK}/414/{code}" if code else self.urn(self.company, "place", partner.id)

    def location(self, location):
        return self.urn(location.company_id, "location", location.id)

    def document(self, record):
        return self.urn(record.company_id, record._name, record.name)

    def _gln(self, partner):
        if "peppol_eas" in partner._fields and partner.peppol_eas == "0088":
            return gln(partner.peppol_endpoint)
        return None

    # quantities and times --------------------------------------------------------
    def quantity(self, product, lot, quantity):
        """A quantityElement in the product's unit (UN/CEFACT code), converted to the
        category's reference unit when the product's has no known code."""
        uom = product.uom_id
        code = self.uom_codes.get(uom.id, False)
        if code is False:
            reference = uom.category_id.uom_ids.filtered(lambda u: u.uom_type == "reference")[:1]
            if reference and reference.id in self.uom_codes:
                quantity = uom._compute_quantity(quantity, reference, round=False)
                code = self.uom_codes[reference.id]
        element = {"epcClass": self.epc_class(product, lot), "quantity": round(quantity, 6)}
        if code:
            element["uom"] = code
        return element

    @property
    def uom_codes(self):
        """``{uom id: code or None}`` of the units with a known code (one query)."""
        if self._uom_codes is None:
            data = self.env["ir.model.data"].sudo()  # sudo: reading XML ids of units
            rows = data.search_read(
                [("model", "=", "uom.uom"), ("module", "=", "uom")], ["name", "res_id"]
            )
            self._uom_codes = {
                row["res_id"]: UNECE_UOM_CODES[f"uom.{row['name']}"]
                for row in rows
                if f"uom.{row['name']}" in UNECE_UOM_CODES
            }
        return self._uom_codes

    def timestamp(self, moment):
        return fields.Datetime.to_datetime(moment).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def offset(self, moment):
        """The ``+HH:MM`` offset of the time zone at that moment (summer or winter time)."""
        utc = pytz.utc.localize(fields.Datetime.to_datetime(moment))
        delta = utc.astimezone(self.tz).utcoffset()
        minutes = int(delta.total_seconds() // 60)
        sign = "+" if minutes >= 0 else "-"
        return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"

    def event_id(self, *key):
        name = "/".join([self.dbuuid, *map(str, key)])
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"

    def _base_event(self, kind, key, moment):
        return {
            "type": kind,
            "eventTime": self.timestamp(moment),
            "eventTimeZoneOffset": self.offset(moment),
            "eventID": self.event_id(kind, *key),
        }
