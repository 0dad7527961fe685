from odoo import models


class MrpUnbuild(models.Model):
    _inherit = "mrp.unbuild"

    def action_unbuild(self):
        res = super().action_unbuild()
        self.env["stock.lot.link"]._link_unbuilds(self.ids)
        return res
