"""Many2one columns of recall evidence lines, stored without a foreign key.

A supplier recall's scope writes tens of thousands of lines in a few statements (its lots,
deliveries and customers' products). PostgreSQL checks every foreign key of every row it
inserts, one lookup each (about 4 µs): 20,000 deliveries with seven keys spent half a
second there, most of the scope's time. The lines keep the keys that protect something:
their recall (deleted with it), the lot of a lot line (a lot in a recall cannot be deleted),
the customer of a delivery, the customer line of a customer's product. A
:class:`SnapshotMany2one` points at a record that cannot disappear while the line exists:

- a done move line: Odoo refuses to delete it (``stock.move.line``);
- a lot or a product: a recall's lot lines keep their lot's key, and a lot keeps its
  product's;
- a scope version: deleted only with its recall, which deletes the lines.

A related field stored on a line (a customer product's recall and customer) copies a key
the line already holds through another: it needs none either.
"""

from odoo import fields
from odoo.tools import SQL


class SnapshotMany2one(fields.Many2one):
    """A stored Many2one whose column has no foreign key (see the module's docstring)."""

    def update_db_foreign_key(self, model, column):
        return


def drop_foreign_keys(model):
    """Drop the foreign keys an earlier version made on the snapshot columns of ``model``,
    with their ``ir.model.constraint`` records."""
    columns = [
        name
        for name, field in model._fields.items()
        if isinstance(field, SnapshotMany2one) and field.store and field.column_type
    ]
    if not columns:
        return
    cr = model.env.cr
    cr.execute(
        SQL(
            """
            SELECT constraint_.conname
              FROM pg_constraint constraint_
              JOIN pg_class table_ ON table_.oid = constraint_.conrelid
              JOIN pg_attribute column_
                ON column_.attrelid = table_.oid AND column_.attnum = ANY(constraint_.conkey)
             WHERE constraint_.contype = 'f' AND table_.relname = %(table)s
               AND column_.attname = ANY(%(columns)s)
            """,
            table=model._table,
            columns=columns,
        )
    )
    for (name,) in cr.fetchall():
        cr.execute(
            SQL(
                "ALTER TABLE %s DROP CONSTRAINT %s",
                SQL.identifier(model._table),
                SQL.identifier(name),
            )
        )
        cr.execute(SQL("DELETE FROM ir_model_constraint WHERE name = %s AND type = 'f'", name))
