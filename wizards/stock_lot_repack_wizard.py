from odoo import _, api, fields, models


class StockLotRepackWizard(models.TransientModel):
    """Repack part of a lot (damaged or re-labelled stock) into a new lot ``<lot>R``."""

    _name = "stock.lot.repack.wizard"
    _description = "Repack a Lot"

    lot_id = fields.Many2one(
        "stock.lot", required=True, readonly=True, ondelete="cascade", help="The lot to repack."
    )
    product_id = fields.Many2one(related="lot_id.product_id", help="The product of the lot.")
    product_uom_id = fields.Many2one(related="lot_id.product_id.uom_id", string="Unit")
    company_id = fields.Many2one(related="lot_id.company_id", help="The company of the lot.")
    location_id = fields.Many2one(
        "stock.location",
        required=True,
        domain="[('usage', '=', 'internal')]",
        compute="_compute_location_id",
        store=True,
        precompute=True,
        readonly=False,
        help="Where the stock is taken from and the repacked lot is put.",
    )
    on_hand_qty = fields.Float(
        string="On Hand",
        compute="_compute_on_hand_qty",
        digits="Product Unit of Measure",
        help="Stock of the lot at the location.",
    )
    quantity = fields.Float(
        string="Quantity to Repack",
        required=True,
        digits="Product Unit of Measure",
        help="Taken from the lot at the location: the good quantity plus the waste.",
    )
    good_qty = fields.Float(
        string="Good Quantity",
        required=True,
        digits="Product Unit of Measure",
        help="Goes into the new lot.",
    )
    waste_qty = fields.Float(
        string="Wasted Quantity",
        digits="Product Unit of Measure",
        compute="_compute_waste_qty",
        store=True,
        precompute=True,
        readonly=False,
        help="Scrapped, with the scrap reasons below.",
    )
    scrap_reason_tag_ids = fields.Many2many(
        "stock.scrap.reason.tag", string="Scrap Reasons", help="Why the waste is scrapped."
    )
    reason = fields.Char(required=True, help="Why the lot is repacked.")
    note = fields.Text(string="Notes", help="Anything the next reader should know.")
    photo_ids = fields.Many2many("ir.attachment", string="Photos", help="Photos of the damage.")

    @api.depends("lot_id")
    def _compute_location_id(self):
        for wizard in self:
            quants = self.env["stock.quant"].search(
                [
                    ("lot_id", "=", wizard.lot_id.id),
                    ("location_id.usage", "=", "internal"),
                    ("quantity", ">", 0),
                ],
                order="quantity desc",
                limit=1,
            )
            wizard.location_id = quants.location_id

    @api.depends("lot_id", "location_id")
    def _compute_on_hand_qty(self):
        for wizard in self:
            wizard.on_hand_qty = (
                wizard.lot_id._repack_on_hand(wizard.location_id) if wizard.location_id else 0.0
            )

    @api.depends("quantity", "good_qty")
    def _compute_waste_qty(self):
        for wizard in self:
            wizard.waste_qty = max(wizard.quantity - wizard.good_qty, 0.0)

    def action_repack(self):
        self.ensure_one()
        new_lot = self.lot_id._repack(
            self.quantity,
            self.location_id,
            self.good_qty,
            self.waste_qty,
            self.reason,
            note=self.note,
            scrap_reason_tag_ids=self.scrap_reason_tag_ids.ids,
            attachments=self.photo_ids,
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Repacked Lot"),
            "res_model": "stock.lot",
            "res_id": new_lot.id,
            "view_mode": "form",
            "target": "current",
        }
