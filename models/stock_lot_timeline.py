from datetime import date, datetime, time

from odoo import _, api, models
from odoo.tools import SQL

TIMELINE_KINDS = [
    ("receipt", "Receipt"),
    ("production", "Produced"),
    ("test_result", "Quality Result"),
    ("hold_placed", "Hold Placed"),
    ("hold_released", "Hold Released"),
    ("hold_cancelled", "Hold Cancelled"),
    ("internal", "Internal Move"),
    ("transit", "Transit"),
    ("consumption", "Consumed"),
    ("unbuild", "Unbuild"),
    ("delivery", "Delivery"),
    ("return", "Customer Return"),
    ("vendor_return", "Return to Vendor"),
    ("scrap", "Scrap"),
    ("adjustment", "Inventory Adjustment"),
    ("repack", "Repacked Into"),
    ("repacked_from", "Repacked From"),
    ("manual_link", "Manual Link"),
    ("recall", "Recall"),
    ("recall_drill", "Mock Recall"),
    ("move", "Stock Move"),
]


# (kind, rule over the facts of a done move line), first match wins
_MOVE_KIND_RULES = [
    ("scrap", lambda f: f["scrap"]),
    ("unbuild", lambda f: f["unbuild"]),
    ("receipt", lambda f: f["source"] == "supplier"),
    ("vendor_return", lambda f: f["destination"] == "supplier"),
    ("delivery", lambda f: f["destination"] == "customer"),
    ("return", lambda f: f["source"] == "customer"),
    ("consumption", lambda f: f["production"] and f["destination"] == "production"),
    ("production", lambda f: f["production"] and f["source"] == "production"),
    ("adjustment", lambda f: f["inventory"]),
    ("transit", lambda f: "transit" in (f["source"], f["destination"])),
    ("internal", lambda f: f["source"] == f["destination"] == "internal"),
]


class StockLot(models.Model):
    """The lot's timeline: everything that happened to it, oldest first."""

    _inherit = "stock.lot"

    # ------------------------------------------------------------------
    # Timeline
    # ------------------------------------------------------------------
    def _timeline(self):
        """Everything that happened to these lots, oldest first: a list of dicts with
        ``date``, ``kind`` (see ``TIMELINE_KINDS``), ``res_model``, ``res_id``,
        ``document`` (the record to open and its name), ``quantity``, ``uom``,
        ``location``, ``partner``, ``user`` (names), and ``description``, ``lot_id``,
        ``order_model``, ``order_id``, ``order`` (purchase or sales order), ``location_id``,
        ``location_dest_id``, ``location_dest``, ``partner_id``, ``user_id``, ``uom_id``.

        One set-based query per source (:meth:`_timeline_sources`); a feature adds its
        events by adding a source.
        """
        if not self.ids:
            return []
        events = []
        for rank, source in enumerate(self._timeline_sources()):
            for event in source():
                events.append((rank, event))
        events.sort(key=lambda item: (item[1]["date"], item[0], item[1].get("res_id") or 0))
        return [event for _rank, event in events]

    def _timeline_sources(self):
        """The methods that each return the events of one kind of record, in the order
        events of the same moment are listed."""
        return [
            self._timeline_moves,
            self._timeline_test_results,
            self._timeline_holds,
            self._timeline_links,
            self._timeline_recalls,
        ]

    @api.model
    def _timeline_event(self, when, kind, record=None, **values):
        """An event dict; names of records are read in the caller's batch (prefetch)."""
        if isinstance(when, date) and not isinstance(when, datetime):
            when = datetime.combine(when, time.min)
        event = {
            "date": when,
            "kind": kind,
            "res_model": record._name if record else False,
            "res_id": record.id if record else False,
            "document": record.display_name if record else False,
            "quantity": 0.0,
            "uom": False,
            "uom_id": False,
            "location": False,
            "location_id": False,
            "location_dest": False,
            "location_dest_id": False,
            "partner": False,
            "partner_id": False,
            "user": False,
            "user_id": False,
            "order_model": False,
            "order_id": False,
            "order": False,
            "description": False,
            "lot_id": False,
        }
        for name in ("uom", "location", "location_dest", "partner", "user", "order"):
            target = values.pop(name, None)
            if target:
                event[name] = target.display_name
                event[f"{name}_id" if name != "order" else "order_id"] = target.id
                if name == "order":
                    event["order_model"] = target._name
        event.update(values)
        return event

    def _timeline_moves(self):
        """Done stock moves of the lots: receipts, production, consumption, internal moves,
        deliveries, returns, scraps, adjustments; one query."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT ml.id, ml.lot_id, ml.date, ml.quantity_product_uom, ml.location_id,
                       ml.location_dest_id, src.usage, dest.usage, ml.picking_id,
                       pol.order_id, sol.order_id, move.raw_material_production_id,
                       move.production_id, move.unbuild_id, move.scrap_id, move.is_inventory,
                       COALESCE(picking.partner_id, move.partner_id), ml.write_uid,
                       product.uom_id, move.id
                  FROM stock_move_line ml
                  JOIN stock_move move ON move.id = ml.move_id
                  JOIN product_product pp ON pp.id = ml.product_id
                  JOIN product_template product ON product.id = pp.product_tmpl_id
                  JOIN stock_location src ON src.id = ml.location_id
                  JOIN stock_location dest ON dest.id = ml.location_dest_id
                  LEFT JOIN stock_picking picking ON picking.id = ml.picking_id
                  LEFT JOIN purchase_order_line pol ON pol.id = move.purchase_line_id
                  LEFT JOIN sale_order_line sol ON sol.id = move.sale_line_id
                 WHERE ml.lot_id = ANY(%(lot_ids)s) AND ml.state = 'done'
                   AND ml.company_id = ANY(%(company_ids)s)
                 ORDER BY ml.date, ml.id
                """,
                lot_ids=self.ids,
                company_ids=self._trace_company_ids(),
            )
        )
        rows = self.env.cr.fetchall()
        # sudo: who may read a lot's history sees which document moved it, even without
        # purchase, sales or manufacturing rights; opening the document still checks them
        record = self._timeline_records(
            self.sudo().env,
            rows,
            {
                "stock.location": (4, 5),
                "stock.picking": (8,),
                "purchase.order": (9,),
                "sale.order": (10,),
                "mrp.production": (11, 12),
                "mrp.unbuild": (13,),
                "stock.scrap": (14,),
                "res.partner": (16,),
                "res.users": (17,),
                "uom.uom": (18,),
                "stock.move": (19,),
            },
        )
        events = []
        for (
            _line_id,
            lot_id,
            when,
            quantity,
            source_id,
            destination_id,
            source_usage,
            destination_usage,
            picking_id,
            purchase_id,
            sale_id,
            consumed_in_id,
            produced_by_id,
            unbuild_id,
            scrap_id,
            is_inventory,
            partner_id,
            user_id,
            uom_id,
            move_id,
        ) in rows:
            kind = self._timeline_move_kind(
                source_usage,
                destination_usage,
                consumed_in_id or produced_by_id,
                unbuild_id,
                scrap_id,
                is_inventory,
            )
            document = (
                record("stock.scrap", scrap_id)
                or record("mrp.unbuild", unbuild_id)
                or record("mrp.production", consumed_in_id or produced_by_id)
                or record("stock.picking", picking_id)
                or record("stock.move", move_id)
            )
            order = record("purchase.order", purchase_id) or record("sale.order", sale_id)
            outgoing = kind in ("consumption", "delivery", "vendor_return", "scrap")
            events.append(
                self._timeline_event(
                    when,
                    kind,
                    document,
                    lot_id=lot_id,
                    quantity=quantity,
                    uom=record("uom.uom", uom_id),
                    location=record(
                        "stock.location",
                        source_id
                        if outgoing or kind in ("internal", "transit")
                        else destination_id,
                    ),
                    location_dest=record("stock.location", destination_id),
                    partner=record("res.partner", partner_id),
                    user=record("res.users", user_id),
                    order=order,
                )
            )
        return events

    @api.model
    def _timeline_records(self, env, rows, columns):
        """``record(model, id)``: records of ``rows`` (ids in ``columns`` per model), each
        model's names read in one batch when the first is read."""
        prefetch = {
            model: tuple({row[index] for row in rows for index in indexes} - {None})
            for model, indexes in columns.items()
        }

        def record(model, record_id):
            if not record_id:
                return None
            return env[model].browse(record_id).with_prefetch(prefetch[model])

        return record

    @api.model
    def _timeline_move_kind(self, source, destination, production, unbuild, scrap, inventory):
        """The kind of a done move line, from its locations' usages and its move: the
        first rule of ``_MOVE_KIND_RULES`` that matches."""
        facts = {
            "source": source,
            "destination": destination,
            "production": bool(production),
            "unbuild": bool(unbuild),
            "scrap": bool(scrap),
            "inventory": bool(inventory) or "inventory" in (source, destination),
        }
        return next(
            (kind for kind, rule in _MOVE_KIND_RULES if rule(facts)),
            "move",
        )

    def _timeline_test_results(self):
        """Quality results of the lots, when the quality feature is installed."""
        if "stock.lot.test.result" not in self.env:
            return []
        results = self.env["stock.lot.test.result"]
        if not results.has_access("read"):
            return []
        events = []
        for result in results.search([("lot_id", "in", self.ids)]):
            verdict = _("passed") if result.passed else _("failed")
            value = result.text_value or result.value
            spec = result.spec_id.display_name
            events.append(
                self._timeline_event(
                    result.date or result.create_date,
                    "test_result",
                    result,
                    lot_id=result.lot_id.id,
                    user=result.analyst_id or result.create_uid,
                    description=f"{spec}: {value} ({verdict})" if spec else verdict,
                )
            )
        return events

    def _timeline_holds(self):
        """Holds placed on the lots, and their release or cancellation."""
        holds = self.env["stock.lot.hold"].search([("lot_id", "in", self.ids)])
        reasons = dict(holds._fields["reason"]._description_selection(self.env))
        events = []
        for hold in holds:
            events.append(
                self._timeline_event(
                    hold.placed_at,
                    "hold_placed",
                    hold,
                    lot_id=hold.lot_id.id,
                    user=hold.placed_by_id,
                    description=" — ".join(filter(None, [reasons[hold.reason], hold.note])),
                )
            )
            if hold.state in ("released", "cancelled") and hold.released_at:
                events.append(
                    self._timeline_event(
                        hold.released_at,
                        "hold_released" if hold.state == "released" else "hold_cancelled",
                        hold,
                        lot_id=hold.lot_id.id,
                        user=hold.released_by_id,
                        description=hold.release_note,
                    )
                )
        return events

    def _timeline_links(self):
        """Repacks (into and from the lots) and links recorded by hand."""
        links = self.env["stock.lot.link"].search(
            [
                ("kind", "in", ("repack", "manual")),
                "|",
                ("parent_lot_id", "in", self.ids),
                ("child_lot_id", "in", self.ids),
            ]
        )
        events = []
        for link in links:
            for lot, other, kind in (
                (link.parent_lot_id, link.child_lot_id, "repack"),
                (link.child_lot_id, link.parent_lot_id, "repacked_from"),
            ):
                if lot.id not in self.ids:
                    continue
                events.append(
                    self._timeline_event(
                        link.date,
                        kind if link.kind == "repack" else "manual_link",
                        link,
                        lot_id=lot.id,
                        quantity=link.quantity,
                        uom=link.product_uom_id,
                        user=link.create_uid,
                        description=other.display_name,
                    )
                )
        return events

    def _timeline_recalls(self):
        """Recalls (and drills) whose scope included the lots, when it first did."""
        # sudo: a lot's history says it was recalled (its condition says so too) to every
        # user who may read the lot; opening the recall still needs recall rights
        lines = (
            self.env["stock.recall.lot"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", self.ids),
                    ("recall_id.company_id", "in", self.env.companies.ids),
                    ("recall_id.state", "!=", "cancelled"),
                ]
            )
        )
        events, seen = [], set()
        for line in lines.sorted(
            lambda line: (line.scope_id.computed_at or line.recall_id.scope_started_at, line.id)
        ):
            recall = line.recall_id
            if (recall, line.lot_id) in seen:
                continue
            seen.add((recall, line.lot_id))
            events.append(
                self._timeline_event(
                    line.scope_id.computed_at or recall.scope_started_at,
                    "recall_drill" if recall.is_drill else "recall",
                    recall,
                    lot_id=line.lot_id.id,
                    user=line.scope_id.computed_by_id,
                    description=_("In scope at depth %s", line.depth),
                )
            )
        return events

    def action_view_timeline(self):
        self.ensure_one()
        entries = self.env["stock.lot.timeline"]._create_for_lot(self)
        return {
            "type": "ir.actions.act_window",
            "name": _("Timeline of %s", self.display_name),
            "res_model": "stock.lot.timeline",
            "view_mode": "list,form",
            "domain": [("id", "in", entries.ids)],
            "context": {"create": False},
        }
