from odoo import Command, _, api, models
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
            raise UserError(
                _("Manufacturing order %(order)s could not be completed.", order=production.name)
            )
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
            raise UserError(
                _("Transfer %(transfer)s could not be validated.", transfer=picking.name)
            )

    @api.model
    def _confirm_wizard(self, action):
        """Answer the confirmation Odoo asks on validation (backorder, expiry, consumption)."""
        wizard = self.env[action["res_model"]].with_context(**action.get("context", {})).create({})
        for method in ("process", "action_confirm", "action_backorder"):
            if hasattr(wizard, method):
                return getattr(wizard, method)()
        raise UserError(_("Unexpected confirmation %(model)s.", model=action["res_model"]))
