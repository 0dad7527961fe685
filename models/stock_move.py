from datetime import timedelta

from odoo import _, fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

    adjustment_reason_id = fields.Many2one(
        "stock.adjustment.reason",
        index="btree_not_null",
        readonly=True,
        help="Why this inventory adjustment was made, as given when the count was applied.",
    )
    adjustment_currency_id = fields.Many2one(
        related="company_id.currency_id", help="Currency of the adjustment value."
    )
    adjustment_value = fields.Monetary(
        currency_field="adjustment_currency_id",
        readonly=True,
        help="Value of an inventory adjustment: quantity x unit cost, from the stock "
        "valuation when it exists, else the product cost. Negative for a loss.",
    )

    def _reserves_held_lots(self):
        """Only moves the hold rule allows (quarantine, vendor, scrap) reserve a held lot."""
        return bool(self) and all(
            move.location_dest_id._accepts_held_lots_from(move.location_id) for move in self
        )

    def _update_reserved_quantity(
        self, need, location_id, lot_id=None, package_id=None, owner_id=None, strict=True
    ):
        move = self if self._reserves_held_lots() else self.with_context(exclude_held_lots=True)
        move = move._with_min_shelf_life()
        return super(StockMove, move)._update_reserved_quantity(
            need,
            location_id,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            strict=strict,
        )

    def _get_available_quantity(
        self,
        location_id,
        lot_id=None,
        package_id=None,
        owner_id=None,
        strict=False,
        allow_negative=False,
    ):
        move = self if self._reserves_held_lots() else self.with_context(exclude_held_lots=True)
        move = move._with_min_shelf_life()
        return super(StockMove, move)._get_available_quantity(
            location_id,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            strict=strict,
            allow_negative=allow_negative,
        )

    def _min_expiration_date(self):
        """The earliest expiration date a lot may have for this move: its customer's
        minimum remaining shelf life counted from the arrival (the move's date, or now if
        later). ``False`` when the customer has no minimum or this is not a delivery."""
        self.ensure_one()
        partner = self.picking_id.partner_id or self.partner_id
        if (
            not partner
            or self.location_dest_id.usage != "customer"
            or not self.product_id.use_expiration_date
        ):
            return False
        days = partner._min_shelf_life_days()
        if not days:
            return False
        return max(self.date or fields.Datetime.now(), fields.Datetime.now()) + timedelta(days=days)

    def _with_min_shelf_life(self):
        """Reservation skips lots that would arrive with less than the customer's minimum
        remaining shelf life (``stock.quant._get_gather_domain``)."""
        min_date = len(self) == 1 and self._min_expiration_date()
        return self.with_context(min_expiration_date=min_date) if min_date else self

    def _action_done(self, cancel_backorder=False):
        # the hold gate itself is in stock.move.line._action_done, where every movement passes
        moves = super()._action_done(cancel_backorder=cancel_backorder)
        moves._hold_lots_received_for_inspection()
        moves._record_adjustment_value()
        return moves

    def _record_adjustment_value(self):
        """Store the value of done inventory adjustments (after stock_account valued them)."""
        for move in self.filtered(lambda move: move.is_inventory and move.state == "done"):
            move.adjustment_value = move._adjustment_value()

    def _adjustment_value(self):
        """Signed value of this inventory move: its valuation layers when stock_account is
        installed and valued it, else quantity x the product's cost."""
        self.ensure_one()
        if "stock_valuation_layer_ids" in self._fields:
            # sudo: the valuation is read for the record, whoever applies the count
            layers = self.sudo().stock_valuation_layer_ids
            if layers:
                return sum(layers.mapped("value"))
        quantity = self.product_uom._compute_quantity(self.quantity, self.product_id.uom_id)
        sign = 1 if self.location_id.usage not in ("internal", "transit") else -1
        cost = self.product_id.with_company(self.company_id).standard_price
        return self.adjustment_currency_id.round(sign * quantity * cost)

    def _hold_lots_received_for_inspection(self):
        """Hold every lot received from a vendor for a product that asks for inspection."""
        lines = self.move_line_ids.filtered(
            lambda line: (
                line.state == "done"
                and line.lot_id
                and line.location_id.usage == "supplier"
                and line.product_id.product_tmpl_id._holds_on_receipt()
            )
        )
        lots = lines.lot_id.filtered(
            lambda lot: (
                not lot.sudo().active_hold_ids.filtered(
                    lambda hold: hold.reason == "incoming_inspection"
                )
            )
        )
        if lots:
            # sudo: the hold is placed by the system when the receiving user (an inventory
            # user, not necessarily a quality manager) validates the receipt
            lots.sudo()._place_hold(
                "incoming_inspection",
                _("Received on %s, waiting for incoming inspection.", lines.picking_id[:1].name),
            )
