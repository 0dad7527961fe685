from datetime import timedelta

from odoo import _, fields, models


class StockMove(models.Model):
    _inherit = "stock.move"

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
        return moves

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
