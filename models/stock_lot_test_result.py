import math

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from . import evidence


class StockLotTestResult(models.Model):
    """A lot's test result against a line of its product's specification.

    A result is evidence from the moment it is recorded: its lot, parameter, value, verdict,
    analyst and date never change. A wrong or repeated measurement is recorded as a new
    result, which supersedes the previous one (``superseded_by_id``); only the latest result
    of each parameter counts for the lot's quality status.
    """

    _name = "stock.lot.test.result"
    _description = "Lot Test Result"
    _inherit = ["stock.lot.check.mixin"]
    _order = "date desc, id desc"
    _rec_name = "spec_id"
    _check_company_auto = True

    lot_id = fields.Many2one(
        "stock.lot",
        required=True,
        index=True,
        ondelete="restrict",
        help="The lot tested.",
    )
    product_id = fields.Many2one(
        related="lot_id.product_id", store=True, help="The product of the lot tested."
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        help="The company of the result.",
    )
    spec_id = fields.Many2one(
        "product.quality.spec",
        string="Parameter",
        required=True,
        index=True,
        ondelete="restrict",
        help="The specification line tested.",
    )
    value_type = fields.Selection(
        related="spec_id.value_type", help="Numeric or text result, as the specification line says."
    )
    method = fields.Char(related="spec_id.method")
    unit = fields.Char(related="spec_id.unit")
    value = fields.Float(
        string="Result", digits=(16, 4), help="The measured value, for numeric parameters."
    )
    text_value = fields.Char(string="Text Result", help="The result in words, for text parameters.")
    passed = fields.Boolean(
        help="Computed from the specification's limits for a numeric result; judged by the "
        "analyst for a text result."
    )
    analyst_id = fields.Many2one(
        "res.users",
        required=True,
        default=lambda self: self.env.user,
        help="Who made the test.",
    )
    date = fields.Datetime(
        required=True, default=fields.Datetime.now, help="When the test was made."
    )
    reference = fields.Char(
        string="Instrument / Reference", help="Instrument, lab sample or lab report number."
    )
    attachment_ids = fields.Many2many(
        "ir.attachment", string="Attachments", help="Lab reports and other evidence."
    )
    note = fields.Text(help="Remarks on the test.")
    superseded_by_id = fields.Many2one(
        "stock.lot.test.result",
        readonly=True,
        index="btree_not_null",
        copy=False,
        help="The later result of the same parameter that replaces this one.",
    )
    is_current = fields.Boolean(
        string="Current",
        compute="_compute_is_current",
        store=True,
        index=True,
        help="The latest result of this parameter for the lot.",
    )

    # once recorded, only the note and the attachments of a result may change
    _EDITABLE_FIELDS = {"note", "attachment_ids"}

    @api.depends("superseded_by_id")
    def _compute_is_current(self):
        for result in self:
            result.is_current = not result.superseded_by_id

    @api.onchange("spec_id", "value")
    def _onchange_value(self):
        """Show the verdict of a numeric result as it is typed (create() decides it)."""
        if self.spec_id.value_type == "numeric":
            self.passed = self.spec_id._passes(self.value)

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.user.has_group("stock_lot_traceability.group_quality_manager"):
            raise AccessError(_("Only Quality Managers record test results."))
        for vals in vals_list:
            self._prepare_result_vals(vals)
        results = super().create(vals_list)
        results._supersede_previous()
        results.lot_id._reset_quality_approval()
        results._hold_failed_lots()
        return results

    @api.model
    def _prepare_result_vals(self, vals):
        """Check a new result against its spec and decide its verdict, before any insert."""
        spec = self.env["product.quality.spec"].browse(vals.get("spec_id") or [])
        lot = self.env["stock.lot"].browse(vals.get("lot_id") or [])
        if not spec or not lot:
            return  # the check mixin names the missing field
        if spec.product_tmpl_id != lot.product_id.product_tmpl_id:
            raise ValidationError(
                _(
                    "Lot %(lot)s: the parameter “%(spec)s” belongs to the specification of "
                    "%(spec_product)s, not of %(product)s.",
                    lot=lot.name,
                    spec=spec.name,
                    spec_product=spec.product_tmpl_id.display_name,
                    product=lot.product_id.display_name,
                )
            )
        vals.setdefault("company_id", (lot.company_id or self.env.company).id)
        if spec.value_type == "numeric":
            value = self._parse_number(vals.get("value"), lot, spec)
            vals.update(value=value, passed=spec._passes(value), text_value=False)
        elif not (vals.get("text_value") or "").strip():
            raise ValidationError(
                _(
                    "Lot %(lot)s, parameter “%(spec)s”: the Text Result is required.",
                    lot=lot.name,
                    spec=spec.name,
                )
            )
        else:
            vals["passed"] = bool(vals.get("passed"))

    @api.model
    def _parse_number(self, value, lot, spec):
        if isinstance(value, str):
            try:
                value = float(value.strip().replace(",", "."))
            except ValueError:
                value = None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            raise ValidationError(
                _(
                    "Lot %(lot)s, parameter “%(spec)s”: the Result must be a number (got "
                    "%(value)r).",
                    lot=lot.name,
                    spec=spec.name,
                    value=value,
                )
            )
        return float(value)

    def write(self, vals):
        if not evidence.is_system(self):
            for result in self:
                evidence.check_writable(
                    result,
                    vals,
                    self._EDITABLE_FIELDS,
                    _(
                        "A test result is a quality record: record a new result to correct "
                        "it (the new one supersedes it)."
                    ),
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_quality_record(self):
        raise UserError(
            _(
                "Test results are quality records and cannot be deleted: record a new result "
                "to correct %(results)s.",
                results=", ".join(f"{r.lot_id.name} / {r.spec_id.name}" for r in self),
            )
        )

    @api.depends("lot_id", "spec_id")
    def _compute_display_name(self):
        for result in self:
            result.display_name = f"{result.lot_id.name} / {result.spec_id.name}"

    def _supersede_previous(self):
        """The newest result of a lot's parameter replaces the earlier current ones."""
        for (lot, spec), results in self.grouped(lambda r: (r.lot_id, r.spec_id)).items():
            newest = results.sorted("id")[-1]
            previous = self.search(
                [
                    ("lot_id", "=", lot.id),
                    ("spec_id", "=", spec.id),
                    ("is_current", "=", True),
                    ("id", "!=", newest.id),
                ]
            )
            if previous:
                evidence.system(previous).write({"superseded_by_id": newest.id})

    def _hold_failed_lots(self):
        """A failing current result on a required parameter holds its lot (failed test),
        unless the lot already has an active failed-test hold."""
        failed = self.filtered(lambda r: r.is_current and r.spec_id.required and not r.passed)
        for lot, results in failed.grouped("lot_id").items():
            if "failed_test" in lot.active_hold_ids.mapped("reason"):
                continue
            note = _(
                "Failed test: %s",
                ", ".join(f"{r.spec_id.name} = {r._result_text()}" for r in results),
            )
            lot._place_hold("failed_test", note)

    def _result_text(self):
        """The result as printed: the number with its unit, or the text."""
        self.ensure_one()
        if self.spec_id.value_type == "text":
            return self.text_value or ""
        number = self.spec_id._format(self.value)
        return f"{number} {self.spec_id.unit}" if self.spec_id.unit else number
