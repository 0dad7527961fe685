from odoo import _, api, models
from odoo.exceptions import AccessError, ValidationError

# field types whose empty value is still a value for PostgreSQL (0, false)
_NEVER_EMPTY = {"boolean", "integer", "float", "monetary"}


class StockLotCheckMixin(models.AbstractModel):
    """Refuse an empty required field with an error naming the record, before PostgreSQL.

    The NOT NULL constraints stay as the last line of defence, but a record created or
    written over RPC without, say, the lot of a hold must get a clear error naming the
    record and the field, not a database error. Text made only of spaces is empty. A
    required Many2many has no constraint in the database at all: it is checked once
    written (the transaction is rolled back with the error, so nothing stays half-written).
    """

    _name = "stock.lot.check.mixin"
    _description = "Required Fields of Traceability Records"

    @api.model_create_multi
    def create(self, vals_list):
        scalars = self._required_scalar_fields()
        missing = {name for vals in vals_list for name in scalars if name not in vals}
        defaults = self.default_get(list(missing)) if missing else {}
        for vals in vals_list:
            for name in scalars:
                value = vals[name] if name in vals else defaults.get(name)
                if self._is_empty_value(value):
                    raise ValidationError(self._required_message(name, vals=vals))
        records = super().create(vals_list)
        records._check_required_relations(self._required_relation_fields())
        return records

    def write(self, vals):
        for name in self._required_scalar_fields():
            if name in vals and self._is_empty_value(vals[name]):
                raise ValidationError(self._required_message(name, records=self))
        result = super().write(vals)
        self._check_required_relations(
            [name for name in self._required_relation_fields() if name in vals]
        )
        return result

    @api.model
    def _required_scalar_fields(self):
        """Required fields stored in a column of this table, that can be left empty."""
        return [
            name
            for name, field in self._fields.items()
            if field.required
            and field.store
            and field.column_type
            and not field.compute
            and not field.related
            and field.type not in _NEVER_EMPTY
        ]

    @api.model
    def _required_relation_fields(self):
        return [
            name
            for name, field in self._fields.items()
            if field.required and field.type == "many2many" and not field.compute
        ]

    @api.model
    def _is_empty_value(self, value):
        """None, False, 0 (an id), an empty recordset, or text made only of spaces."""
        if isinstance(value, str):
            return not value.strip()
        return not value

    def _check_required_relations(self, names):
        for name in names:
            empty = self.filtered(lambda record, name=name: not record[name])
            if empty:
                raise ValidationError(self._required_message(name, records=empty))

    @api.model
    def _required_message(self, name, vals=None, records=None):
        field = self._fields[name]
        label = field._description_string(self.env)
        if records is not None:
            record = ", ".join(records.mapped("display_name"))
        else:
            record = self._new_record_label(vals)
        return _(
            "%(model)s %(record)s: “%(field)s” is required.",
            model=self._description,
            record=record or _("(new)"),
            field=label,
        )

    @api.model
    def _new_record_label(self, vals):
        """What names a record not created yet: its name, else the records it points to."""
        if self._rec_name and isinstance(vals.get(self._rec_name), str):
            return vals[self._rec_name]
        parts = []
        for name, value in vals.items():
            field = self._fields.get(name)
            if not (field and field.type == "many2one" and value and isinstance(value, int)):
                continue
            if field.comodel_name in ("res.company", "res.users", "uom.uom"):
                continue
            try:
                parts.append(self.env[field.comodel_name].browse(value).display_name)
            except AccessError:
                continue
        return ", ".join(part for part in parts if part)
