from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class ProductQualitySpec(models.Model):
    """A line of a product's specification: what a lot is tested for and its limits.

    A numeric spec passes when the result lies between ``min_value`` and ``max_value``,
    both inclusive (like Odoo Enterprise's tolerances, both limits always apply: set a
    minimum of 0 for "at most", a high maximum for "at least"). A text spec (e.g.
    "Salmonella: absent in 25 g") is judged by the analyst.
    """

    _name = "product.quality.spec"
    _description = "Product Quality Specification"
    _inherit = ["stock.lot.check.mixin"]
    _order = "product_tmpl_id, sequence, id"

    product_tmpl_id = fields.Many2one(
        "product.template",
        string="Product",
        required=True,
        index=True,
        ondelete="cascade",
        help="The product this specification line applies to.",
    )
    company_id = fields.Many2one(
        related="product_tmpl_id.company_id",
        store=True,
        index=True,
        help="The company of the product, if any.",
    )
    sequence = fields.Integer(
        default=10, help="Order of the line on the specification and the CoA."
    )
    name = fields.Char(
        string="Parameter",
        required=True,
        translate=True,
        help="The parameter measured, e.g. Moisture or Salmonella.",
    )
    method = fields.Char(string="Test Method", help="E.g. ISO 712, AOAC 990.12.")
    unit = fields.Char(help="Unit of the result, e.g. %, mg/kg, cfu/g.")
    value_type = fields.Selection(
        [("numeric", "Numeric"), ("text", "Text")],
        string="Result Type",
        required=True,
        default="numeric",
        help="Numeric: a value checked against min and max. Text: a result in words.",
    )
    min_value = fields.Float(
        string="Min", digits=(16, 4), help="Lowest value that passes; empty for no lower limit."
    )
    max_value = fields.Float(
        string="Max", digits=(16, 4), help="Highest value that passes; empty for no upper limit."
    )
    target = fields.Char(help="The expected value or text, e.g. 12.5 or 'Absent in 25 g'.")
    required = fields.Boolean(
        default=True,
        help="A lot passes only once every required parameter has a passing result; a "
        "failing result on a required parameter puts the lot on hold.",
    )
    active = fields.Boolean(
        default=True, help="Archived lines are kept for past results but no longer required."
    )

    def write(self, vals):
        """A parameter with results keeps its product and type: the results were judged
        against them (archive it and add a new line instead)."""
        fixed = {"product_tmpl_id", "value_type"} & set(vals)
        if fixed:
            self._check_no_results(_("changed (%s)", ", ".join(sorted(fixed))))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_with_results(self):
        self._check_no_results(_("deleted"))

    def _check_no_results(self, action):
        # sudo: results of any company make a parameter evidence
        tested = self.env["stock.lot.test.result"].sudo().search([("spec_id", "in", self.ids)])
        if tested:
            raise UserError(
                _(
                    "Specification lines %(specs)s have test results: they cannot be "
                    "%(action)s. Archive them and add new lines instead.",
                    specs=", ".join(
                        f"{spec.name} ({spec.product_tmpl_id.display_name})"
                        for spec in tested.spec_id
                    ),
                    action=action,
                )
            )

    @api.constrains("value_type", "min_value", "max_value")
    def _check_limits(self):
        for spec in self:
            if spec.value_type == "numeric" and spec.min_value > spec.max_value:
                raise ValidationError(
                    _(
                        "Specification “%(spec)s” of %(product)s: Min (%(min)s) cannot be "
                        "greater than Max (%(max)s).",
                        spec=spec.name,
                        product=spec.product_tmpl_id.display_name,
                        min=spec.min_value,
                        max=spec.max_value,
                    )
                )

    def _passes(self, value):
        """Whether the numeric ``value`` is within this spec (limits inclusive)."""
        self.ensure_one()
        return self.min_value <= value <= self.max_value

    def _specification_text(self):
        """The specification as printed: 'min - max' for a numeric spec, else the target."""
        self.ensure_one()
        if self.value_type == "text":
            return self.target or ""
        limits = f"{self._format(self.min_value)} - {self._format(self.max_value)}"
        return f"{limits} ({_('target')} {self.target})" if self.target else limits

    @staticmethod
    def _format(value):
        return f"{value:.4f}".rstrip("0").rstrip(".")
