from collections import defaultdict

from odoo import _, api, fields, models
from odoo.exceptions import UserError

GRAPH_DIRECTIONS = ("both", "up", "down")


class StockLot(models.Model):
    """The genealogy graph: a lot's upstream and downstream as nodes and edges, with the
    suppliers of its upstream-most lots and the customers of its downstream, for the
    client action ``stock_lot_traceability.genealogy_graph`` (one call draws it all)."""

    _inherit = "stock.lot"

    @api.readonly
    def _genealogy_graph(self, direction="both", max_depth=None):
        """Return ``{'nodes': [...], 'edges': [...]}`` of these lots' genealogy.

        The trace engine gives the lots (upstream at negative depths, downstream at
        positive ones, these lots at 0); the links between them, the receipts of the
        upstream-most lots and the deliveries of the lots at depth 0 or more are then read
        set-based, so the number of queries does not grow with the number of lots.
        """
        if direction not in GRAPH_DIRECTIONS:
            raise UserError(_("Unknown genealogy direction %s: use both, up or down.", direction))
        max_depth = self._genealogy_max_depth(max_depth)
        depths = dict.fromkeys(self.ids, 0)
        if direction in ("up", "both"):
            for lot_id, depth in self._trace("up", max_depth).items():
                depths.setdefault(lot_id, -depth)
        if direction in ("down", "both"):
            for lot_id, depth in self._trace("down", max_depth).items():
                depths.setdefault(lot_id, depth)
        return self._genealogy_graph_from_depths(depths)

    @api.readonly
    def genealogy_graph_data(self, direction="both", max_depth=None):
        """:meth:`_genealogy_graph` for the web client (private methods are not callable
        over RPC); the lots must be readable by the user."""
        self.check_access("read")
        return self._genealogy_graph(direction=direction, max_depth=max_depth)

    @api.model
    def _genealogy_max_depth(self, max_depth):
        """``None`` (no limit) or a whole number of 1 or more; anything else is refused."""
        if max_depth is None or max_depth is False or max_depth == "":
            return None
        if isinstance(max_depth, str) and max_depth.strip().isdigit():
            max_depth = int(max_depth)
        if isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 1:
            raise UserError(
                _(
                    "The maximum depth of a genealogy must be a whole number of 1 or more, not %s.",
                    max_depth,
                )
            )
        return max_depth

    def _genealogy_graph_from_depths(self, depths, highlight_customers=False):
        """Build the graph of the lots ``{lot_id: signed depth}`` (the roots are ``self``).

        ``highlight_customers``: the customers shown are the affected ones of a recall.
        """
        lots = self.browse(depths).with_context(active_test=False)
        nodes = [self._genealogy_lot_node(lot, depths[lot.id]) for lot in lots]
        edges = self._genealogy_link_edges(depths)
        has_parent = {edge["target"] for edge in edges}
        sources = lots.filtered(lambda lot: f"lot-{lot.id}" not in has_parent)
        min_depth = min(depths.values(), default=0)
        max_depth = max(depths.values(), default=0)
        supplier_nodes, supplier_edges = sources._genealogy_suppliers(min_depth - 1)
        customer_lots = lots.filtered(lambda lot: depths[lot.id] >= 0)
        customer_nodes, customer_edges = customer_lots._genealogy_customers(
            max_depth + 1, highlight_customers
        )
        return {
            "nodes": supplier_nodes + nodes + customer_nodes,
            "edges": supplier_edges + edges + customer_edges,
            "roots": [f"lot-{lot_id}" for lot_id in self.ids],
        }

    def _genealogy_state(self, now):
        """free, held, recalled or expired, in the precedence of the lot's condition."""
        self.ensure_one()
        if self.lot_condition == "recalled":
            return "recalled"
        if self.lot_condition == "expired" or (
            self.expiration_date and self.expiration_date <= now
        ):
            return "expired"
        if self.hold_state == "held" or self.lot_condition == "on_hold":
            return "held"
        return "free"

    def _genealogy_lot_node(self, lot, depth):
        now = fields.Datetime.now()
        return {
            "id": f"lot-{lot.id}",
            "type": "lot",
            "res_model": "stock.lot",
            "res_id": lot.id,
            "name": lot.name,
            "product": lot.product_id.display_name,
            "quantity": lot.product_qty,
            "uom": lot.product_uom_id.name,
            "depth": depth,
            "state": lot._genealogy_state(now),
            "is_root": lot.id in self.ids,
            "highlight": False,
        }

    def _genealogy_link_edges(self, depths):
        """Active links whose both ends are in the graph, one search for all of them."""
        if not depths:
            return []
        links = self.env["stock.lot.link"].search(
            [
                ("parent_lot_id", "in", list(depths)),
                ("child_lot_id", "in", list(depths)),
                ("company_id", "in", self._trace_company_ids()),
            ],
            order="date, id",
        )
        kinds = dict(links._fields["kind"]._description_selection(self.env))
        return [
            {
                "id": f"link-{link.id}",
                "source": f"lot-{link.parent_lot_id.id}",
                "target": f"lot-{link.child_lot_id.id}",
                "kind": link.kind,
                "kind_label": kinds.get(link.kind, link.kind),
                "quantity": link.quantity,
                "uom": link.product_uom_id.name or link.parent_lot_id.product_uom_id.name,
            }
            for link in links
        ]

    def _genealogy_suppliers(self, depth):
        """Vendor nodes and receipt edges of these lots (``_trace_receipts``, in bulk)."""
        quantities = defaultdict(float)
        vendors = self.env["res.partner"]
        for line in self._trace_receipts():
            move = line.move_id
            vendor = (
                move.purchase_line_id.order_id.partner_id
                or line.picking_id.partner_id
                or move.partner_id
            ).commercial_partner_id
            if not vendor:
                continue
            vendors |= vendor
            quantities[vendor.id, line.lot_id.id] += line.quantity_product_uom
        nodes = [self._genealogy_partner_node(vendor, "supplier", depth) for vendor in vendors]
        edges = [
            {
                "id": f"receipt-{vendor_id}-{lot_id}",
                "source": f"supplier-{vendor_id}",
                "target": f"lot-{lot_id}",
                "kind": "receipt",
                "kind_label": _("Receipt"),
                "quantity": quantity,
                "uom": self.browse(lot_id).product_uom_id.name,
            }
            for (vendor_id, lot_id), quantity in quantities.items()
        ]
        return nodes, edges

    def _genealogy_customers(self, depth, highlight):
        """Customer nodes and delivery edges of these lots, net of customer returns."""
        rows = self._trace_customer_quantities()
        partners = self.env["res.partner"].browse(row["partner_id"] for row in rows)
        nodes = [
            dict(self._genealogy_partner_node(partner, "customer", depth), highlight=highlight)
            for partner in partners
        ]
        edges = [
            {
                "id": f"delivery-{row['partner_id']}-{row['lot_id']}",
                "source": f"lot-{row['lot_id']}",
                "target": f"customer-{row['partner_id']}",
                "kind": "delivery",
                "kind_label": _("Delivery"),
                "quantity": row["net"],
                "delivered": row["delivered"],
                "returned": row["returned"],
                "uom": self.browse(row["lot_id"]).product_uom_id.name,
            }
            for row in rows
        ]
        return nodes, edges

    @api.model
    def _genealogy_partner_node(self, partner, kind, depth):
        return {
            "id": f"{kind}-{partner.id}",
            "type": kind,
            "res_model": "res.partner",
            "res_id": partner.id,
            "name": partner.display_name,
            "depth": depth,
            "highlight": False,
        }

    def action_open_genealogy_graph(self):
        """The genealogy graph of this lot (client action)."""
        self.ensure_one()
        return {
            "type": "ir.actions.client",
            "tag": "stock_lot_traceability.genealogy_graph",
            "name": _("Genealogy of %s", self.display_name),
            "params": {"res_model": "stock.lot", "res_id": self.id},
            "context": {"active_model": "stock.lot", "active_id": self.id},
        }
