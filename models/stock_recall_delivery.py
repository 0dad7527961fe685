from odoo import _, api, fields, models

from . import evidence


class StockRecallDelivery(models.Model):
    """A customer shipment of an affected lot."""

    _name = "stock.recall.delivery"
    _description = "Recall Affected Delivery"
    _order = "recall_id, date_done, id"

    recall_id = fields.Many2one("stock.recall", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="recall_id.company_id", store=True)
    scope_id = fields.Many2one(
        "stock.recall.scope",
        string="Scope Version",
        index=True,
        ondelete="cascade",
        readonly=True,
    )
    superseded = fields.Boolean(
        string="Older Scope",
        readonly=True,
        help="Line of an older scope version, kept as it was computed.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        index=True,
        ondelete="restrict",
        help="Empty when the delivery named no partner: such shipments must be chased by hand.",
    )
    partner_line_id = fields.Many2one(
        "stock.recall.partner", string="Customer Line", index="btree_not_null", ondelete="set null"
    )
    ship_to_partner_id = fields.Many2one("res.partner", string="Ship To", ondelete="restrict")
    picking_id = fields.Many2one("stock.picking", string="Delivery", ondelete="restrict")
    sale_id = fields.Many2one("sale.order", string="Sale Order", ondelete="restrict")
    move_line_id = fields.Many2one("stock.move.line", ondelete="restrict")
    lot_id = fields.Many2one("stock.lot", required=True, ondelete="restrict")
    product_id = fields.Many2one("product.product", required=True, ondelete="restrict")
    product_uom_id = fields.Many2one(related="product_id.uom_id")
    quantity = fields.Float(string="Shipped", digits="Product Unit of Measure")
    returned_qty = fields.Float(string="Returned", digits="Product Unit of Measure")
    net_qty = fields.Float(
        string="Net", digits="Product Unit of Measure", compute="_compute_net_qty", store=True
    )
    date_done = fields.Datetime(string="Ship Date")
    ship_from_location_id = fields.Many2one("stock.location", string="Ship From")

    @api.model_create_multi
    def create(self, vals_list):
        recalls = self.env["stock.recall"].browse(
            {vals["recall_id"] for vals in vals_list if vals.get("recall_id")}
        )
        evidence.check_system_change(self, recalls, _("created"))
        return super().create(vals_list)

    def write(self, vals):
        evidence.check_system_change(self, self.recall_id, _("changed"))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_evidence(self):
        evidence.check_system_change(self, self.recall_id, _("deleted"))

    @api.depends("quantity", "returned_qty")
    def _compute_net_qty(self):
        for delivery in self:
            delivery.net_qty = max(delivery.quantity - delivery.returned_qty, 0.0)

    @api.model
    def _values_for_lots(self, lots):
        """One value dict per done customer delivery line of these lots, returns netted."""
        lines = lots._trace_deliveries()
        returned = self._returned_quantities(lines)
        values = []
        for line in lines:
            picking = line.picking_id
            ship_to = picking.partner_id or line.move_id.partner_id
            values.append(
                {
                    "partner_id": ship_to.commercial_partner_id.id,
                    "ship_to_partner_id": ship_to.id,
                    "picking_id": picking.id,
                    "sale_id": line.move_id.sale_line_id.order_id.id,
                    "move_line_id": line.id,
                    "lot_id": line.lot_id.id,
                    "product_id": line.product_id.id,
                    "quantity": line.quantity_product_uom,
                    "returned_qty": returned.get((line.move_id.id, line.lot_id.id), 0.0),
                    "date_done": line.date,
                    "ship_from_location_id": line.location_id.id,
                }
            )
        return values

    @api.model
    def _returned_quantities(self, delivery_lines):
        """``{(delivered move, lot): quantity}`` brought back by done returns of those moves."""
        if not delivery_lines:
            return {}
        returns = self.env["stock.move.line"].search(
            [
                ("state", "=", "done"),
                ("move_id.origin_returned_move_id", "in", delivery_lines.move_id.ids),
                ("lot_id", "in", delivery_lines.lot_id.ids),
                ("location_id.usage", "=", "customer"),
            ]
        )
        result = {}
        for line in returns:
            key = (line.move_id.origin_returned_move_id.id, line.lot_id.id)
            result[key] = result.get(key, 0.0) + line.quantity_product_uom
        return result
