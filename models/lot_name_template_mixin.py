import re

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# {yyyy} {yy} {mm} {dd}: the date the number is drawn; {seq} or {seq:04}: the counter
_DATE_PARTS = {"yyyy": "%(year)s", "yy": "%(y)s", "mm": "%(month)s", "dd": "%(day)s"}
_SEQ = re.compile(r"^seq(?::(\d{1,2}))?$")


def parse_lot_name_template(template):
    """Split a lot number format into ``(prefix, padding, suffix)`` for an ``ir.sequence``.

    The prefix and suffix use the sequence's ``%(year)s`` interpolation for the date parts.
    Raises ``ValueError`` with the reason when the format is not valid.
    """
    pieces, padding, seq_seen, position = [[], []], None, False, 0
    for match in re.finditer(r"\{([^{}]*)\}|[{}]", template):
        literal = template[position : match.start()]
        pieces[seq_seen].append(literal.replace("%", "%%"))
        position = match.end()
        if match.group(1) is None:
            raise ValueError(_("unbalanced brace at position %s", match.start() + 1))
        placeholder = match.group(1).strip()
        if placeholder in _DATE_PARTS:
            pieces[seq_seen].append(_DATE_PARTS[placeholder])
            continue
        seq = _SEQ.match(placeholder)
        if not seq:
            raise ValueError(
                _(
                    "unknown placeholder {%(placeholder)s} (use {seq}, {seq:04}, {yyyy}, "
                    "{yy}, {mm} or {dd})",
                    placeholder=placeholder,
                )
            )
        if seq_seen:
            raise ValueError(_("more than one {seq} part"))
        seq_seen, padding = True, int(seq.group(1) or 1)
    if not seq_seen:
        raise ValueError(_("no sequence part: add {seq} or {seq:03} for the counter"))
    pieces[1].append(template[position:].replace("%", "%%"))
    return "".join(pieces[0]), padding, "".join(pieces[1])


class LotNameTemplateMixin(models.AbstractModel):
    """A lot number format backed by its own ``ir.sequence`` (products and categories).

    The sequence uses PostgreSQL's own sequence (implementation ``standard``): drawing a
    number is atomic and outside the transaction, so two users receiving at the same moment
    never get the same number (a rolled-back transaction leaves a gap, never a duplicate).
    """

    _name = "stock.lot.name.template.mixin"
    _description = "Lot Number Format"

    lot_name_template = fields.Char(
        string="Lot Number Format",
        help="Used when a receipt or a manufacturing order needs a new lot and none is "
        "typed, e.g. B{seq:03} gives B001, B002…; FL-{yy}{mm}-{seq:04} gives FL-2511-0001. "
        "Parts: {seq} or {seq:0N} (counter, N digits), {yyyy}, {yy}, {mm}, {dd} (date). "
        "A product's format wins over its category's.",
    )
    lot_sequence_id = fields.Many2one(
        "ir.sequence",
        string="Lot Number Sequence",
        readonly=True,
        copy=False,
        help="Sequence counting the {seq} part of the lot number format.",
    )

    @api.constrains("lot_name_template")
    def _check_lot_name_template(self):
        for record in self.filtered("lot_name_template"):
            try:
                parse_lot_name_template(record.lot_name_template)
            except ValueError as error:
                raise ValidationError(
                    _(
                        "The lot number format “%(template)s” of %(record)s is not valid: "
                        "%(reason)s.",
                        template=record.lot_name_template,
                        record=record.display_name,
                        reason=error,
                    )
                ) from None

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records.filtered("lot_name_template")._sync_lot_sequence()
        return records

    def write(self, vals):
        res = super().write(vals)
        if "lot_name_template" in vals:
            self.filtered("lot_name_template")._sync_lot_sequence()
        return res

    def _sync_lot_sequence(self):
        """Create the sequence of each format, or give the existing one the new format (its
        counter continues: numbers already given are never given again)."""
        # sudo: only administrators write sequences; whoever may edit the product or the
        # category sets its lot number format
        sequences = self.env["ir.sequence"].sudo()
        for record in self:
            prefix, padding, suffix = parse_lot_name_template(record.lot_name_template)
            vals = {"prefix": prefix, "padding": padding, "suffix": suffix}
            if record.lot_sequence_id:
                record.lot_sequence_id.sudo().write(vals)
                continue
            record.lot_sequence_id = sequences.create(
                {
                    **vals,
                    "name": _("Lot numbers of %s", record.display_name),
                    "implementation": "standard",
                    "company_id": False,
                }
            )

    def _next_lot_name_from_template(self):
        self.ensure_one()
        # sudo: an inventory user draws the next number of a sequence he cannot read
        return self.lot_sequence_id.sudo()._next()
