from odoo import _, models
from odoo.exceptions import UserError


class StockRecallPartner(models.Model):
    """Return receipts of a customer's deliveries of the affected lots, made with
    Odoo's return wizard, once per picking."""

    _inherit = "stock.recall.partner"

    def action_create_return(self):
        """Create return receipts for this customer's deliveries of the affected lots.

        Odoo's own return wizard, once per delivery, for the quantity of each lot still at
        the customer; the return's lines get those lots (its destination is the
        warehouse's quarantine location while the recall is open).
        """
        self.ensure_one()
        self._check_open()
        returns = self.env["stock.picking"]
        for picking, deliveries in self.delivery_ids.grouped("picking_id").items():
            quantities = {}
            for delivery in deliveries.filtered(lambda delivery: delivery.net_qty > 0):
                key = (delivery.move_line_id.move_id, delivery.lot_id)
                quantities[key] = quantities.get(key, 0.0) + delivery.net_qty
            if picking and quantities:
                returns |= self._create_return_picking(picking, quantities)
        if not returns:
            raise UserError(_("Nothing left to return from %s.", self.partner_id.display_name))
        returns.recall_partner_id = self
        return {
            "type": "ir.actions.act_window",
            "name": _("Return Receipts"),
            "res_model": "stock.picking",
            "view_mode": "list,form",
            "domain": [("id", "in", returns.ids)],
        }

    def _create_return_picking(self, picking, quantities):
        """A return of ``picking`` through Odoo's return wizard, for ``{(delivered move,
        lot): quantity}`` (product unit of measure)."""
        context = {"active_id": picking.id, "active_ids": picking.ids}
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_model="stock.picking", **context)
            .create({"picking_id": picking.id})
        )
        for line in wizard.product_return_moves:
            line.quantity = sum(
                qty for (move, _lot), qty in quantities.items() if move == line.move_id
            )
        action = wizard.action_create_returns()
        returned = self.env["stock.picking"].browse(action["res_id"])
        for move in returned.move_ids:
            lots = {
                lot: qty
                for (delivered, lot), qty in quantities.items()
                if delivered == move.origin_returned_move_id
            }
            self._set_return_lots(move, lots)
        return returned

    def _set_return_lots(self, move, lots):
        """Make the return ``move`` bring back exactly ``{lot: quantity}``: the lines the
        wizard gave it are set to those lots and quantities (spare ones to zero, which
        validation drops); nothing else is touched."""
        todo, spare = dict(lots), []
        for line in move.move_line_ids:
            if line.lot_id in todo:
                line.quantity = todo.pop(line.lot_id)
            else:
                spare.append(line)
        for lot, quantity in todo.items():
            if spare:
                spare.pop(0).write({"lot_id": lot.id, "quantity": quantity})
            else:
                self.env["stock.move.line"].create(
                    {**move._prepare_move_line_vals(quantity=quantity), "lot_id": lot.id}
                )
        for line in spare:
            line.quantity = 0.0
        move.picked = True
