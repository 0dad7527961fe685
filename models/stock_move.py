from odoo import _, models


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
        return super(StockMove, move)._get_available_quantity(
            location_id,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            strict=strict,
            allow_negative=allow_negative,
        )

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
