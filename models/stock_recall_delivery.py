from odoo import _, api, fields, models
from odoo.tools import SQL

from . import evidence
from .snapshot_fields import SnapshotMany2one


class StockRecallDelivery(models.Model):
    """A customer shipment of an affected lot."""

    _name = "stock.recall.delivery"
    _inherit = ["stock.lot.check.mixin", "stock.recall.evidence.mixin"]
    _description = "Recall Affected Delivery"
    _order = "recall_id, date_done, id"
    # A supplier recall writes tens of thousands of these lines at once, and PostgreSQL
    # checks every foreign key of every row (models/snapshot_fields.py): the lines keep
    # as columns only what they snapshot (customer, lot, product, quantities, date) and
    # read the rest from their move line (a done move line's picking and locations do not
    # change). Who computed them and when is on their scope version.
    _log_access = False

    recall_id = fields.Many2one(
        "stock.recall", required=True, index=True, ondelete="cascade", help="The recall."
    )
    company_id = fields.Many2one(related="recall_id.company_id", help="The company of the recall.")
    scope_id = SnapshotMany2one(
        "stock.recall.scope",
        string="Scope Version",
        index=True,
        ondelete="cascade",
        readonly=True,
        help="The scope version that found this delivery.",
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
        "stock.recall.partner",
        string="Customer Line",
        compute="_compute_partner_line_id",
        help="The recall's line of this delivery's customer (none once a customer who was "
        "never told left the scope).",
    )
    ship_to_partner_id = fields.Many2one(
        "res.partner",
        string="Ship To",
        compute="_compute_shipment",
        compute_sudo=True,
        help="The delivery address.",
    )
    picking_id = fields.Many2one(related="move_line_id.picking_id", string="Delivery")
    sale_id = fields.Many2one(
        "sale.order",
        string="Sale Order",
        compute="_compute_shipment",
        compute_sudo=True,
        help="The sales order shipped.",
    )
    move_line_id = SnapshotMany2one(
        "stock.move.line", required=True, ondelete="restrict", help="The delivery line."
    )
    lot_id = SnapshotMany2one(
        "stock.lot", required=True, ondelete="restrict", help="The affected lot shipped."
    )
    product_id = SnapshotMany2one(
        "product.product", required=True, ondelete="restrict", help="The product shipped."
    )
    product_uom_id = fields.Many2one(related="product_id.uom_id")
    quantity = fields.Float(
        string="Shipped",
        digits="Product Unit of Measure",
        help="Quantity shipped, in the product's unit.",
    )
    returned_qty = fields.Float(
        string="Returned",
        digits="Product Unit of Measure",
        help="Quantity the customer sent back, as of the scope.",
    )
    net_qty = fields.Float(
        string="Net",
        digits="Product Unit of Measure",
        compute="_compute_net_qty",
        store=True,
        help="Shipped minus returned.",
    )
    date_done = fields.Datetime(string="Ship Date", help="When the delivery was validated.")
    ship_from_location_id = fields.Many2one(
        related="move_line_id.location_id",
        string="Ship From",
        help="Where the lot was shipped from.",
    )

    @api.depends("move_line_id")
    def _compute_shipment(self):
        """The shipment's address (the delivery's partner, else the move's) and sale order."""
        for delivery in self:
            move = delivery.move_line_id.move_id
            delivery.ship_to_partner_id = delivery.move_line_id.picking_id.partner_id or (
                move.partner_id
            )
            delivery.sale_id = move.sale_line_id.order_id

    @api.depends("quantity", "returned_qty")
    def _compute_net_qty(self):
        for delivery in self:
            delivery.net_qty = max(delivery.quantity - delivery.returned_qty, 0.0)

    @api.depends("recall_id.partner_line_ids.partner_id", "partner_id")
    def _compute_partner_line_id(self):
        lines = {
            (line.recall_id.id, line.partner_id.id): line
            for line in self.recall_id.partner_line_ids
        }
        for delivery in self:
            delivery.partner_line_id = lines.get(
                (delivery.recall_id.id, delivery.partner_id.id), False
            )

    @api.model
    def _lines_query(self, lots, returns=False):
        """The done move lines of these lots to a customer location (deliveries) or, with
        ``returns``, out of one (returns), with their customer. Columns: ``id``, ``date``,
        ``move_id``, ``origin_move_id`` (the delivery a return was made from), ``lot_id``,
        ``product_id``, ``quantity`` (in the product's unit) and ``customer_id`` (the
        commercial entity of the picking's partner, else of the move's)."""
        if returns:
            direction = SQL(
                """src.usage = 'customer' AND dest.usage != 'customer'
                   -- the few returns of thousands of lots, found in the lot index alone
                   AND ml.location_id = ANY(ARRAY(
                       SELECT id FROM stock_location WHERE usage = 'customer'))"""
            )
        else:
            direction = SQL("dest.usage = 'customer' AND src.usage != 'customer'")
        return SQL(
            """
            SELECT ml.id, ml.date, ml.move_id, move.origin_returned_move_id AS origin_move_id,
                   ml.lot_id, ml.product_id, ml.quantity_product_uom AS quantity,
                   customer.commercial_partner_id AS customer_id
              FROM stock_move_line ml
              JOIN stock_location src ON src.id = ml.location_id
              JOIN stock_location dest ON dest.id = ml.location_dest_id
              LEFT JOIN stock_move move ON move.id = ml.move_id
              LEFT JOIN stock_picking picking ON picking.id = ml.picking_id
              LEFT JOIN res_partner customer
                ON customer.id = COALESCE(picking.partner_id, move.partner_id)
             WHERE ml.lot_id = ANY(%(lot_ids)s) AND ml.state = 'done'
               AND ml.company_id = ANY(%(company_ids)s) AND %(direction)s
            """,
            lot_ids=lots.ids,
            company_ids=lots._trace_company_ids(),
            direction=direction,
        )

    @api.model
    def _values_for_lots(self, lots):
        """One value dict per done customer delivery line of these lots, returns netted.

        Read in one query, in the order of the shipments (date, then move line).
        """
        if not lots:
            return []
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT line.id, line.date, line.move_id, line.lot_id, line.product_id, "
                "line.quantity, line.customer_id FROM (%s) AS line ORDER BY line.date, line.id",
                self._lines_query(lots),
            )
        )
        values = [
            {
                "partner_id": customer_id or False,
                "move_line_id": line_id,
                "move_id": move_id or False,
                "lot_id": lot_id,
                "product_id": product_id,
                "quantity": quantity,
                "date_done": date,
            }
            for (
                line_id,
                date,
                move_id,
                lot_id,
                product_id,
                quantity,
                customer_id,
            ) in self.env.cr.fetchall()
        ]
        returned = self._returned_quantities(values, lots)
        for vals in values:
            vals["returned_qty"] = returned.get(vals["move_line_id"], 0.0)
            del vals["move_id"]
        return values

    @api.model
    def _insert_for_scope(self, scope, lots):
        """Write the deliveries of these lots for the scope version ``scope`` in one
        ``INSERT … SELECT``: a supplier recall ships tens of thousands of lines, which never
        need to come through Python. Returns are netted as :meth:`_returned_quantities`
        allocates them, computed for the few lots that came back. Returns the ids of the
        customers shipped (commercial entities), in the order of their first delivery.
        """
        if not lots:
            return []
        returned = self._returned_for_scope(lots)
        evidence.check_system_change(self, scope.recall_id, _("created"))
        digits = self._fields["quantity"].get_digits(self.env)[1]
        self.env.cr.execute(
            SQL(
                """
                WITH inserted AS (
                    INSERT INTO stock_recall_delivery
                           (recall_id, scope_id, superseded, partner_id, move_line_id, lot_id,
                            product_id, quantity, returned_qty, net_qty, date_done)
                    SELECT %(recall_id)s, %(scope_id)s, FALSE, line.customer_id, line.id,
                           line.lot_id, line.product_id, ROUND(line.quantity, %(digits)s),
                           ROUND(COALESCE(back.quantity, 0), %(digits)s),
                           ROUND(GREATEST(line.quantity - COALESCE(back.quantity, 0), 0),
                                 %(digits)s),
                           line.date
                      FROM (%(lines)s) AS line
                      LEFT JOIN unnest(%(back_ids)s::int4[], %(back_quantities)s::numeric[])
                           AS back(id, quantity) ON back.id = line.id
                     ORDER BY line.date, line.id
                 RETURNING id, partner_id
                )
                SELECT partner_id FROM inserted WHERE partner_id IS NOT NULL
                 GROUP BY partner_id ORDER BY MIN(id)
                """,
                recall_id=scope.recall_id.id,
                scope_id=scope.id,
                digits=digits,
                lines=self._lines_query(lots),
                back_ids=list(returned),
                back_quantities=list(returned.values()),
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _returned_for_scope(self, lots):
        """``{delivery line id: quantity}`` of :meth:`_returned_quantities`, for the lots
        some customer sent back: the others need no allocation."""
        returned_lots = lots.browse({row[1] for row in self._customer_returns(lots)})
        return {
            vals["move_line_id"]: vals["returned_qty"]
            for vals in self._values_for_lots(returned_lots)
            if vals["returned_qty"]
        }

    @api.model
    def _returned_quantities(self, deliveries, lots):
        """``{delivery line id: quantity}`` brought back from the customer.

        ``deliveries``: value dicts of :meth:`_values_for_lots` (move line, move, customer,
        lot, quantity, date) of ``lots``.
        Every done move from a customer location counts, however it was made (Odoo's
        return wizard, the recall's *Create Return*, a receipt typed by hand): it nets the
        deliveries of the same customer (commercial entity) and lot, as
        ``stock.lot._trace_customer_quantities`` does. A return made from a delivery goes to
        that delivery first; the rest to the customer's deliveries of the lot, newest first.
        No delivery gets more back than it shipped.
        """
        if not deliveries:
            return {}
        left = {vals["move_line_id"]: vals["quantity"] for vals in deliveries}
        by_customer, by_move = {}, {}
        for vals in sorted(
            deliveries, key=lambda vals: (vals["date_done"], vals["move_line_id"]), reverse=True
        ):
            line_id, lot_id = vals["move_line_id"], vals["lot_id"]
            by_customer.setdefault((vals["partner_id"], lot_id), []).append(line_id)
            by_move.setdefault((vals["move_id"], lot_id), []).append(line_id)
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
        delivered_lots = lots.browse({vals["lot_id"] for vals in deliveries})
        for partner_id, lot_id, origin_move_id, quantity in self._customer_returns(delivered_lots):
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
                "SELECT line.customer_id, line.lot_id, line.origin_move_id, line.quantity "
                "FROM (%s) AS line ORDER BY line.date, line.id",
                self._lines_query(lots, returns=True),
            )
        )
        return self.env.cr.fetchall()
