import json
import re
import uuid
from collections import defaultdict
from urllib.parse import quote

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL
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


def _epcis_attachment_values(record, document, name):
    """An attachment of ``record`` holding ``document`` as a JSON-LD file."""
    stamp = fields.Datetime.now().strftime("%Y%m%d-%H%M%S")
    return {
        "name": f"{name.replace('/', '_')}-{stamp}.jsonld",
        "raw": json.dumps(document, indent=2, ensure_ascii=False).encode(),
        "mimetype": "application/ld+json",
        "res_model": record._name,
        "res_id": record.id,
    }


def _download(attachment):
    return {
        "type": "ir.actions.act_url",
        "url": f"/web/content/{attachment.id}?download=true",
        "target": "self",
    }


def _items(quantities):
    """``[(product, lot, quantity)]`` of ``{(product, lot): quantity}``."""
    return [(product, lot, quantity) for (product, lot), quantity in quantities.items()]


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
            raise UserError(
                _(
                    "Unknown trace direction %(direction)r: use 'down', 'up' or 'both'.",
                    direction=direction,
                )
            )
        lot_ids = set()
        for way in ("up", "down") if direction == "both" else (direction,):
            lot_ids.update(self._trace(way))
        return self.browse(sorted(lot_ids))._epcis_build()

    def action_export_epcis(self):
        """Download the EPCIS document of this lot's chain (both directions), stored as an
        attachment of the lot."""
        self.ensure_one()
        attachment = self.env["ir.attachment"].create(
            _epcis_attachment_values(self, self._epcis_document(), f"EPCIS-{self.name}")
        )
        return _download(attachment)

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
        kind_of = {line_id: kind for kind, lines in kinds.items() for line_id in lines.ids}
        if not kind_of:
            return []
        rows = self._move_line_rows(list(kind_of))
        records = self.records(
            {
                "stock.lot": {row["lot_id"] for row in rows},
                "product.product": {row["product_id"] for row in rows},
                "res.company": {row["company_id"] for row in rows},
                "stock.picking": {row["picking_id"] for row in rows},
                "stock.move": {row["move_id"] for row in rows},
                "stock.location": {row[key] for row in rows for key in ("src", "dest")},
                "res.partner": {row["partner_id"] for row in rows},
                "purchase.order": {row["purchase_id"] for row in rows},
                "sale.order": {row["sale_id"] for row in rows},
            }
        )
        groups = defaultdict(list)
        for row in rows:
            transfer = (
                ("stock.picking", row["picking_id"])
                if row["picking_id"]
                else ("stock.move", row["move_id"])
            )
            groups[kind_of[row["id"]], transfer].append(row)
        return [
            self._move_event(kind, records[model][record_id], group, records)
            for (kind, (model, record_id)), group in groups.items()
        ]

    def _move_line_rows(self, line_ids):
        """The done move lines, with their transfer, partner and orders (one query)."""
        for model in ("stock.move.line", "stock.move", "stock.picking"):
            self.env[model].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT ml.id, ml.lot_id, ml.product_id, ml.quantity_product_uom, ml.date,
                       ml.company_id, ml.picking_id, ml.move_id, ml.location_id,
                       ml.location_dest_id, COALESCE(picking.partner_id, move.partner_id),
                       (SELECT order_id FROM purchase_order_line WHERE id = move.purchase_line_id),
                       (SELECT order_id FROM sale_order_line WHERE id = move.sale_line_id)
                  FROM stock_move_line ml
                  JOIN stock_move move ON move.id = ml.move_id
                  LEFT JOIN stock_picking picking ON picking.id = ml.picking_id
                 WHERE ml.id = ANY(%(ids)s)
                 ORDER BY ml.date, ml.id
                """,
                ids=line_ids,
            )
        )
        keys = (
            "id",
            "lot_id",
            "product_id",
            "quantity",
            "date",
            "company_id",
            "picking_id",
            "move_id",
            "src",
            "dest",
            "partner_id",
            "purchase_id",
            "sale_id",
        )
        return [dict(zip(keys, row, strict=True)) for row in self.env.cr.fetchall()]

    def records(self, ids_by_model):
        """``{model: {id: record}}``: each model's records browsed together, so that reading
        a field of one reads it for all of them."""
        return {
            model: {
                record.id: record for record in self.env[model].browse(sorted(filter(None, ids)))
            }
            for model, ids in ids_by_model.items()
        }

    def _move_event(self, kind, transfer, rows, records):
        biz_step, disposition, document_type = MOVE_EVENTS[kind]
        first = rows[0]
        moment = max(row["date"] for row in rows)
        quantities = defaultdict(float)
        for row in rows:
            quantities[row["product_id"], row["lot_id"]] += row["quantity"]
        products, lots = records["product.product"], records["stock.lot"]
        event = self._base_event("ObjectEvent", (kind, transfer._name, transfer.id), moment)
        inbound = kind in ("receipt", "customer_return")
        own_location = records["stock.location"][first["dest" if inbound else "src"]]
        event.update(
            {
                "action": "OBSERVE",
                "bizStep": biz_step,
                "disposition": disposition,
                "readPoint": {"id": self.location(own_location)},
            }
        )
        items = [
            (products[product_id], lots[lot_id], qty)
            for (product_id, lot_id), qty in quantities.items()
        ]
        self._put_objects(event, items, "epcList", "quantityList")
        if inbound:
            event["bizLocation"] = {"id": self.location(own_location)}
        transactions = []
        if transfer._name == "stock.picking":
            transactions.append({"type": document_type, "bizTransaction": self.document(transfer)})
        for model, key in (("purchase.order", "purchase_id"), ("sale.order", "sale_id")):
            for order_id in sorted({row[key] for row in rows if row[key]}):
                order = records[model][order_id]
                transactions.append({"type": "po", "bizTransaction": self.document(order)})
        if transactions:
            event["bizTransactionList"] = transactions
        company = records["res.company"].get(first["company_id"]) or self.company
        ours = self._own_parties(company, own_location)
        partner = records["res.partner"].get(first["partner_id"])
        theirs = self._partner_parties(partner) if partner else []
        event["sourceList"] = self._typed(theirs if inbound else ours, "source")
        event["destinationList"] = self._typed(ours if inbound else theirs, "destination")
        if not theirs:
            del event["sourceList" if inbound else "destinationList"]
        return event

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
        """One TransformationEvent per manufacturing order, unbuild order or repack that
        links two lots of the chain. An order lists every input and output of it (its done
        move lines, lots outside the chain and untracked components included); a repack,
        the quantity of its link. Manual links record no physical event: none is made."""
        links = self.env["stock.lot.link"].search(
            [
                ("kind", "in", list(TRANSFORMATION_STEPS)),
                ("parent_lot_id", "in", self.lots.ids),
                ("child_lot_id", "in", self.lots.ids),
                ("company_id", "in", self.lots._trace_company_ids()),
            ],
            order="date, id",
        )
        productions, unbuilds = links.production_id, links.unbuild_id
        events = self._order_events(productions, unbuilds) if productions or unbuilds else []
        repacks = links.filtered(lambda link: link.kind == "repack")
        return events + [self._repack_event(link) for link in repacks]

    def _order_events(self, productions, unbuilds):
        lines = self.env["stock.move.line"].search(
            [
                ("state", "=", "done"),
                ("move_id.scrapped", "=", False),
                "|",
                "|",
                ("move_id.raw_material_production_id", "in", productions.ids),
                ("move_id.production_id", "in", productions.ids),
                ("move_id.unbuild_id", "in", unbuilds.ids),
            ]
        )
        orders = defaultdict(lambda: {"in": defaultdict(float), "out": defaultdict(float)})
        places, moments = {}, defaultdict(list)
        for line in lines:
            move = line.move_id
            order = move.raw_material_production_id or move.production_id or move.unbuild_id
            side = "out" if line.location_id.usage == "production" else "in"
            orders[order][side][line.product_id, line.lot_id] += line.quantity_product_uom
            moments[order].append(line.date)
            if side == "out":
                places.setdefault(order, line.location_dest_id)
        return [
            self._transformation_event(
                order, max(moments[order]), places[order], sides["in"], sides["out"]
            )
            for order, sides in orders.items()
            if sides["in"] and sides["out"]
        ]

    def _transformation_event(self, order, moment, place, inputs, outputs):
        production = order._name == "mrp.production"
        event = self._base_event("TransformationEvent", (order._name, order.id), moment)
        self._put_objects(event, _items(inputs), "inputEPCList", "inputQuantityList")
        self._put_objects(event, _items(outputs), "outputEPCList", "outputQuantityList")
        event.update(
            {
                "transformationID": self.document(order),
                "bizStep": TRANSFORMATION_STEPS["production" if production else "unbuild"],
                "disposition": "active",
                "readPoint": {"id": self.location(place)},
                "bizLocation": {"id": self.location(place)},
                "bizTransactionList": [
                    {"type": "prodorder", "bizTransaction": self.document(order)}
                    if production
                    else {"bizTransaction": self.document(order)}
                ],
            }
        )
        # lots made by the order; an unbuild gives back lots that existed before it
        output_lots = {lot for _product, lot in outputs if lot}
        if production and len(output_lots) == 1:
            event["ilmd"] = self.ilmd(output_lots.pop())
        return event

    def _repack_event(self, link):
        """A repack: ``quantity`` of the input lot went into the new lot, same product."""
        parent, child = link.parent_lot_id, link.child_lot_id
        event = self._base_event("TransformationEvent", ("repack", link.id), link.date)
        items = [(parent.product_id, parent, link.quantity)]
        self._put_objects(event, items, "inputEPCList", "inputQuantityList")
        items = [(child.product_id, child, link.quantity)]
        self._put_objects(event, items, "outputEPCList", "outputQuantityList")
        event.update(
            {
                "transformationID": self.urn(link.company_id, "repack", link.id),
                "bizStep": TRANSFORMATION_STEPS["repack"],
                "disposition": "active",
                "ilmd": self.ilmd(child),
            }
        )
        return event

    def _put_objects(self, event, items, epc_key, quantity_key):
        """Put ``(product, lot, quantity)`` items in an event: a serial number is an object
        of its own (an EPC in ``epc_key``), a lot or an untracked product a class with a
        quantity (in ``quantity_key``)."""
        epcs, quantities = [], []
        for product, lot, quantity in items:
            if lot and product.tracking == "serial":
                epcs.append(self.epc_instance(product, lot))
            else:
                quantities.append(self.quantity(product, lot, quantity))
        if epcs:
            event[epc_key] = epcs
        if quantities:
            event[quantity_key] = quantities

    # lot master data ----------------------------------------------------------------
    def lot_attributes(self, lot):
        """``(CBV attribute name, value)`` of a lot: number, expiry, best before, origin."""
        serial = lot.product_id.tracking == "serial"  # its number is in its EPC
        attributes = [] if serial else [("lotNumber", lot.name)]
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
