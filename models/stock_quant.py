from odoo import models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    def _gather(
        self,
        product_id,
        location_id,
        lot_id=None,
        package_id=None,
        owner_id=None,
        strict=False,
        qty=0,
    ):
        """Leave held lots out of reservation, whatever the removal strategy.

        Only when the caller reserves (context ``exclude_held_lots``): the same method also
        finds the quants that receive or release stock, which must include held lots.
        """
        quants = super()._gather(
            product_id,
            location_id,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            strict=strict,
            qty=qty,
        )
        if self.env.context.get("exclude_held_lots"):
            quants = quants.filtered(lambda quant: quant.lot_id.hold_state != "held")
        return quants

    def _compute_available_quantity(self):
        super()._compute_available_quantity()
        for quant in self.filtered(lambda quant: quant.lot_id.hold_state == "held"):
            quant.available_quantity = 0.0
