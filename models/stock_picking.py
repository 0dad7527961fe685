from odoo import fields, models


class StockPicking(models.Model):
    _inherit = "stock.picking"

    recall_partner_id = fields.Many2one(
        "stock.recall.partner",
        string="Recall Customer",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The recall this return receipt brings goods back for.",
    )
    recall_id = fields.Many2one(related="recall_partner_id.recall_id", string="Recall")

    def _action_done(self):
        res = super()._action_done()
        self.recall_partner_id._update_from_returns()
        return res
