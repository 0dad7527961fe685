from odoo import _, api, fields, models
from odoo.exceptions import UserError


class StockRecallPartner(models.Model):
    """A customer to notify in a recall, and what it did about it."""

    _name = "stock.recall.partner"
    _inherit = ["stock.lot.check.mixin"]
    _description = "Recall Customer"
    _order = "recall_id, partner_id"
    _non_negative_fields = ("accounted_qty",)

    recall_id = fields.Many2one("stock.recall", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="recall_id.company_id", store=True)
    is_drill = fields.Boolean(related="recall_id.is_drill")
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, index=True, ondelete="restrict"
    )
    email = fields.Char(compute="_compute_email", store=True, readonly=False)
    delivery_ids = fields.One2many("stock.recall.delivery", "partner_line_id", string="Deliveries")
    quantity = fields.Float(
        string="Shipped (net)",
        digits="Product Unit of Measure",
        help="Quantity of the affected lots shipped to this customer, net of returns "
        "made before the recall.",
    )
    state = fields.Selection(
        [
            ("to_notify", "To Notify"),
            ("notified", "Notified"),
            ("acknowledged", "Acknowledged"),
            ("returned", "Returned"),
            ("waived", "Waived"),
        ],
        default="to_notify",
        required=True,
        readonly=True,
        index=True,
    )
    notified_at = fields.Datetime(readonly=True)
    acknowledged_at = fields.Datetime(readonly=True)
    returned_qty = fields.Float(
        string="Returned",
        digits="Product Unit of Measure",
        compute="_compute_returned_qty",
        store=True,
        help="Quantity brought back by the return receipts created from this line.",
    )
    accounted_qty = fields.Float(
        string="Destroyed / Accounted For",
        digits="Product Unit of Measure",
        help="Quantity the customer confirms destroyed, or already consumed, without returning it.",
    )
    recovered_qty = fields.Float(
        string="Recovered", compute="_compute_recovered_qty", digits="Product Unit of Measure"
    )
    waive_reason = fields.Text(readonly=True)
    return_picking_ids = fields.One2many(
        "stock.picking", "recall_partner_id", string="Return Receipts"
    )
    note = fields.Text()

    @api.depends("partner_id")
    def _compute_email(self):
        for line in self:
            line.email = line.partner_id.email or line.partner_id.commercial_partner_id.email

    @api.depends(
        "return_picking_ids.state",
        "return_picking_ids.move_ids.quantity",
        "recall_id.recall_lot_ids",
    )
    def _compute_returned_qty(self):
        for line in self:
            lots = line.recall_id.recall_lot_ids.lot_id
            done_lines = line.return_picking_ids.filtered(
                lambda picking: picking.state == "done"
            ).move_line_ids.filtered(lambda ml, lots=lots: ml.lot_id in lots)
            line.returned_qty = sum(done_lines.mapped("quantity_product_uom"))

    @api.depends("returned_qty", "accounted_qty")
    def _compute_recovered_qty(self):
        for line in self:
            line.recovered_qty = line.returned_qty + line.accounted_qty

    def _check_open(self):
        self.recall_id._check_recall_manager()
        self.recall_id._check_state(("scoped", "in_progress"), _("acted on"))

    def action_acknowledge(self):
        """The customer confirmed it received the notice (and what it holds)."""
        self._check_open()
        not_notified = self.filtered(lambda line: line.state == "to_notify")
        if not_notified:
            raise UserError(
                _(
                    "Notify %(partners)s before recording an acknowledgement.",
                    partners=", ".join(not_notified.partner_id.mapped("display_name")),
                )
            )
        for line in self.filtered(lambda line: line.state == "notified"):
            line.write({"state": "acknowledged", "acknowledged_at": fields.Datetime.now()})
            line.recall_id.message_post(
                body=_("%s acknowledged the recall notice.", line.partner_id.display_name)
            )
        return True

    def action_waive(self, reason):
        """Close a customer line without acknowledgement, for a stated reason."""
        self._check_open()
        if not (reason or "").strip():
            raise UserError(_("Give the reason for waiving these customers."))
        self.write({"state": "waived", "waive_reason": reason})
        for line in self:
            line.recall_id.message_post(
                body=_(
                    "%(partner)s waived: %(reason)s",
                    partner=line.partner_id.display_name,
                    reason=reason,
                )
            )
        return True

    def action_open_waive_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": _("Waive Customer"),
            "res_model": "stock.recall.cancel.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_line_ids": self.ids, "default_mode": "waive"},
        }

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

    def _update_from_returns(self):
        """A linked return receipt was validated: the customer has sent goods back."""
        for line in self:
            if line.returned_qty > 0 and line.state in ("notified", "acknowledged"):
                line.write(
                    {
                        "state": "returned",
                        "acknowledged_at": line.acknowledged_at or fields.Datetime.now(),
                    }
                )
