from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.http import request
from odoo.osv import expression
from odoo.tools import float_compare


class StockQuant(models.Model):
    _inherit = "stock.quant"

    adjustment_reason_id = fields.Many2one(
        "stock.adjustment.reason",
        help="Why the counted quantity differs. Required to apply a count of a lot-tracked "
        "product; recorded on the inventory move.",
    )

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
        res = super()._compute_available_quantity()
        for quant in self.filtered(lambda quant: quant.lot_id.hold_state == "held"):
            quant.available_quantity = 0.0
        return res

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

    # ------------------------------------------------------------------
    # Counts: adjustment reasons
    # ------------------------------------------------------------------
    @api.model
    def _get_inventory_fields_write(self):
        return [*super()._get_inventory_fields_write(), "adjustment_reason_id"]

    def _apply_inventory(self):
        """Every way of applying a count ends here (list Apply, the Apply dialog, conflicts,
        the editable On Hand quantity, imports, RPC): check reasons and holds first."""
        self._check_adjustment_reasons()
        self._check_held_lot_counts()
        res = super()._apply_inventory()
        self.filtered("adjustment_reason_id").write({"adjustment_reason_id": False})
        return res

    def _adjusted(self):
        """The quants of ``self`` of lot- or serial-tracked products whose count differs
        from their quantity."""
        return self.filtered(
            lambda quant: (
                quant.product_id.tracking != "none"
                and float_compare(
                    quant.inventory_diff_quantity,
                    0,
                    precision_rounding=quant.product_uom_id.rounding,
                )
                != 0
            )
        )

    def _adjustment_reason_required(self):
        """Users always give a reason: every call from the web client, an import, JSON-RPC or
        XML-RPC runs inside an HTTP request. Server code (other modules, scheduled actions,
        Odoo's own tests) keeps Odoo's behaviour unless the company asks for reasons there
        too (``adjustment_reason_strict``)."""
        self.ensure_one()
        return bool(request) or self.company_id.adjustment_reason_strict

    def _check_adjustment_reasons(self):
        missing = self._adjusted().filtered(
            lambda quant: not quant.adjustment_reason_id and quant._adjustment_reason_required()
        )
        if missing:
            raise UserError(
                _(
                    "Choose an Adjustment Reason for the count of these lots (column "
                    "Adjustment Reason of Physical Inventory, or in the Apply dialog):\n%(lots)s",
                    lots=missing._count_summary(),
                )
            )

    def _check_held_lot_counts(self):
        """A held lot's stock may only go down through a count (inventory loss): more of a
        held lot would be free stock appearing without an inspection."""
        gains = self._adjusted().filtered(lambda quant: quant.inventory_diff_quantity > 0)
        held = gains.lot_id._lock_held_lots()
        refused = gains.filtered(lambda quant: quant.lot_id in held)
        if refused:
            raise UserError(
                _(
                    "These lots are on quality hold: a count may only lower their stock "
                    "(inventory loss), not raise it:\n%(lots)s",
                    lots=refused._count_summary(),
                )
            )

    def _count_summary(self):
        return "\n".join(
            f"- {quant.lot_id.name or _('no lot')} ({quant.product_id.display_name}) "
            f"{_('at')} {quant.location_id.display_name}: "
            f"{quant.quantity:g} → {quant.inventory_quantity:g}"
            for quant in self
        )

    def _get_inventory_move_values(
        self, qty, location_id, location_dest_id, package_id=False, package_dest_id=False
    ):
        vals = super()._get_inventory_move_values(
            qty,
            location_id,
            location_dest_id,
            package_id=package_id,
            package_dest_id=package_dest_id,
        )
        if self.adjustment_reason_id:
            vals["adjustment_reason_id"] = self.adjustment_reason_id.id
            vals["name"] = f"{vals['name']} - {self.adjustment_reason_id.name}"
        return vals
