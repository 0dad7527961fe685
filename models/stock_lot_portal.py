from odoo import api, models
from odoo.tools import SQL
from odoo.tools.misc import hmac

COA_TOKEN_SCOPE = "stock_lot_traceability.coa"


class StockLot(models.Model):
    """What customers see of their lots: the lots they received and their CoA links."""

    _inherit = "stock.lot"

    @api.model
    def _customer_delivery_lines(self, partner, lot=None):
        """Done move lines that shipped a lot to ``partner``'s commercial entity (any of its
        contacts), newest first, as superuser records: the caller shows them to that
        customer only. One query; ``lot`` narrows it to one lot."""
        commercial = partner.commercial_partner_id
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT ml.id
                  FROM stock_move_line ml
                  JOIN stock_location src ON src.id = ml.location_id
                  JOIN stock_location dest ON dest.id = ml.location_dest_id
                  JOIN stock_picking picking ON picking.id = ml.picking_id
                  JOIN res_partner customer ON customer.id = picking.partner_id
                 WHERE ml.state = 'done' AND ml.lot_id IS NOT NULL
                   AND dest.usage = 'customer' AND src.usage != 'customer'
                   AND COALESCE(customer.commercial_partner_id, customer.id) = %(partner_id)s
                   AND (%(lot_id)s IS NULL OR ml.lot_id = %(lot_id)s)
                 ORDER BY ml.date DESC, ml.id DESC
                """,
                partner_id=commercial.id,
                lot_id=lot.id if lot else None,
            )
        )
        # sudo: portal customers cannot read move lines; the query keeps their own only
        return self.env["stock.move.line"].sudo().browse(row[0] for row in self.env.cr.fetchall())

    def _coa_access_token(self, picking):
        """A token for the CoA of this lot shipped on ``picking`` (nothing stored)."""
        self.ensure_one()
        return hmac(self.env(su=True), COA_TOKEN_SCOPE, (picking.id, self.id))

    def _coa_portal_url(self, picking):
        """Link to this lot's CoA for the customer of ``picking``, or False when that
        customer does not ask for CoAs."""
        self.ensure_one()
        if not picking.partner_id.commercial_partner_id.send_coa:
            return False
        token = self._coa_access_token(picking)
        return f"/my/coa/{self.id}?picking_id={picking.id}&access_token={token}"

    @api.model
    def _lots_on_delivery_slip(self):
        """Whether Odoo's setting 'Display Lots & Serial Numbers on Delivery Slips' is on."""
        # sudo: public visitors of a tokened portal page read the setting, not the groups
        group = self.env.ref("stock.group_lot_on_delivery_slip")
        return group in self.env.ref("base.group_portal").sudo().implied_ids
