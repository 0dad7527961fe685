from odoo import models


class StockReturnPicking(models.TransientModel):
    _inherit = "stock.return.picking"

    def _prepare_picking_default_values(self):
        """Goods a customer sends back go to the warehouse's quarantine location when any
        of their lots is on hold or in an open recall: recalled goods never come back as
        free stock (validating the return also holds them)."""
        vals = super()._prepare_picking_default_values()
        picking = self.picking_id
        if picking.location_dest_id.usage != "customer":
            return vals
        lots = picking.move_line_ids.lot_id
        if not (lots._held_lots() | lots._lots_in_open_recall(picking.company_id)):
            return vals
        warehouse = (
            picking.picking_type_id.return_picking_type_id.warehouse_id
            or picking.picking_type_id.warehouse_id
        )
        quarantine = warehouse._quarantine_location() if warehouse else False
        if quarantine:
            vals["location_dest_id"] = quarantine.id
        return vals
