"""Set-based writes of the lines a recall computes (its scope: thousands of lots and deliveries).

The ORM creates and writes records one by one in Python (defaults, conversions, computes,
access checks): 30,000 scope lines take seconds. These helpers write plain stored columns in
one statement each, the values converted and rounded the way the ORM would. They skip the
ORM's checks on purpose: only the recall's own actions call them, in system mode
(models/evidence.py), with values computed from the database. The caller then invalidates
the caches of the inverse relations and marks the stored fields that depend on what was
written (``modified``).
"""

from contextlib import contextmanager

from odoo.tools import SQL


@contextmanager
def without_jit(cr):
    """Run the block with PostgreSQL's JIT compiler off, in this transaction only.

    PostgreSQL compiles a statement to machine code when the planner's cost estimate is
    high (``jit_above_cost``). A recall's scope joins ten thousand lots to their move lines
    and stock in a few statements: the planner overestimates their rows a hundredfold, and
    compiling them took longer (about a second on the benchmark) than running them.
    """
    cr.execute("SELECT current_setting('jit')")
    previous = cr.fetchone()[0]
    cr.execute("SET LOCAL jit = off")
    yield
    # Not on an error: a statement in a failed transaction would replace the error (and
    # Odoo retries a serialization failure by its type). Rolling back undoes SET LOCAL; a
    # caller that goes on after an error merely runs without JIT until the transaction ends.
    cr.execute(SQL("SELECT set_config('jit', %s, true)", previous))


def _column(field, value):
    """``value`` as the ORM stores it in ``field``'s column (before the SQL rounding)."""
    if field.type == "float":
        return float(value or 0.0)
    if field.type == "integer":
        return int(value or 0)
    if field.type == "boolean":
        return bool(value)
    if field.type == "many2one":
        return value or None
    if value is False:
        return None
    return value


def _cast(env, field, alias):
    """The column ``alias`` of an ``unnest`` rounded like ``Float.convert_to_column``."""
    if field.type == "float" and (digits := field.get_digits(env)):
        return SQL("ROUND(%s, %s)", SQL.identifier(alias), digits[1])
    return SQL.identifier(alias)


def _literal(value):
    """One element of a PostgreSQL array literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)  # text, dates and datetimes (ISO format)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number(value):
    return "NULL" if value is None else repr(value)


def _array(values, column_type, literal=_literal):
    """``values`` as one typed array parameter. Written as the array's text: psycopg2
    adapts a Python list element by element, ten times slower on 20,000 rows."""
    return SQL("%s::%s[]", "{" + ",".join(map(literal, values)) + "}", SQL(column_type))


def _arrays(model, names, rows):
    """One typed array per column: ``unnest`` turns them back into rows."""
    arrays = []
    for name in names:
        field = model._fields[name]
        values = [_column(field, row[name]) for row in rows]
        literal = _number if field.type in ("many2one", "integer", "float") else _literal
        arrays.append(_array(values, field.column_type[1], literal))
    return SQL(", ").join(arrays)


def _values(model, names, aliases):
    return SQL(", ").join(
        _cast(model.env, model._fields[name], alias)
        for name, alias in zip(names, aliases, strict=True)
    )


def insert(model, rows):
    """Insert ``rows`` (dicts of stored, non-computed column values, all with the same
    keys) into the table of ``model`` in one statement; return the new ids, in order."""
    if not rows:
        return []
    names = list(rows[0])
    aliases = [f"c{index}" for index in range(len(names))]
    log_columns, log_values = SQL(), SQL()
    if model._log_access:
        now, uid = model.env.cr.now(), model.env.uid
        log_columns = SQL(", create_uid, create_date, write_uid, write_date")
        log_values = SQL(", %s, %s, %s, %s", uid, now, uid, now)
    model.env.cr.execute(
        SQL(
            """
            INSERT INTO %(table)s (%(columns)s%(log_columns)s)
            SELECT %(values)s%(log_values)s
              FROM unnest(%(arrays)s) WITH ORDINALITY AS row_(%(aliases)s, row_number)
             ORDER BY row_number
            RETURNING id
            """,
            table=SQL.identifier(model._table),
            columns=SQL(", ").join(SQL.identifier(name) for name in names),
            values=_values(model, names, aliases),
            arrays=_arrays(model, names, rows),
            aliases=SQL(", ").join(SQL.identifier(alias) for alias in aliases),
            log_columns=log_columns,
            log_values=log_values,
        )
    )
    return [row[0] for row in model.env.cr.fetchall()]


def update(records, values):
    """Write ``values`` (``{id: {name: value}}``, every dict with the same keys, stored
    columns that are neither relations nor computed) on ``records`` in one statement,
    then invalidate those fields and mark what depends on them, as ``write`` would."""
    if not values:
        return
    ids = list(values)
    names = list(values[ids[0]])
    rows = [values[record_id] for record_id in ids]
    aliases = [f"c{index}" for index in range(len(names))]
    changed = records.browse(ids)
    changed.flush_recordset(names)
    log_columns, log_values, log_names = SQL(), SQL(), []
    if records._log_access:
        log_columns = SQL(", write_uid, write_date")
        log_values = SQL(", %s, %s", records.env.uid, records.env.cr.now())
        log_names = ["write_uid", "write_date"]
    records.env.cr.execute(
        SQL(
            """
            UPDATE %(table)s AS line_
               SET (%(columns)s%(log_columns)s) = ROW(%(values)s%(log_values)s)
              FROM unnest(%(ids)s, %(arrays)s) AS row_(row_id, %(aliases)s)
             WHERE line_.id = row_.row_id
            """,
            table=SQL.identifier(records._table),
            columns=SQL(", ").join(SQL.identifier(name) for name in names),
            values=_values(records, names, aliases),
            ids=_array(ids, "int4", _number),
            arrays=_arrays(records, names, rows),
            aliases=SQL(", ").join(SQL.identifier(alias) for alias in aliases),
            log_columns=log_columns,
            log_values=log_values,
        )
    )
    changed.invalidate_recordset([*names, *log_names])
    changed.modified(names)
