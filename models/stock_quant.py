from odoo import _, models
from odoo.exceptions import UserError
from odoo.osv import expression


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

    def _get_gather_domain(
        self, product_id, location_id, lot_id=None, package_id=None, owner_id=None, strict=False
    ):
        """A customer's minimum remaining shelf life (context ``min_expiration_date``, set
        by the reserving move): lots expiring earlier are left out, like Odoo's own
        ``with_expiration`` leaves out expired lots."""
        domain = super()._get_gather_domain(
            product_id, location_id, lot_id, package_id, owner_id, strict
        )
        min_date = self.env.context.get("min_expiration_date")
        if min_date:
            domain = expression.AND(
                [
                    [
                        "|",
                        ("expiration_date", ">=", min_date),
                        ("expiration_date", "=", False),
                    ],
                    domain,
                ]
            )
        return domain

    def _compute_available_quantity(self):
        super()._compute_available_quantity()
        for quant in self.filtered(lambda quant: quant.lot_id.hold_state == "held"):
            quant.available_quantity = 0.0

    def write(self, vals):
        """Moving a quant by writing on it bypasses stock moves: never for a held lot.

        Relocation, packages and inventory adjustments go through stock moves, where the
        hold gate is; a direct write of the location, lot or package of a quant of a held lot
        (or giving a quant a held lot) is refused: it would leave no move to audit.
        """
        if {"location_id", "lot_id", "package_id"} & set(vals):
            self._check_held_lot_not_moved(vals)
        return super().write(vals)

    def _check_held_lot_not_moved(self, vals):
        lots = self.lot_id
        if vals.get("lot_id"):
            new_lot = vals["lot_id"]
            lots |= (
                new_lot
                if isinstance(new_lot, models.BaseModel)
                else self.env["stock.lot"].browse(new_lot)
            )
        held = lots._lock_held_lots()
        if held:
            raise UserError(
                _(
                    "The location, lot or package of stock of a lot on quality hold cannot be "
                    "changed directly; move it to a quarantine location with a transfer:\n"
                    "%(lots)s",
                    lots=held._hold_summary(),
                )
            )
