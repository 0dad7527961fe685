from odoo import Command, api, models
from odoo.exceptions import UserError


class StockLotTraceabilityFlow(models.AbstractModel):
    """Real Odoo flows that move lots: purchase receipts, manufacturing, sales, returns.

    Used by the demo data and the tests so that both record lots exactly as a user working
    in Odoo would: purchase and sale orders are confirmed, pickings and manufacturing
    orders are validated through their own buttons.
    """

    _name = "stock.lot.traceability.flow"
    _description = "Lot Traceability Flows"

    @api.model
    def _receive_lots(self, vendor, lines, date_planned=None):
        """Buy and receive lots. ``lines``: ``(product, lot_name, quantity)`` tuples.

        Returns the receipt; its lots are ``receipt.move_line_ids.lot_id``.
        """
        order = self.env["purchase.order"].create(
            {
                "partner_id": vendor.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_qty": quantity,
                            "price_unit": product.standard_price or 1.0,
                            **({"date_planned": date_planned} if date_planned else {}),
                        }
                    )
                    for product, _lot_name, quantity in lines
                ],
            }
        )
        order.button_confirm()
        receipt = order.picking_ids
        for move, (_product, lot_name, quantity) in zip(
            receipt.move_ids.sorted("id"), lines, strict=True
        ):
            self._pick(move, [({"lot_name": lot_name}, quantity)])
        self._validate_picking(receipt)
        return receipt

    @api.model
    def _produce_lot(self, product, quantity, lot_name, consumed, bom=None):
        """Manufacture ``quantity`` of ``product`` into a new lot ``lot_name``.

        ``consumed``: ``{lot: quantity}`` of the component lots actually used.
        Returns the done manufacturing order.
        """
        bom = bom or self.env["mrp.bom"]._bom_find(product)[product]
        production = self.env["mrp.production"].create(
            {"product_id": product.id, "product_qty": quantity, "bom_id": bom.id}
        )
        production.action_confirm()
        production.lot_producing_id = self.env["stock.lot"].create(
            {
                "name": lot_name,
                "product_id": product.id,
                "company_id": production.company_id.id,
            }
        )
        production.qty_producing = quantity
        for move in production.move_raw_ids:
            self._pick_lots(move, consumed.items())
        result = production.button_mark_done()
        if isinstance(result, dict) and result.get("res_model"):
            self._confirm_wizard(result)
        if production.state != "done":
            raise UserError(f"Manufacturing order {production.name} could not be completed.")
        return production

    @api.model
    def _deliver_lots(self, customer, lines, ordered=None):
        """Sell and ship lots. ``lines``: ``(product, lot, quantity)`` tuples shipped now.

        ``ordered`` optionally maps a product to the quantity sold, when it is more than
        what is shipped now (a partial delivery leaving a backorder).
        Returns the done delivery.
        """
        ordered = ordered or {}
        per_product = {}
        for product, _lot, quantity in lines:
            per_product[product] = per_product.get(product, 0.0) + quantity
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": max(quantity, ordered.get(product, 0.0)),
                        }
                    )
                    for product, quantity in per_product.items()
                ],
            }
        )
        order.action_confirm()
        delivery = order.picking_ids
        for move in delivery.move_ids:
            self._pick_lots(move, [(lot, quantity) for _product, lot, quantity in lines])
        self._validate_picking(delivery)
        return delivery

    @api.model
    def _return_delivery(self, delivery, quantities):
        """Take back part of a delivery: ``quantities`` maps lots to quantities returned."""
        returned = self._prepare_return(delivery, quantities)
        self._validate_picking(returned)
        return returned

    @api.model
    def _prepare_return(self, delivery, quantities):
        """A return receipt of ``delivery``, ready to validate, for ``{lot: quantity}``."""
        wizard = (
            self.env["stock.return.picking"]
            .with_context(
                active_id=delivery.id, active_ids=delivery.ids, active_model="stock.picking"
            )
            .create({"picking_id": delivery.id})
        )
        for return_line in wizard.product_return_moves:
            return_line.quantity = sum(
                qty for lot, qty in quantities.items() if lot.product_id == return_line.product_id
            )
        action = wizard.action_create_returns()
        returned = self.env["stock.picking"].browse(action["res_id"])
        for move in returned.move_ids:
            self._pick_lots(move, quantities.items())
        return returned

    @api.model
    def _pick_lots(self, move, lot_quantities):
        """Make ``move`` use exactly these ``(lot, quantity)`` (lots of other products skipped)."""
        self._pick(
            move,
            [
                ({"lot_id": lot.id}, qty)
                for lot, qty in lot_quantities
                if lot.product_id == move.product_id
            ],
        )

    @api.model
    def _pick(self, move, lines):
        """Replace what Odoo reserved on ``move`` by ``(extra move-line values, quantity)``."""
        move.move_line_ids.unlink()
        move.move_line_ids = [
            Command.create(
                {
                    "move_id": move.id,
                    "product_id": move.product_id.id,
                    "product_uom_id": move.product_uom.id,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                    "picking_id": move.picking_id.id,
                    "quantity": quantity,
                    **extra,
                }
            )
            for extra, quantity in lines
        ]
        move.picked = True

    @api.model
    def _validate_picking(self, picking):
        result = picking.button_validate()
        if isinstance(result, dict) and result.get("res_model"):
            self._confirm_wizard(result)
        if picking.state != "done":
            raise UserError(f"Transfer {picking.name} could not be validated.")

    @api.model
    def _confirm_wizard(self, action):
        """Answer the confirmation Odoo asks on validation (backorder, expiry, consumption)."""
        wizard = self.env[action["res_model"]].with_context(**action.get("context", {})).create({})
        for method in ("process", "action_confirm", "action_backorder"):
            if hasattr(wizard, method):
                return getattr(wizard, method)()
        raise UserError(f"Unexpected confirmation {action['res_model']}.")

    # ------------------------------------------------------------------
    # Demo data
    # ------------------------------------------------------------------
    @api.model
    def _create_demo_data(self):
        """Run a fortnight of a biscuit factory: receipts, two MO levels, deliveries."""

        def ref(name):
            return self.env.ref(f"stock_lot_traceability.{name}_demo")

        def lot(name):
            return self.env["stock.lot"].search([("name", "=", name)], limit=1)

        flour, milk, eggs, sugar = (
            ref("product_flour"),
            ref("product_milk_powder"),
            ref("product_eggs"),
            ref("product_sugar"),
        )
        premix, biscuit = ref("product_premix"), ref("product_biscuit")
        self._receive_lots(
            ref("res_partner_mill"), [(flour, "FL-24101", 500), (flour, "FL-24102", 500)]
        )
        self._receive_lots(ref("res_partner_sugar"), [(sugar, "SU-8812", 300)])
        self._receive_lots(
            ref("res_partner_dairy"), [(milk, "MP-3301", 100), (milk, "MP-3302", 100)]
        )
        self._receive_lots(ref("res_partner_farm"), [(eggs, "EG-0917", 80), (eggs, "EG-0918", 80)])

        self._produce_lot(
            premix,
            100,
            "PMX-0001",
            {lot("FL-24101"): 60, lot("SU-8812"): 25, lot("MP-3301"): 15},
        )
        self._produce_lot(
            premix,
            100,
            "PMX-0002",
            {lot("FL-24101"): 30, lot("FL-24102"): 30, lot("SU-8812"): 25, lot("MP-3301"): 15},
        )
        self._produce_lot(
            premix,
            100,
            "PMX-0003",
            {lot("FL-24102"): 60, lot("SU-8812"): 25, lot("MP-3302"): 15},
        )
        self._produce_lot(biscuit, 500, "BSC-1001", {lot("PMX-0001"): 80, lot("EG-0917"): 20})
        self._produce_lot(
            biscuit,
            500,
            "BSC-1002",
            {lot("PMX-0001"): 20, lot("PMX-0002"): 60, lot("EG-0917"): 20},
        )
        self._produce_lot(
            biscuit, 500, "BSC-1003", {lot("PMX-0002"): 40, lot("PMX-0003"): 40, lot("EG-0918"): 20}
        )
        self._produce_lot(biscuit, 300, "BSC-1004", {lot("PMX-0003"): 48, lot("EG-0918"): 12})

        customer = {
            key: ref(f"res_partner_customer_{key}")
            for key in ("freshmart", "corner", "school", "cafe", "export")
        }
        self._deliver_lots(
            customer["freshmart"],
            [(biscuit, lot("BSC-1001"), 300), (biscuit, lot("BSC-1002"), 100)],
            ordered={biscuit: 600},
        )
        self._deliver_lots(customer["corner"], [(biscuit, lot("BSC-1001"), 120)])
        school = self._deliver_lots(
            customer["school"], [(biscuit, lot("BSC-1002"), 200), (biscuit, lot("BSC-1003"), 100)]
        )
        self._deliver_lots(customer["cafe"], [(biscuit, lot("BSC-1003"), 60)])
        self._deliver_lots(
            customer["export"],
            [(biscuit, lot("BSC-1003"), 250), (biscuit, lot("BSC-1004"), 150)],
        )
        self._return_delivery(school, {lot("BSC-1002"): 20})
        self._create_demo_quality_cases(lot)

    @api.model
    def _create_demo_quality_cases(self, lot):
        """A quarantine location, eggs waiting for a lab result, and a mock-recall drill."""
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        )
        self.env["stock.location"].create(
            {
                "name": "Quarantine",
                "location_id": warehouse.view_location_id.id,
                "is_quarantine": True,
            }
        )
        lot("EG-0918")._place_hold(
            "lab_pending", "Salmonella screen sent to the lab, results expected in 48 h."
        )
        drill = self.env["stock.recall"].create(
            {
                "lot_ids": [Command.set(lot("FL-24102").ids)],
                "is_drill": True,
                "classification": "class_2",
                "reason": "Quarterly mock recall (BRCGS 3.11.3): trace flour lot FL-24102 "
                "forward to customers and back to the mill.",
            }
        )
        drill.action_compute_scope()
