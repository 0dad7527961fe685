import re
import uuid
from collections import defaultdict
from urllib.parse import quote

import pytz

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.barcode import get_barcode_check_digit

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
DIGITAL_LINK = "https://id.gs1.org"
EPC_CLASS_VOCABULARY = "urn:epcglobal:epcis:vtype:EPCClass"
MASTER_DATA_ATTRIBUTE = "urn:epcglobal:cbv:mda#"
# A lot number a GS1 Digital Link can carry (AI 10): up to 20 characters of the GS1 AI
# encodable character set 82.
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


def _segment(value):
    return quote(str(value), safe="")


class StockLot(models.Model):
    """EPCIS 2.0 export of a lot's chain (JSON-LD), built from the trace engine.

    Identifiers (see the README, "EPCIS 2.0 export"):

    - a lot of a product whose barcode is a valid GTIN (GTIN-8/12/13/14 with its check
      digit) and whose name is a valid GS1 lot number (AI 10: 20 characters of set 82) is
      the LGTIN class ``https://id.gs1.org/01/<GTIN-14>/10/<lot>`` (GS1 Digital Link, which
      EPCIS 2.0 accepts wherever an EPC URI goes). We do not write the equivalent
      ``urn:epc:class:lgtin:`` URN: it splits the GTIN at the end of the GS1 Company Prefix,
      whose length (6 to 12 digits) cannot be derived from the GTIN itself;
    - everything else (products without GTIN, locations, partners without GLN, documents)
      gets a private URN under the company: ``urn:odoo:<database uuid>:<company id>:...``.
      The database UUID makes it unique between Odoo databases, the company id between
      companies of one database; both are stable, so two exports name things alike;
    - parties and ship-to places are GS1 Digital Links ``https://id.gs1.org/417/<GLN>``
      (party) and ``/414/<GLN>`` (place) when the partner's electronic address is a GLN
      (Peppol scheme 0088, the only GLN field of Odoo), else the private URN.
    """

    _inherit = "stock.lot"

    @api.readonly
    def _epcis_document(self, direction="both"):
        """The EPCIS 2.0 JSON-LD document (a dict) of these lots' chain.

        ``direction``: ``'down'`` (where used), ``'up'`` (where from) or ``'both'``; the
        lots are those :meth:`_trace` finds. Events: receipts from and returns to vendors,
        deliveries to and returns from customers of every lot of the chain (ObjectEvents),
        and one TransformationEvent per manufacturing order, repack or unbuild between lots
        of the chain.
        """
        if direction not in ("both", "down", "up"):
            raise ValueError(f"Unknown trace direction {direction!r}")
        lot_ids = set()
        for way in ("up", "down") if direction == "both" else (direction,):
            lot_ids.update(self._trace(way))
        return self.browse(sorted(lot_ids))._epcis_build()

    def _epcis_build(self):
        """The EPCIS document of exactly these lots (no trace)."""
        lots = self.with_context(active_test=False)
        builder = _EpcisBuilder(lots)
        events = builder.move_events() + builder.transformation_events()
        events.sort(key=lambda event: (event["eventTime"], event["type"], event["eventID"]))
        document = {
            "@context": [EPCIS_CONTEXT],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": builder.timestamp(fields.Datetime.now()),
            "epcisBody": {"eventList": events},
        }
        vocabulary = builder.master_data()
        if vocabulary:
            document["epcisHeader"] = {"epcisMasterData": {"vocabularyList": vocabulary}}
        return document


class _EpcisBuilder:
    """Events of a set of lots, read a table at a time (move lines, links, moves of the
    manufacturing orders), never per lot."""

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
        return ":".join(["urn:odoo", self.dbuuid, str(company_id), *map(_segment, parts)])

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
        delta = self.tz.utcoffset(fields.Datetime.to_datetime(moment))
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

    # object events ---------------------------------------------------------------
    def move_events(self):
        """One ObjectEvent per transfer (picking, else move) and kind: the lots of the chain
        it received, shipped or took back, with their quantities."""
        lots = self.lots
        kinds = {
            "receipt": lots._trace_receipts(),
            "delivery": lots._trace_deliveries(),
            "customer_return": lots._trace_move_lines(
                SQL("src.usage = 'customer' AND dest.usage != 'customer'")
            ),
            "vendor_return": lots._trace_move_lines(
                SQL("dest.usage = 'supplier' AND src.usage != 'supplier'")
            ),
        }
        # one recordset, so that reading a field of a line reads it for all of them
        every_line = self.env["stock.move.line"].union(*kinds.values())
        groups = defaultdict(list)
        for kind, move_lines in kinds.items():
            for line in every_line.browse(move_lines.ids).with_prefetch(every_line._prefetch_ids):
                transfer = line.picking_id or line.move_id
                groups[kind, transfer._name, transfer.id].append(line.id)
        return [
            self._move_event(kind, every_line.browse(ids).with_prefetch(every_line._prefetch_ids))
            for (kind, _model, _id), ids in groups.items()
        ]

    def _move_event(self, kind, lines):
        biz_step, disposition, document_type = MOVE_EVENTS[kind]
        first = lines[0]
        transfer = first.picking_id or first.move_id
        moment = max(lines.mapped("date"))
        quantities = defaultdict(float)
        for line in lines:
            quantities[line.product_id, line.lot_id] += line.quantity_product_uom
        event = self._base_event("ObjectEvent", ("move", transfer._name, transfer.id), moment)
        inbound = kind in ("receipt", "customer_return")
        own_location = first.location_dest_id if inbound else first.location_id
        partner = first.picking_id.partner_id or first.move_id.partner_id
        event.update(
            {
                "action": "OBSERVE",
                "bizStep": biz_step,
                "disposition": disposition,
                "quantityList": [
                    self.quantity(product, lot, qty) for (product, lot), qty in quantities.items()
                ],
                "readPoint": {"id": self.location(own_location)},
            }
        )
        if inbound:
            event["bizLocation"] = {"id": self.location(own_location)}
        transactions = self._transactions(lines, transfer, document_type)
        if transactions:
            event["bizTransactionList"] = transactions
        ours = self._own_parties(first.company_id, own_location)
        theirs = self._partner_parties(partner) if partner else []
        event["sourceList"] = self._typed(theirs if inbound else ours, "source")
        event["destinationList"] = self._typed(ours if inbound else theirs, "destination")
        if not theirs:
            del event["sourceList" if inbound else "destinationList"]
        return event

    def _transactions(self, lines, transfer, document_type):
        transactions = []
        if transfer._name == "stock.picking":
            transactions.append({"type": document_type, "bizTransaction": self.document(transfer)})
        moves = lines.move_id
        for order in [*moves.purchase_line_id.order_id, *moves.sale_line_id.order_id]:
            transactions.append({"type": "po", "bizTransaction": self.document(order)})
        return transactions

    def _own_parties(self, company, location):
        company = company or self.company
        site = location.warehouse_id.partner_id or company.partner_id
        return [
            ("owning_party", self.party(company.partner_id)),
            ("possessing_party", self.party(company.partner_id)),
            ("location", self.place(site)),
        ]

    def _partner_parties(self, partner):
        return [
            ("owning_party", self.party(partner)),
            ("possessing_party", self.party(partner)),
            ("location", self.place(partner)),
        ]

    def _typed(self, parties, key):
        return [{"type": kind, key: value} for kind, value in parties]

    # transformation events ----------------------------------------------------------
    def transformation_events(self):
        """One TransformationEvent per manufacturing order between lots of the chain, with
        every input and output of the order (its done move lines)."""
        links = self.env["stock.lot.link"].search(
            [
                ("kind", "=", "production"),
                ("production_id", "!=", False),
                ("parent_lot_id", "in", self.lots.ids),
                ("child_lot_id", "in", self.lots.ids),
                ("company_id", "in", self.lots._trace_company_ids()),
            ]
        )
        productions = links.production_id
        if not productions:
            return []
        lines = self.env["stock.move.line"].search(
            [
                ("state", "=", "done"),
                ("move_id.scrapped", "=", False),
                "|",
                ("move_id.raw_material_production_id", "in", productions.ids),
                ("move_id.production_id", "in", productions.ids),
            ]
        )
        inputs = defaultdict(lambda: defaultdict(float))
        outputs = defaultdict(lambda: defaultdict(float))
        for line in lines:
            production = line.move_id.raw_material_production_id
            side = inputs if production else outputs
            production = production or line.move_id.production_id
            side[production][line.product_id, line.lot_id] += line.quantity_product_uom
        return [
            self._transformation_event(production, inputs[production], outputs[production])
            for production in productions
            if inputs[production] and outputs[production]
        ]

    def _transformation_event(self, production, inputs, outputs):
        moment = production.date_finished or production.write_date
        event = self._base_event("TransformationEvent", ("mrp.production", production.id), moment)
        event.update(
            {
                "inputQuantityList": [
                    self.quantity(product, lot, qty) for (product, lot), qty in inputs.items()
                ],
                "outputQuantityList": [
                    self.quantity(product, lot, qty) for (product, lot), qty in outputs.items()
                ],
                "transformationID": self.document(production),
                "bizStep": TRANSFORMATION_STEPS["production"],
                "disposition": "active",
                "readPoint": {"id": self.location(production.location_dest_id)},
                "bizLocation": {"id": self.location(production.location_dest_id)},
                "bizTransactionList": [
                    {"type": "prodorder", "bizTransaction": self.document(production)}
                ],
            }
        )
        output_lots = {lot for _product, lot in outputs if lot}
        if len(output_lots) == 1:
            event["ilmd"] = self.ilmd(output_lots.pop())
        return event

    # lot master data ----------------------------------------------------------------
    def lot_attributes(self, lot):
        """``(CBV attribute name, value)`` of a lot: number, expiry, best before, origin."""
        attributes = [("lotNumber", lot.name)]
        if lot.expiration_date:
            attributes.append(("itemExpirationDate", self.local_date(lot.expiration_date)))
        if lot.use_date:
            attributes.append(("bestBeforeDate", self.local_date(lot.use_date)))
        if lot.origin_country_id:
            attributes.append(("countryOfOrigin", lot.origin_country_id.code))
        return attributes

    def local_date(self, moment):
        return str(pytz.utc.localize(moment).astimezone(self.tz).date())

    def ilmd(self, lot):
        return {f"cbvmda:{name}": value for name, value in self.lot_attributes(lot)}

    def master_data(self):
        """Lot master data of every lot class named in the events (EPCClass vocabulary):
        received lots carry their number and dates here, not in an ilmd, which EPCIS keeps
        for the events that create the lot."""
        elements = []
        classes = sorted(
            (epc_class, lot_id) for (_product, lot_id), epc_class in self.classes.items() if lot_id
        )
        lots = self.env["stock.lot"].with_context(active_test=False)
        lots = lots.browse([lot_id for _class, lot_id in classes])
        for epc_class, lot in zip([epc_class for epc_class, _lot in classes], lots, strict=True):
            elements.append(
                {
                    "id": epc_class,
                    "attributes": [
                        {"id": f"{MASTER_DATA_ATTRIBUTE}{name}", "attribute": value}
                        for name, value in self.lot_attributes(lot)
                    ],
                }
            )
        if not elements:
            return []
        return [{"type": EPC_CLASS_VOCABULARY, "vocabularyElementList": elements}]
