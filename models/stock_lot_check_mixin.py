from odoo import Command, _, api, models
from odoo.exceptions import AccessError, ValidationError

# field types whose empty value is still a value for PostgreSQL (0, false)
_NEVER_EMPTY = {"boolean", "integer", "float", "monetary"}
# records that name nothing by themselves in an error message
_NOT_NAMING = {"res.company", "res.users", "uom.uom"}


class StockLotCheckMixin(models.AbstractModel):
    """Refuse empty required fields and negative quantities before anything is written.

    PostgreSQL's NOT NULL and CHECK constraints stay as the last line of defence, but a
    record created or written over RPC without, say, the lot of a hold must get an error
    naming the record and the field, not a database error. Text made only of spaces is
    empty; a required Many2many (which has no constraint in the database) must keep at
    least one record. Models list their quantities that cannot be negative in
    ``_non_negative_fields``. Everything is checked on the values, before the insert or
    the update, so a refused call writes nothing, not even in the cache.
    """

    _name = "stock.lot.check.mixin"
    _description = "Input Checks of Traceability Records"

    _non_negative_fields = ()

    @api.model_create_multi
    def create(self, vals_list):
        required = self._required_fields()
        missing = {name for vals in vals_list for name in required if name not in vals}
        defaults = self.default_get(list(missing)) if missing else {}
        for vals in vals_list:
            for name in required:
                value = vals[name] if name in vals else defaults.get(name)
                if self._is_empty_value(name, value):
                    raise ValidationError(self._input_message(name, self._new_label(vals)))
            self._check_non_negative(vals, lambda vals=vals: self._new_label(vals))
        return super().create(vals_list)

    def write(self, vals):
        for name in set(self._required_fields()) & set(vals):
            for record in self:
                current = record[name].ids if self._fields[name].type == "many2many" else None
                if self._is_empty_value(name, vals[name], current):
                    raise ValidationError(self._input_message(name, record._record_label()))
        self._check_non_negative(vals, self._record_label)
        return super().write(vals)

    @api.model
    def _required_fields(self):
        """Required fields a user can leave empty: columns, and Many2many relations."""
        return [
            name
            for name, field in self._fields.items()
            if field.required
            and field.store
            and not field.compute
            and not field.related
            and (field.column_type or field.type == "many2many")
            and field.type not in _NEVER_EMPTY
        ]

    @api.model
    def _is_empty_value(self, name, value, current_ids=None):
        """None, False, 0 (an id), text of spaces; for a Many2many, no record once written."""
        if self._fields[name].type == "many2many":
            return not self._ids_after_commands(current_ids or [], value)
        if isinstance(value, str):
            return not value.strip()
        return not value

    @api.model
    def _ids_after_commands(self, ids, commands):
        """The ids a Many2many holds after ``commands`` (ids, a recordset or commands)."""
        if isinstance(commands, models.BaseModel):
            return set(commands.ids)
        commands = commands or []
        if all(isinstance(command, int) for command in commands):
            return set(commands) if commands else set(ids)
        ids = set(ids)
        for command in commands:
            if isinstance(command, int):
                ids.add(command)
                continue
            operation = command[0]
            if operation == Command.SET:
                ids = set(command[2])
            elif operation == Command.CLEAR:
                ids = set()
            elif operation in (Command.LINK, Command.UPDATE):
                ids.add(command[1])
            elif operation in (Command.UNLINK, Command.DELETE):
                ids.discard(command[1])
            elif operation == Command.CREATE:
                ids.add(f"new-{len(ids)}")
        return ids

    def _check_non_negative(self, vals, label):
        for name in self._non_negative_fields:
            if (vals.get(name) or 0.0) < 0:
                raise ValidationError(
                    _(
                        "%(model)s %(record)s: “%(field)s” cannot be negative (%(value)s).",
                        model=self._description,
                        record=label(),
                        field=self._fields[name]._description_string(self.env),
                        value=vals[name],
                    )
                )

    @api.model
    def _input_message(self, name, label):
        return _(
            "%(model)s %(record)s: “%(field)s” is required.",
            model=self._description,
            record=label,
            field=self._fields[name]._description_string(self.env),
        )

    def _record_label(self):
        """The display names of these records, or of what they point to when they have none."""
        labels = []
        for record in self:
            label = record.display_name
            if label == f"{record._name},{record.id}":
                label = record._new_label(
                    {
                        name: record[name].id
                        for name, field in record._fields.items()
                        if field.type == "many2one" and field.required
                    }
                )
            labels.append(label)
        return ", ".join(labels) or _("(new)")

    @api.model
    def _new_label(self, vals):
        """What names a record from its values: its name, else the records it points to."""
        if self._rec_name and isinstance(vals.get(self._rec_name), str):
            return vals[self._rec_name]
        parts = []
        for name, value in vals.items():
            field = self._fields.get(name)
            if not (field and field.type == "many2one" and isinstance(value, int) and value):
                continue
            if field.comodel_name in _NOT_NAMING:
                continue
            try:
                parts.append(self.env[field.comodel_name].browse(value).display_name)
            except AccessError:
                continue
        return ", ".join(part for part in parts if part) or _("(new)")
