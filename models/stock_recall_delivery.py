from odoo import _, api, fields, models
from odoo.tools import SQL

from . import evidence


class StockRecallDelivery(models.Model):
    """A customer shipment of an affected lot."""

    _name = "stock.recall.delivery"
    _inherit = ["stock.lot.check.mixin"]
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
                    "returned_qty": returned.get(line.id, 0.0),
                    "date_done": line.date,
                    "ship_from_location_id": line.location_id.id,
                }
            )
        return values

    @api.model
    def _returned_quantities(self, delivery_lines):
        """``{delivery line id: quantity}`` brought back from the customer.

        Every done move from a customer location counts, however it was made (Odoo's
        return wizard, the recall's *Create Return*, a receipt typed by hand): it nets the
        deliveries of the same customer (commercial entity) and lot, as
        ``stock.lot._trace_customer_quantities`` does. A return made from a delivery goes to
        that delivery first; the rest to the customer's deliveries of the lot, newest first.
        No delivery gets more back than it shipped.
        """
        if not delivery_lines:
            return {}
        left = {line.id: line.quantity_product_uom for line in delivery_lines}
        by_customer, by_move = {}, {}
        for line in delivery_lines.sorted(lambda line: (line.date, line.id), reverse=True):
            partner = (line.picking_id.partner_id or line.move_id.partner_id).commercial_partner_id
            by_customer.setdefault((partner.id, line.lot_id.id), []).append(line.id)
            by_move.setdefault((line.move_id.id, line.lot_id.id), []).append(line.id)
        returned = {}

        def allocate(line_ids, quantity):
            for line_id in line_ids:
                take = min(quantity, left[line_id])
                if take > 0:
                    returned[line_id] = returned.get(line_id, 0.0) + take
                    left[line_id] -= take
                    quantity -= take
            return quantity

        pooled = {}
        for partner_id, lot_id, origin_move_id, quantity in self._customer_returns(
            delivery_lines.lot_id
        ):
            rest = allocate(by_move.get((origin_move_id, lot_id), []), quantity)
            pooled[partner_id, lot_id] = pooled.get((partner_id, lot_id), 0.0) + rest
        for key, quantity in pooled.items():
            allocate(by_customer.get(key, []), quantity)
        return returned

    @api.model
    def _customer_returns(self, lots):
        """Done moves of these lots out of a customer location, as rows ``(customer,
        lot id, returned delivery move id, quantity)`` (product unit of measure)."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(partner.commercial_partner_id, partner.id), ml.lot_id,
                       move.origin_returned_move_id, ml.quantity_product_uom
                  FROM stock_move_line ml
                  JOIN stock_move move ON move.id = ml.move_id
                  JOIN stock_location src ON src.id = ml.location_id
                  JOIN stock_location dest ON dest.id = ml.location_dest_id
                  LEFT JOIN stock_picking picking ON picking.id = ml.picking_id
                  LEFT JOIN res_partner partner
                    ON partner.id = COALESCE(picking.partner_id, move.partner_id)
                 WHERE ml.lot_id = ANY(%(lot_ids)s) AND ml.state = 'done'
                   AND ml.company_id = ANY(%(company_ids)s)
                   AND src.usage = 'customer' AND dest.usage != 'customer'
                 ORDER BY ml.date, ml.id
                """,
                lot_ids=lots.ids,
                company_ids=lots._trace_company_ids(),
            )
        )
        return self.env.cr.fetchall()
