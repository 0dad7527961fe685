from odoo import _, api, models
from odoo.exceptions import UserError

from .epcis import download, epcis_attachment_values


class StockRecall(models.Model):
    """EPCIS 2.0 export of a recall's scope (see ``stock.lot._epcis_document``)."""

    _inherit = "stock.recall"

    @api.readonly
    def _epcis_document(self):
        """The EPCIS 2.0 JSON-LD document (a dict) of the lots of the recall's current scope:
        their receipts, manufacturing orders, deliveries and returns, within the recall's
        company. A recall not scoped yet has no scope to export."""
        self.ensure_one()
        if not self.recall_lot_ids:
            raise UserError(
                _("Recall %(recall)s has no scope yet: compute its scope first.", recall=self.name)
            )
        lots = self.recall_lot_ids.lot_id.with_context(trace_company_ids=self.company_id.ids)
        return lots.with_company(self.company_id)._epcis_build()

    def action_export_epcis(self):
        """Download the EPCIS document of the recall's scope, stored on the recall."""
        self.ensure_one()
        values = epcis_attachment_values(self, self._epcis_document(), f"{self.name}-EPCIS")
        # sudo: a Quality Manager reads recalls without writing them, and Odoo asks for write
        # access to attach a file; the document was read with the user's own rights above
        # and the file stays readable only by those who can read the recall
        attachment = self.env["ir.attachment"].sudo().create(values)
        return download(attachment)
