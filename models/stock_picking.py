from odoo import _, fields, models


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
        self._hold_recalled_returns()
        return res

    def _hold_recalled_returns(self):
        """Goods of an open recall sent back by a customer are held again, for that recall
        (a lot that is on hold already stays on hold): never free stock."""
        for picking in self:
            lots = picking.move_line_ids.filtered(
                lambda line: (
                    line.state == "done"
                    and line.lot_id
                    and line.location_id.usage == "customer"
                    and line.location_dest_id.usage == "internal"
                )
            ).lot_id
            vals_list = []
            for recall_line in lots._open_recall_lines(picking.company_id):
                recall, lot = recall_line.recall_id, recall_line.lot_id
                if recall in lot.active_hold_ids.recall_id:
                    continue
                vals_list.append(
                    {
                        "lot_id": lot.id,
                        "reason": "recall",
                        "recall_id": recall.id,
                        "company_id": recall.company_id.id,
                        "note": _(
                            "Recall %(recall)s: sent back by the customer on %(picking)s.",
                            recall=recall.name,
                            picking=picking.name,
                        ),
                    }
                )
            if vals_list:
                # sudo: the hold is placed by the system when the receiving user validates
                self.env["stock.lot.hold"].sudo().create(vals_list)

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
