from odoo import Command, _, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from . import evidence


class StockRecallPartner(models.Model):
    """What a customer declares destroyed or used up, per product: recorded by the
    recall's actions, checked against what the customer was shipped."""

    _inherit = "stock.recall.partner"

    def action_record_accounted(self, quantities, note=None):
        """Record what the customer declares destroyed or used up, per product.

        ``quantities``: ``{product: quantity}`` in the product's unit of measure; each
        replaces what was recorded for that product, stamped with user and time.
        """
        self.ensure_one()
        self._check_open()
        if self.state == "to_notify":
            raise UserError(
                _(
                    "Notify %(partner)s before recording what it accounted for.",
                    partner=self.partner_id.display_name,
                )
            )
        lines = {line.product_id: line for line in self.product_line_ids}
        summary = []
        for product, quantity in quantities.items():
            line = lines.get(product)
            if not line:
                raise UserError(
                    _(
                        "%(partner)s received no %(product)s in this recall.",
                        partner=self.partner_id.display_name,
                        product=product.display_name,
                    )
                )
            self._check_accounted_quantity(line, quantity)
            evidence.system(line).write(
                {
                    "accounted_qty": quantity,
                    "accounted_by_id": self.env.uid,
                    "accounted_at": fields.Datetime.now(),
                }
            )
            summary.append(f"{product.display_name}: {quantity:g} {product.uom_id.name}")
        body = _(
            "%(partner)s accounted for (destroyed or used up): %(quantities)s",
            partner=self.partner_id.display_name,
            quantities="; ".join(summary),
        )
        if note:
            body = f"{body}\n{note}"
        self.recall_id.message_post(body=body)
        self.recall_id._refresh_quantities()
        return True

    def _check_accounted_quantity(self, line, quantity):
        rounding = line.product_id.uom_id.rounding
        if float_compare(quantity, 0.0, precision_rounding=rounding) < 0:
            raise UserError(
                _(
                    "The quantity %(partner)s accounted for of %(product)s cannot be negative.",
                    partner=self.partner_id.display_name,
                    product=line.product_id.display_name,
                )
            )
        still_out = max(line.shipped_qty - line.returned_qty, 0.0)
        if float_compare(quantity, still_out, precision_rounding=rounding) > 0:
            raise UserError(
                _(
                    "%(partner)s cannot account for %(quantity)s %(uom)s of %(product)s: "
                    "it still has at most %(still_out)s %(uom)s of it.",
                    partner=self.partner_id.display_name,
                    quantity=quantity,
                    uom=line.product_uom_id.name,
                    product=line.product_id.display_name,
                    still_out=still_out,
                )
            )

    def action_open_account_wizard(self):
        self.ensure_one()
        self._check_open()
        wizard = self.env["stock.recall.account.wizard"].create(
            {
                "partner_line_id": self.id,
                "line_ids": [
                    Command.create(
                        {"product_line_id": line.id, "accounted_qty": line.accounted_qty}
                    )
                    for line in self.product_line_ids
                    if line.shipped_qty
                ],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Destroyed / Accounted For"),
            "res_model": "stock.recall.account.wizard",
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }
