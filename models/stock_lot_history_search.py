from odoo import api, fields, models


class StockLot(models.Model):
    """The search of lots by the documents, partners and dates of their history."""

    _inherit = "stock.lot"

    traceability_move_line_ids = fields.One2many(
        "stock.move.line",
        "lot_id",
        string="Move History",
        readonly=True,
        help="Every stock move of the lot.",
    )
    purchase_order_search = fields.Char(
        string="Purchase Order",
        compute="_compute_history_search",
        search="_search_purchase_order",
        help="Lots received on a purchase order whose number contains this text.",
    )
    receipt_search = fields.Char(
        string="Receipt",
        compute="_compute_history_search",
        search="_search_receipt",
        help="Lots received on a receipt whose reference contains this text.",
    )
    sale_order_search = fields.Char(
        string="Sales Order",
        compute="_compute_history_search",
        search="_search_sale_order",
        help="Lots delivered on a sales order whose number contains this text.",
    )
    vendor_search_id = fields.Many2one(
        "res.partner",
        string="Vendor",
        compute="_compute_history_search",
        search="_search_vendor",
        help="Lots received from this vendor (or one of its contacts).",
    )
    customer_search_id = fields.Many2one(
        "res.partner",
        string="Customer",
        compute="_compute_history_search",
        search="_search_customer",
        help="Lots delivered to this customer (or one of its contacts).",
    )
    receipt_date_search = fields.Datetime(
        string="Received On",
        compute="_compute_history_search",
        search="_search_receipt_date",
        help="Search lots received from a vendor in a period.",
    )
    delivery_date_search = fields.Datetime(
        string="Delivered On",
        compute="_compute_history_search",
        search="_search_delivery_date",
        help="Search lots delivered to a customer in a period.",
    )

    def _compute_history_search(self):
        """Search-only fields: they hold no value."""
        for lot in self:
            lot.purchase_order_search = lot.receipt_search = lot.sale_order_search = False
            lot.vendor_search_id = lot.customer_search_id = False
            lot.receipt_date_search = lot.delivery_date_search = False

    _RECEIPT_LINES = [
        ("state", "=", "done"),
        ("location_id.usage", "=", "supplier"),
    ]
    _DELIVERY_LINES = [
        ("state", "=", "done"),
        ("location_dest_id.usage", "=", "customer"),
        ("location_id.usage", "!=", "customer"),
    ]
    _NEGATIONS = {
        "!=": "=",
        "not in": "in",
        "not ilike": "ilike",
        "not like": "like",
        "not =like": "=like",
        "not =ilike": "=ilike",
    }

    @api.model
    def _search_history(self, lines_domain, field_name, operator, value):
        """Lots with a done line of ``lines_domain`` whose ``field_name`` matches: one
        subquery over the indexed move lines (a negative operator: lots with none)."""
        positive = self._NEGATIONS.get(operator, operator)
        picked = isinstance(value, int | list | tuple) and value
        if field_name.endswith("partner_id") and positive in ("=", "in") and picked:
            positive = "child_of"  # a company's contacts received or shipped for it
        condition = [*lines_domain, (field_name, positive, value)]
        quantifier = "not any" if operator in self._NEGATIONS else "any"
        return [("traceability_move_line_ids", quantifier, condition)]

    def _search_purchase_order(self, operator, value):
        return self._search_history(
            self._RECEIPT_LINES, "move_id.purchase_line_id.order_id.name", operator, value
        )

    def _search_receipt(self, operator, value):
        return self._search_history(self._RECEIPT_LINES, "picking_id.name", operator, value)

    def _search_sale_order(self, operator, value):
        return self._search_history(
            self._DELIVERY_LINES, "move_id.sale_line_id.order_id.name", operator, value
        )

    def _search_vendor(self, operator, value):
        return self._search_history(self._RECEIPT_LINES, "picking_id.partner_id", operator, value)

    def _search_customer(self, operator, value):
        return self._search_history(self._DELIVERY_LINES, "picking_id.partner_id", operator, value)

    def _search_receipt_date(self, operator, value):
        return self._search_history(self._RECEIPT_LINES, "date", operator, value)

    def _search_delivery_date(self, operator, value):
        return self._search_history(self._DELIVERY_LINES, "date", operator, value)
