from odoo import api, fields, models

NOTIFIED = ("notified", "acknowledged", "returned")
ACKNOWLEDGED = ("acknowledged", "returned")


class StockRecall(models.Model):
    """How far the customers of a recall are: notified, acknowledged, returned, as shares
    of the customers to follow (waived customers are out of the count)."""

    _inherit = "stock.recall"

    progress_customer_count = fields.Integer(
        string="Customers to Follow",
        compute="_compute_progress",
        help="Customers of the recall, waived ones excepted: the base of the progress bars.",
    )
    notified_percent = fields.Float(
        string="Notified",
        compute="_compute_progress",
        help="Share of the customers to follow who were sent the recall notice.",
    )
    acknowledged_percent = fields.Float(
        string="Acknowledged",
        compute="_compute_progress",
        help="Share of the customers to follow who acknowledged the recall notice.",
    )
    returned_percent = fields.Float(
        string="Returned",
        compute="_compute_progress",
        help="Share of the customers to follow who sent the recalled goods back.",
    )

    @api.depends("partner_line_ids.state")
    def _compute_progress(self):
        """Counted in SQL for saved recalls: a recall may have thousands of customers."""
        counts = {}
        saved = self.filtered("id")
        if saved:
            for recall, state, count in self.env["stock.recall.partner"]._read_group(
                [("recall_id", "in", saved.ids)], ["recall_id", "state"], ["__count"]
            ):
                counts.setdefault(recall.id, {})[state] = count
        for recall in self:
            if recall.id:
                states = counts.get(recall.id, {})
            else:
                states = {}
                for line in recall.partner_line_ids:
                    states[line.state] = states.get(line.state, 0) + 1
            total = sum(count for state, count in states.items() if state != "waived")
            recall.progress_customer_count = total

            def share(done_states, states=states, total=total):
                done = sum(states.get(state, 0) for state in done_states)
                return 100.0 * done / total if total else 0.0

            recall.notified_percent = share(NOTIFIED)
            recall.acknowledged_percent = share(ACKNOWLEDGED)
            recall.returned_percent = share(("returned",))
