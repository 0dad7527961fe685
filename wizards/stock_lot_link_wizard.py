from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class StockLotLinkWizard(models.TransientModel):
    """Record by hand that an input lot went into an output lot (e.g. an off-system rework)."""

    _name = "stock.lot.link.wizard"
    _inherit = ["stock.lot.check.mixin"]
    _description = "Link Lots"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        help="The company of the link.",
    )
    parent_lot_id = fields.Many2one(
        "stock.lot",
        string="Input Lot",
        required=True,
        check_company=True,
        help="The lot that went into the output lot.",
    )
    child_lot_id = fields.Many2one(
        "stock.lot",
        string="Output Lot",
        required=True,
        check_company=True,
        help="The lot the input went into.",
    )
    quantity = fields.Float(
        digits="Product Unit of Measure",
        help="Quantity of the input lot used, in its product's unit.",
    )
    product_uom_id = fields.Many2one(related="parent_lot_id.product_uom_id")
    date = fields.Datetime(
        required=True,
        default=fields.Datetime.now,
        help="When the input lot went into the output lot. Traces are time-aware: "
        "downstream, only what was made from the output lot from then on is reached.",
    )
    reason = fields.Text(required=True, help="Why the link is recorded by hand.")
    supersede_link_id = fields.Many2one(
        "stock.lot.link",
        string="Corrects",
        readonly=True,
        help="The manual link this one corrects: it is archived and points at the new link.",
    )

    @api.onchange("parent_lot_id")
    def _onchange_parent_lot_id(self):
        if self.parent_lot_id:
            self.company_id = self.parent_lot_id.company_id or self.env.company

    def action_link(self):
        self.ensure_one()
        if self.parent_lot_id == self.child_lot_id:
            raise UserError(
                _("Lot %s cannot be linked to itself.", self.parent_lot_id.display_name)
            )
        if not (self.reason or "").strip():
            raise UserError(_("Give the reason for linking these lots."))
        if self.quantity <= 0:
            raise UserError(
                _(
                    "Enter the quantity of %(parent)s that went into %(child)s: it must be "
                    "more than zero.",
                    parent=self.parent_lot_id.display_name,
                    child=self.child_lot_id.display_name,
                )
            )
        vals = {
            "parent_lot_id": self.parent_lot_id.id,
            "child_lot_id": self.child_lot_id.id,
            "kind": "manual",
            "quantity": self.quantity,
            "product_uom_id": self.parent_lot_id.product_uom_id.id,
            "date": self.date,
            "company_id": self.parent_lot_id.company_id.id or self.company_id.id,
            "note": self.reason,
        }
        if self.supersede_link_id:
            link = self.supersede_link_id._correct(vals)
        else:
            link = self.env["stock.lot.link"].create(vals)
        self._log_link(link)
        return {
            "type": "ir.actions.act_window",
            "res_model": "stock.lot",
            "res_id": self.child_lot_id.id,
            "view_mode": "form",
        }

    def _log_link(self, link):
        body = Markup("%s<br/>%s") % (
            _(
                "Genealogy link added by hand: %(parent)s → %(child)s (%(qty)s %(uom)s).",
                parent=link.parent_lot_id.display_name,
                child=link.child_lot_id.display_name,
                qty=link.quantity,
                uom=link.product_uom_id.name or "",
            ),
            _("Reason: %s", link.note),
        )
        old = self.supersede_link_id
        if old:
            body += Markup("<br/>%s") % _(
                "It corrects the link %(old)s (%(qty)s %(uom)s), archived and kept.",
                old=old.display_name,
                qty=old.quantity,
                uom=old.product_uom_id.name or "",
            )
        for lot in link.parent_lot_id | link.child_lot_id | old.parent_lot_id | old.child_lot_id:
            lot.message_post(body=body)
