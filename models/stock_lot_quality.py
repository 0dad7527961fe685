from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.sql import column_exists, create_column

from . import evidence

# the holds a quality release lifts: those waiting for, or caused by, test results
QUALITY_HOLD_REASONS = ("incoming_inspection", "lab_pending", "failed_test")


def download_action(attachment):
    """The client action downloading ``attachment``."""
    return {
        "type": "ir.actions.act_url",
        "url": f"/web/content/{attachment.id}?download=true",
        "target": "self",
    }


class StockLot(models.Model):
    """Lot quality data: test results, quality status, release and Certificates of Analysis."""

    _inherit = "stock.lot"

    test_result_ids = fields.One2many(
        "stock.lot.test.result",
        "lot_id",
        string="Test Results",
        help="Test results of the lot against its specification.",
    )
    quality_state = fields.Selection(
        [("pending", "Pending"), ("passed", "Passed"), ("failed", "Failed")],
        string="Quality Result",
        compute="_compute_quality_state",
        store=True,
        index=True,
        help="From the latest result of each required parameter of the product's "
        "specification: failed as soon as one fails, passed once all pass, else pending.",
    )
    quality_approved_by_id = fields.Many2one(
        "res.users", string="Released By", readonly=True, copy=False, help="Who released the lot."
    )
    quality_approved_at = fields.Datetime(
        string="Released On",
        readonly=True,
        copy=False,
        help="When the lot was released by quality.",
    )
    quality_spec_count = fields.Integer(
        compute="_compute_quality_spec_count", help="Lines of the product's specification."
    )

    _QUALITY_STAMPS = {"quality_state", "quality_approved_by_id", "quality_approved_at"}

    def _auto_init(self):
        """At installation no lot has a result yet: every existing lot is pending, written
        in one UPDATE rather than computed lot by lot."""
        if not column_exists(self.env.cr, "stock_lot", "quality_state"):
            create_column(self.env.cr, "stock_lot", "quality_state", "varchar")
            self.env.cr.execute("UPDATE stock_lot SET quality_state = 'pending'")
        return super()._auto_init()

    @api.depends(
        "test_result_ids.passed",
        "test_result_ids.is_current",
        "product_id.product_tmpl_id.quality_spec_ids.required",
        "product_id.product_tmpl_id.quality_spec_ids.active",
    )
    def _compute_quality_state(self):
        for lot in self:
            lot.quality_state = lot._quality_verdict()

    def _quality_verdict(self):
        """pending / passed / failed from the current results of the required specs (of
        every spec with a result when the product has no required one)."""
        self.ensure_one()
        specs = self.product_id.product_tmpl_id.quality_spec_ids
        current = self.test_result_ids.filtered("is_current")
        required = specs.filtered("required")
        if required:
            results = current.filtered(lambda result: result.spec_id in required)
            if results.filtered(lambda result: not result.passed):
                return "failed"
            return "passed" if results.spec_id == required else "pending"
        if current.filtered(lambda result: not result.passed):
            return "failed"
        return "passed" if current else "pending"

    @api.depends("product_id")
    def _compute_quality_spec_count(self):
        for lot in self:
            lot.quality_spec_count = len(lot.product_id.product_tmpl_id.quality_spec_ids)

    @api.model_create_multi
    def create(self, vals_list):
        if not evidence.is_system(self):
            for vals in vals_list:
                self._check_quality_stamps_not_written(vals)
        return super().create(vals_list)

    def write(self, vals):
        if not evidence.is_system(self):
            self._check_quality_stamps_not_written(vals)
        return super().write(vals)

    @api.model
    def _check_quality_stamps_not_written(self, vals):
        written = self._QUALITY_STAMPS & set(vals)
        if written:
            raise UserError(
                _(
                    "The quality result and release of a lot (%(fields)s) come from its test "
                    "results and the Release Lot action: they cannot be written.",
                    fields=", ".join(sorted(written)),
                )
            )

    def _reset_quality_approval(self):
        """A new result voids an earlier release: the lot must be released again."""
        approved = self.filtered("quality_approved_at")
        if approved:
            evidence.system(approved).write(
                {"quality_approved_by_id": False, "quality_approved_at": False}
            )

    # ------------------------------------------------------------------
    # Release
    # ------------------------------------------------------------------
    def action_release_quality(self):
        """Release these lots: every required result passes. Lifts their inspection, lab and
        failed-test holds and stamps who approved them and when."""
        if not self.env.user.has_group("stock_lot_traceability.group_quality_manager"):
            raise AccessError(_("Only Quality Managers can release lots."))
        not_passed = self.filtered(lambda lot: lot.quality_state != "passed")
        if not_passed:
            raise UserError(
                _(
                    "These lots cannot be released: not every required test result passes "
                    "(%(lots)s).",
                    lots=", ".join(
                        f"{lot.name} ({lot._quality_missing_text()})" for lot in not_passed
                    ),
                )
            )
        now = fields.Datetime.now()
        note = _("Quality release: every required test result passes.")
        holds = self.active_hold_ids.filtered(lambda hold: hold.reason in QUALITY_HOLD_REASONS)
        if holds:
            holds.action_release(note)
        evidence.system(self).write(
            {"quality_approved_by_id": self.env.uid, "quality_approved_at": now}
        )
        for lot in self:
            lot.message_post(body=Markup("<b>%s</b><br/>%s") % (_("Lot released by Quality"), note))
        return True

    def _quality_missing_text(self):
        """What keeps this lot from passing: failing or missing parameters."""
        self.ensure_one()
        specs = self.product_id.product_tmpl_id.quality_spec_ids
        required = specs.filtered("required") or specs
        if not required:
            return _("no specification")
        current = self.test_result_ids.filtered("is_current")
        failed = current.filtered(lambda result: not result.passed).spec_id & required
        missing = required - current.spec_id
        parts = []
        if failed:
            parts.append(_("failed: %s", ", ".join(failed.mapped("name"))))
        if missing:
            parts.append(_("no result: %s", ", ".join(missing.mapped("name"))))
        return "; ".join(parts) or _("pending")

    # ------------------------------------------------------------------
    # Certificate of Analysis
    # ------------------------------------------------------------------
    def _check_coa_possible(self):
        without_spec = self.filtered(
            lambda lot: not lot.product_id.product_tmpl_id.quality_spec_ids
        )
        if without_spec:
            raise UserError(
                _(
                    "No Certificate of Analysis for lots %(lots)s: their products have no "
                    "quality specification (Specifications tab of the product).",
                    lots=", ".join(
                        f"{lot.name} ({lot.product_id.display_name})" for lot in without_spec
                    ),
                )
            )

    def _render_coa_pdf(self, partner=None):
        """The Certificate of Analysis of these lots as PDF bytes (one certificate per lot,
        each with its own number, in one document), for ``partner`` when given.

        Each lot's certificate is also stored on the lot as the attachment ``CoA <lot>.pdf``
        (what was issued is evidence)."""
        return self._coa_documents(partner)[1]

    def _coa_documents(self, partner=None, combined=True):
        """``(attachments, pdf)``: each lot's CoA stored on the lot, and the PDF of all of
        them (the lot's own when there is one; none unless ``combined``), with the same
        certificate numbers."""
        if not self:
            raise UserError(_("Select at least one lot to print a Certificate of Analysis."))
        self._check_coa_possible()
        renderer = self.env["stock.lot.coa.pdf"]
        numbers = {lot.id: renderer._next_number() for lot in self}
        pdf_by_lot = renderer._generate_each(self, partner, numbers)
        attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": f"CoA {lot.name}.pdf",
                    "raw": pdf_by_lot[lot.id],
                    "mimetype": "application/pdf",
                    "res_model": "stock.lot",
                    "res_id": lot.id,
                    "lot_document_type": "issued_coa",
                    "coa_partner_id": partner.id if partner else False,
                }
                for lot in self
            ]
        )
        if len(self) == 1:
            return attachments, pdf_by_lot[self.id]
        return attachments, combined and renderer._generate(self, partner, numbers)

    def _issued_coa(self, partner):
        """The latest CoA of this lot issued to ``partner``, unless a result or a release
        came after it (an empty recordset then): a customer downloading its certificate
        again gets the same certificate, not a new number."""
        self.ensure_one()
        attachment = self.env["ir.attachment"].search(
            [
                ("res_model", "=", "stock.lot"),
                ("res_id", "=", self.id),
                ("lot_document_type", "=", "issued_coa"),
                ("coa_partner_id", "=", partner.id),
            ],
            order="id desc",
            limit=1,
        )
        changes = [*self.test_result_ids.mapped("create_date"), self.quality_approved_at]
        latest = max((moment for moment in changes if moment), default=None)
        if attachment and latest and latest > attachment.create_date:
            return attachment.browse()
        return attachment

    def action_print_coa(self):
        attachments, content = self._coa_documents()
        if len(self) > 1:
            attachments = self.env["ir.attachment"].create(
                {
                    "name": _("Certificates of Analysis.pdf"),
                    "raw": content,
                    "mimetype": "application/pdf",
                }
            )
        return download_action(attachments)
