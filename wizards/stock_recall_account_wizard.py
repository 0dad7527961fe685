from odoo import fields, models


class StockRecallAccountWizard(models.TransientModel):
    """Record, product by product, what a customer declares destroyed or used up."""

    _name = "stock.recall.account.wizard"
    _description = "Recall Customer: Destroyed or Accounted For"

    partner_line_id = fields.Many2one(
        "stock.recall.partner",
        required=True,
        readonly=True,
        help="The customer's line in the recall.",
    )
    partner_id = fields.Many2one(related="partner_line_id.partner_id", help="The customer.")
    line_ids = fields.One2many(
        "stock.recall.account.wizard.line",
        "wizard_id",
        string="Products",
        help="Quantities to record, per product.",
    )
    note = fields.Text(help="What the customer said, and its reference (e-mail, certificate).")

    def action_confirm(self):
        self.ensure_one()
        self.partner_line_id.action_record_accounted(
            {line.product_id: line.accounted_qty for line in self.line_ids}, note=self.note
        )
        return {"type": "ir.actions.act_window_close"}
