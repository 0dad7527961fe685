from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError

# Changing these replaces the file itself.
_CONTENT_FIELDS = {"datas", "raw", "db_datas", "store_fname", "url"}
# Changing these takes the document away from its lot, or out of the typed documents.
_FILING_FIELDS = {"lot_document_type", "res_model", "res_id"}


class IrAttachment(models.Model):
    """Lot documents: an attachment of a lot with a document type is evidence.

    Only a Quality Manager may delete it or file it elsewhere (another type, another
    record), and the lot's chatter records who deleted which file; its content cannot be
    replaced (attach a new version instead).
    """

    _inherit = "ir.attachment"

    lot_document_type = fields.Selection(
        [
            ("supplier_coa", "Supplier CoA"),
            ("certificate_origin", "Certificate of Origin"),
            ("conformance", "Certificate of Conformance"),
            ("lab_report", "Lab Report"),
            ("photo", "Photo"),
            ("issued_coa", "Issued CoA"),
            ("other", "Other"),
        ],
        string="Document Type",
        help="What this file is, for a lot's documents tab and audits.",
    )
    coa_partner_id = fields.Many2one(
        "res.partner",
        string="CoA Issued To",
        readonly=True,
        index="btree_not_null",
        help="The customer a Certificate of Analysis issued by the addon was made for.",
    )

    def _typed_lot_documents(self):
        return self.filtered(
            lambda attachment: (
                attachment.res_model == "stock.lot"
                and attachment.res_id
                and attachment.lot_document_type
            )
        )

    def write(self, vals):
        if not self.env.su and (_CONTENT_FIELDS | _FILING_FIELDS) & set(vals):
            self._typed_lot_documents()._check_lot_document_write(vals)
        return super().write(vals)

    def _check_lot_document_write(self, vals):
        if not self:
            return
        files = ", ".join(self.mapped("name"))
        if _CONTENT_FIELDS & set(vals):
            raise UserError(
                _(
                    "The content of lot document %(files)s cannot be replaced: attach the "
                    "new version as another document.",
                    files=files,
                )
            )
        changed = any(
            attachment[name] != vals[name]
            for attachment in self
            for name in _FILING_FIELDS & set(vals)
        )
        if changed and not self.env.user.has_group("stock_lot_traceability.group_quality_manager"):
            raise UserError(
                _(
                    "Only a Quality Manager can change the type or the record of lot "
                    "documents (%(files)s).",
                    files=files,
                )
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_lot_documents_by_quality_only(self):
        typed = self._typed_lot_documents()
        lots = self.env["stock.lot"].browse(set(typed.mapped("res_id"))).exists()
        # documents of a lot being deleted go with it (a lot with typed documents cannot be)
        typed = typed.filtered(lambda attachment: attachment.res_id in lots.ids)
        if not typed:
            return
        if not self.env.user.has_group("stock_lot_traceability.group_quality_manager"):
            raise UserError(
                _(
                    "Only a Quality Manager can delete lot documents (%(files)s): they are "
                    "evidence of the lot's quality.",
                    files=", ".join(typed.mapped("name")),
                )
            )
        types = dict(self._fields["lot_document_type"]._description_selection(self.env))
        for attachment in typed:
            lots.browse(attachment.res_id).message_post(
                body=Markup("%s")
                % _(
                    "Document deleted by %(user)s: %(file)s (%(type)s).",
                    user=self.env.user.name,
                    file=attachment.name,
                    type=types[attachment.lot_document_type],
                )
            )
