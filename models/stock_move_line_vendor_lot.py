from markupsafe import Markup

from odoo import _, fields, models


class StockMoveLine(models.Model):
    """The vendor's lot number, typed or scanned on the receipt line, kept on our lot."""

    _inherit = "stock.move.line"

    vendor_lot_name = fields.Char(
        string="Vendor Lot",
        help="The lot number printed by the vendor; written to the lot when the line is done.",
    )

    def _action_done(self):
        res = super()._action_done()
        self.exists()._write_vendor_lot_names()
        return res

    def _write_vendor_lot_names(self):
        """Give each lot the vendor lot of its first line (lines just done); a lot that
        already has another one keeps it, and its chatter says which receipt brought a
        different number."""
        lines = self.filtered(lambda line: line.lot_id and line.vendor_lot_name)
        given = {}  # lot id: vendor lot given now
        for line in lines:
            lot, value = line.lot_id, line.vendor_lot_name.strip()
            current = lot.vendor_lot_name or given.get(lot.id)
            if not current:
                given[lot.id] = value
            elif current != value:
                lot.message_post(
                    body=Markup("%s")
                    % _(
                        "%(document)s received this lot with vendor lot %(new)s; the lot "
                        "keeps its vendor lot %(old)s.",
                        document=line.picking_id.name or line.reference,
                        new=value,
                        old=current,
                    )
                )
        for value in set(given.values()):
            lot_ids = [lot_id for lot_id, lot_value in given.items() if lot_value == value]
            self.env["stock.lot"].browse(lot_ids).write({"vendor_lot_name": value})
