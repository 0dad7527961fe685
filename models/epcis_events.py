"""EPCIS 2.0 events of a set of lots: object events of their transfers, transformation
events of their manufacturing orders, repacks and unbuilds, and their master data."""

from collections import defaultdict

import pytz

from odoo.tools import SQL

from .epcis import (
    EPC_CLASS_VOCABULARY,
    MASTER_DATA_ATTRIBUTE,
    MOVE_EVENTS,
    TRANSFORMATION_STEPS,
    EpcisVocabulary,
    quantity_items,
)


class EpcisBuilder(EpcisVocabulary):
    """Events of a set of lots, read a table at a time (move lines, links, moves of the
    manufacturing orders), never per lot."""

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
        self._put_objects(event, quantity_items(inputs), "inputEPCList", "inputQuantityList")
        self._put_objects(event, quantity_items(outputs), "outputEPCList", "outputQuantityList")
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
