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
        self._refresh_recalls_of_returns()
        return res

    def _refresh_recalls_of_returns(self):
        """Goods of an open recall's lots coming back from customers count as recovered at
        once, whether or not the return was created from the recall."""
        lots = self.move_line_ids.filtered(
            lambda line: (
                line.state == "done" and line.lot_id and line.location_id.usage == "customer"
            )
        ).lot_id
        if not lots:
            return
        # sudo: whoever validates a return updates the recalls of its lots, readable or not
        scope_lines = (
            self.env["stock.recall.lot"]
            .sudo()
            .search(
                [
                    ("lot_id", "in", lots.ids),
                    ("superseded", "=", False),
                    ("recall_id.state", "in", ("scoped", "in_progress")),
                ]
            )
        )
        scope_lines.recall_id._refresh_quantities()
