from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..models.stock_lot_timeline import TIMELINE_KINDS


class StockLotTimeline(models.TransientModel):
    """One event of a lot's timeline (``stock.lot._timeline()``), to browse in a list.

    Transient: a snapshot of the lot's history, written when the user opens it.
    """

    _name = "stock.lot.timeline"
    _description = "Lot Timeline Event"
    _order = "sequence, id"

    sequence = fields.Integer(readonly=True, help="Order of the events, oldest first.")
    lot_id = fields.Many2one("stock.lot", required=True, readonly=True, help="The lot.")
    product_id = fields.Many2one(related="lot_id.product_id", help="The product of the lot.")
    company_id = fields.Many2one(
        related="lot_id.company_id", store=True, help="The company of the lot."
    )
    date = fields.Datetime(readonly=True, help="When the event happened.")
    kind = fields.Selection(
        TIMELINE_KINDS, string="Event", readonly=True, help="The kind of event."
    )
    description = fields.Char(string="Details", readonly=True, help="What happened.")
    res_model = fields.Char(
        string="Document Model", readonly=True, help="Model of the document of the event."
    )
    res_id = fields.Many2oneReference(
        model_field="res_model", readonly=True, help="Id of the document of the event."
    )
    document = fields.Char(readonly=True, help="The document of the event.")
    order_model = fields.Char(readonly=True, help="Model of the order behind the event.")
    order_id = fields.Many2oneReference(
        string="Order ID",
        model_field="order_model",
        readonly=True,
        help="Id of the order behind the event.",
    )
    order = fields.Char(readonly=True, help="The order behind the event.")
    quantity = fields.Float(
        digits="Product Unit of Measure", readonly=True, help="Quantity moved or concerned."
    )
    uom_id = fields.Many2one("uom.uom", string="Unit", readonly=True, help="Unit of the quantity.")
    location_id = fields.Many2one("stock.location", readonly=True, help="Where the lot was.")
    location_dest_id = fields.Many2one(
        "stock.location", string="To", readonly=True, help="Where the lot went."
    )
    partner_id = fields.Many2one(
        "res.partner", readonly=True, help="The vendor or customer of the event."
    )
    user_id = fields.Many2one("res.users", readonly=True, help="Who did it.")

    _EVENT_FIELDS = (
        "date",
        "kind",
        "description",
        "res_model",
        "res_id",
        "document",
        "order_model",
        "order_id",
        "order",
        "quantity",
        "uom_id",
        "location_id",
        "location_dest_id",
        "partner_id",
        "user_id",
    )

    @api.model
    def _create_for_lot(self, lots):
        """Write the timeline of ``lots`` as events, in one create."""
        return self.create(
            [
                {
                    "sequence": sequence,
                    "lot_id": event["lot_id"],
                    **{name: event[name] or False for name in self._EVENT_FIELDS},
                }
                for sequence, event in enumerate(lots._timeline())
            ]
        )

    @api.readonly
    def action_open_document(self):
        self.ensure_one()
        return self._open(self.res_model, self.res_id, self.document)

    @api.readonly
    def action_open_order(self):
        self.ensure_one()
        return self._open(self.order_model, self.order_id, self.order)

    def _open(self, model, record_id, name):
        if not model or not record_id:
            raise UserError(_("This event has no document to open."))
        record = self.env[model].browse(record_id)
        record.check_access("read")
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "res_id": record_id,
            "view_mode": "form",
            "target": "current",
        }
