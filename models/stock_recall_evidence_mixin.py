from odoo import _, api, models

from . import evidence, snapshot_fields


class StockRecallEvidenceMixin(models.AbstractModel):
    """Lines a recall's actions compute (scope, customers' quantities, product totals): no
    user creates, edits or deletes them; the actions write through ``evidence.system``."""

    _name = "stock.recall.evidence.mixin"
    _description = "Recall Evidence Line"

    def init(self):
        res = super().init()
        snapshot_fields.drop_foreign_keys(self)
        return res

    @api.model
    def _recalls_of_new_lines(self, vals_list):
        """The recalls the lines about to be created belong to (to name them if refused)."""
        return self.env["stock.recall"].browse(
            {vals["recall_id"] for vals in vals_list if vals.get("recall_id")}
        )

    @api.model_create_multi
    def create(self, vals_list):
        evidence.check_system_change(self, self._recalls_of_new_lines(vals_list), _("created"))
        return super().create(vals_list)

    def write(self, vals):
        evidence.check_system_change(self, self.recall_id, _("changed"))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_evidence(self):
        evidence.check_system_change(self, self.recall_id, _("deleted"))
