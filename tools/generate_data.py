#!/usr/bin/env python3
"""Bulk traceability data for benchmarks: receipts, multi-level manufacturing, deliveries.

    python3 tools/generate_data.py --database slt_bench_100000 --lots 100000

or, from Python with an environment: ``generate(env, lots=100000, levels=4, ...)``.

Shape: level 0 holds ``lots`` ingredient lots, each received from a vendor. Every higher
level has ``fan_out / fan_in`` times the lots of the level below; each of its lots is made
by one done manufacturing order consuming ``fan_in`` lots of the level below (one lot of
each of ``fan_in`` component products, drawn at random), so a lower lot feeds about
``fan_out`` higher lots. Every lot of the top level is delivered ``deliveries`` times to
random customers. The defaults turn ``--lots 100000`` into about 1.1M done move lines.

Rows are written with set-based SQL (COPY into temporary tables, then INSERT ... SELECT
with ids reserved from the sequences), the way Odoo would have stored them: done pickings,
moves and move lines, done manufacturing orders with ``lot_producing_id``, raw moves
(``raw_material_production_id``) and finished moves (``production_id``), and the
``stock_move_line_consume_rel`` rows of ``mrp.production._post_inventory`` (column
``consume_line_id`` = the produced line, ``produce_line_id`` = the consumed line), and the
quants those moves leave in stock (one per lot, so recalls find stock to hold). Columns
not set here get the ORM's defaults (``default_get``), so fields added by other modules are
filled as a ``create`` would. The addon's links are then backfilled with its own SQL
(``stock.lot.link._link_productions``) and the tables analyzed.
"""

# A command-line tool: it reports on its standard output.
# pylint: disable=print-used

import argparse
import io
import json
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
ADDON = "stock_lot_traceability"
METADATA_KEY = f"{ADDON}.bench_data"
BASE_DATE = datetime(2025, 1, 1, 6, 0, 0)
LEVEL_DAYS = 60  # level k is made during [k * LEVEL_DAYS, k * LEVEL_DAYS + SPREAD_DAYS) days
SPREAD_DAYS = 30
LOT_QTY = 100.0
DEFAULTS = {
    "lots": 100000,
    "levels": 4,
    "fan_in": 4,
    "fan_out": 3,
    "customers": 1000,
    "deliveries": 3,
    "products": 20,
    "vendors": 50,
    "receipt_lines": 10,
    "delivery_lines": 3,
    "seed": 42,
}
# Columns the generator always writes itself (never taken from default_get).
MAGIC_COLUMNS = {"id", "create_uid", "create_date", "write_uid", "write_date"}


def say(message):
    print(f"[generate] {message}", flush=True)


def level_sizes(lots, levels, fan_in, fan_out):
    """Number of lots per level: each level has fan_out / fan_in times the one below."""
    sizes = [int(lots)]
    for _level in range(1, levels):
        sizes.append(max(1, round(sizes[-1] * fan_out / fan_in)))
    return sizes


def expected_counts(lots, levels, fan_in, fan_out, deliveries, **_ignored):
    sizes = level_sizes(lots, levels, fan_in, fan_out)
    made = sum(sizes[1:])
    counts = {
        "receipt lines": sizes[0],
        "consumed lines": made * fan_in,
        "produced lines": made,
        "delivery lines": sizes[-1] * deliveries,
    }
    counts["move lines"] = sum(counts.values())
    counts["lots"] = sum(sizes)
    return counts


# ----------------------------------------------------------------------
# SQL helpers
# ----------------------------------------------------------------------
def _literal(cr, value):
    return cr.mogrify("%s", (value,)).decode()


def _orm_defaults(env, model_name, supplied):
    """SQL literals of what ``create`` would write for the stored fields we do not supply."""
    model = env[model_name]
    names = [
        field.name
        for field in model._fields.values()
        if field.store
        and field.column_type
        and field.name not in supplied
        and field.name not in MAGIC_COLUMNS
        and not field.company_dependent
    ]
    literals = {}
    for name, value in model.default_get(names).items():
        field = model._fields[name]
        if (value is False or value is None) and field.type != "boolean":
            continue
        cached = field.convert_to_cache(value, model)
        column = field.convert_to_column_insert(field.convert_to_write(cached, model), model)
        if column is not None:
            literals[name] = _literal(env.cr, column)
    return literals


def _insert(env, model_name, columns, from_sql):
    """INSERT INTO the model's table SELECT the given column expressions FROM ``from_sql``.

    ``columns`` maps column names to SQL expressions; every other stored column with an
    ORM default receives that default; the magic columns are set to the superuser and now.
    """
    table = env[model_name]._table
    values = dict(columns)
    values.update(_orm_defaults(env, model_name, set(values)))
    now = "(NOW() AT TIME ZONE 'UTC')"
    values.setdefault("create_uid", str(env.uid))
    values.setdefault("write_uid", str(env.uid))
    values.setdefault("create_date", now)
    values.setdefault("write_date", now)
    names = ", ".join(f'"{name}"' for name in values)
    exprs = ",\n       ".join(values.values())
    env.cr.execute(f"INSERT INTO {table} ({names})\nSELECT {exprs}\n{from_sql}")
    return env.cr.rowcount


def _reserve_ids(cr, table, count):
    """Take ``count`` consecutive ids from the table's sequence; return the first one."""
    cr.execute("SELECT pg_get_serial_sequence(%s, 'id')", (table,))
    sequence = cr.fetchone()[0]
    cr.execute("SELECT nextval(%s)", (sequence,))
    first = cr.fetchone()[0]
    if count > 1:
        cr.execute("SELECT setval(%s, %s)", (sequence, first + count - 1))
    return first


def _copy(cr, table, columns, rows):
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if value is None else str(value) for value in row))
        buffer.write("\n")
    buffer.seek(0)
    cr._obj.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _sql_array(values):
    return "ARRAY[" + ",".join(str(int(value)) for value in values) + "]::integer[]"


def _recompute_addon_fields(env, model_name, ids_sql, supplied):
    """Compute the addon's stored computed fields that plain SQL left empty."""
    model = env[model_name]
    fields_ = [
        field
        for field in model._fields.values()
        if field.store
        and field.compute
        and getattr(field, "_module", None) == ADDON
        and field.name not in supplied
    ]
    if not fields_:
        return
    env.cr.execute(ids_sql)
    ids = [row[0] for row in env.cr.fetchall()]
    say(f"computing {', '.join(f.name for f in fields_)} of {len(ids)} {model_name} with the ORM")
    for start in range(0, len(ids), 20000):
        records = model.browse(ids[start : start + 20000])
        for field in fields_:
            env.add_to_compute(field, records)
        model.flush_model([field.name for field in fields_])
        env.invalidate_all()


def write_quants(env, lot_first, lot_last, location_id):
    """Quants of the lots ``lot_first``..``lot_last`` in ``location_id``: what their done
    move lines brought in minus what they took out (as Odoo's quants would hold; a lot
    consumed more than received is negative, as Odoo allows). Returns the number written."""
    env.cr.execute(
        f"""
        CREATE TEMP TABLE slt_gen_quant AS
        SELECT ml.lot_id, ml.product_id,
               SUM(CASE WHEN ml.location_dest_id = {location_id} THEN ml.quantity ELSE 0 END)
             - SUM(CASE WHEN ml.location_id = {location_id} THEN ml.quantity ELSE 0 END)
                 AS qty,
               MIN(ml.date) AS in_date
          FROM stock_move_line ml
         WHERE ml.lot_id BETWEEN {lot_first} AND {lot_last} AND ml.state = 'done'
           AND {location_id} IN (ml.location_id, ml.location_dest_id)
         GROUP BY ml.lot_id, ml.product_id
        HAVING SUM(CASE WHEN ml.location_dest_id = {location_id} THEN ml.quantity ELSE 0 END)
             <> SUM(CASE WHEN ml.location_id = {location_id} THEN ml.quantity ELSE 0 END)
        """
    )
    company_id = env["stock.location"].browse(location_id).company_id.id
    _insert(
        env,
        "stock.quant",
        {
            "product_id": "q.product_id",
            "lot_id": "q.lot_id",
            "location_id": str(location_id),
            "company_id": str(company_id),
            "quantity": "q.qty",
            "reserved_quantity": "0",
            "in_date": "q.in_date",
        },
        "FROM slt_gen_quant q ORDER BY q.lot_id",
    )
    env.cr.execute("SELECT COUNT(*) FROM slt_gen_quant")
    count = env.cr.fetchone()[0]
    env.cr.execute("DROP TABLE slt_gen_quant")
    return count


# ----------------------------------------------------------------------
# The generator
# ----------------------------------------------------------------------
def _context(env):
    company = env.company
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    if not warehouse:
        raise RuntimeError(f"no warehouse in company {company.name}")
    return {
        "company": company,
        "warehouse": warehouse,
        "stock": warehouse.lot_stock_id,
        "in_type": warehouse.in_type_id,
        "out_type": warehouse.out_type_id,
        "manu_type": warehouse.manu_type_id,
        "supplier": env.ref("stock.stock_location_suppliers"),
        "customer": env.ref("stock.stock_location_customers"),
        "uom": env.ref("uom.product_uom_unit"),
    }


def _create_products(env, tag, levels, products):
    names = ["Ingredient"] + ["Intermediate"] * (levels - 2) + ["Finished Good"]
    vals = [
        {
            "name": f"Bench {tag} L{level} {names[min(level, len(names) - 1)]} {index + 1:03d}",
            "is_storable": True,
            "type": "consu",
            "tracking": "lot",
            "sale_ok": level == levels - 1,
            "purchase_ok": level == 0,
        }
        for level in range(levels)
        for index in range(products)
    ]
    created = env["product.product"].with_context(tracking_disable=True).create(vals)
    return [created[level * products : (level + 1) * products].ids for level in range(levels)]


def _create_partners(env, tag, count, kind):
    first = _reserve_ids(env.cr, "res_partner", count)
    label = "Customer" if kind == "customer" else "Vendor"
    name = f"'Bench {tag} {label} ' || lpad((n + 1)::text, 5, '0')"
    email = f"'{kind}' || (n + 1) || '.{tag.lower()}@bench.example.com'"  # ascii only
    _insert(
        env,
        "res.partner",
        {
            "id": f"{first} + n",
            "name": name,
            "complete_name": name,
            "commercial_partner_id": f"{first} + n",
            "commercial_company_name": name,
            "is_company": "TRUE",
            "email": email,
            "email_normalized": email,
            "partner_share": "TRUE",
            "customer_rank": "1" if kind == "customer" else "0",
            "supplier_rank": "1" if kind == "vendor" else "0",
            "company_id": "NULL",
        },
        f"FROM generate_series(0, {count - 1}) AS n",
    )
    return list(range(first, first + count))


class Generator:
    """One generation run; the methods are its steps, in the order :meth:`run` calls them."""

    def __init__(self, env, params, link=True):
        self.link = link
        self.env = env(su=True, context=dict(env.context, tracking_disable=True))
        self.cr = self.env.cr
        self.p = params
        self.rng = random.Random(params["seed"])
        self.ctx = _context(self.env)
        self.company_id = self.ctx["company"].id
        self.stock_id = self.ctx["stock"].id
        self.uom_id = self.ctx["uom"].id
        self.sizes = level_sizes(
            params["lots"], params["levels"], params["fan_in"], params["fan_out"]
        )
        self.expected = expected_counts(**params)
        self.timings = {}

    def _timed(self, label, method, *args):
        step = time.perf_counter()
        result = method(*args)
        self.timings[label] = time.perf_counter() - step
        return result

    def run(self):
        started = time.perf_counter()
        say(
            f"levels {self.sizes} (fan-in {self.p['fan_in']}, fan-out ~{self.p['fan_out']}), "
            f"{self.p['deliveries']} deliveries per finished lot; "
            f"expecting {self.expected['move lines']} move lines"
        )
        self.env.flush_all()
        self._timed("products and partners", self.products_and_partners)
        self._timed("plan", self.plan)
        self._timed("staging", self.stage)
        say(f"staged {self.line_count} move lines in {self.timings['staging']:.1f}s")
        self._timed("lots", self.write_lots)
        self._timed("pickings", self.write_pickings)
        self._timed("manufacturing orders", self.write_productions)
        self._timed("moves", self.write_moves)
        say(f"moves written in {self.timings['moves']:.1f}s")
        self._timed("move lines", self.write_move_lines)
        say(f"move lines written in {self.timings['move lines']:.1f}s")
        self._timed("consume rel", self.write_consume_rel)
        self._timed("quants", self.write_quants)
        self._timed("addon computed fields", self.compute_addon_fields)
        say(f"addon's computed fields in {self.timings['addon computed fields']:.1f}s")
        self.cr.execute(
            "DROP TABLE slt_gen_lot, slt_gen_cons, slt_gen_picking, slt_gen_ship, "
            "slt_gen_line, slt_gen_product"
        )
        self.env.invalidate_all()
        # fresh statistics before the backfill, as an existing database would have them
        self._timed("analyze", self.analyze)
        generated = time.perf_counter() - started
        say(f"data written in {generated:.1f}s")

        link_count, link_seconds = None, None
        if self.link:
            step = time.perf_counter()
            link_count = self.env["stock.lot.link"]._link_productions()
            link_seconds = time.perf_counter() - step
            say(
                f"stock.lot.link._link_productions() (all done MOs): {link_count} links "
                f"written or refreshed in {link_seconds:.1f}s"
            )
            self.cr.execute("ANALYZE stock_lot_link")
        return self.summary(started, generated, link_count, link_seconds)

    # -- steps ------------------------------------------------------------
    def products_and_partners(self):
        self.cr.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM product_template")
        self.tag = f"G{self.cr.fetchone()[0]}"
        self.product_ids = _create_products(
            self.env, self.tag, self.p["levels"], self.p["products"]
        )
        self.env.flush_all()
        self.customer_ids = _create_partners(self.env, self.tag, self.p["customers"], "customer")
        self.vendor_ids = _create_partners(self.env, self.tag, self.p["vendors"], "vendor")
        product = self.env["product.product"].browse(self.product_ids[0][0])
        self.production_id = product.with_company(self.company_id).property_stock_production.id

    def plan(self):
        """Ids, and in Python the random parts: what each MO consumes, who receives what."""
        sizes, products = self.sizes, self.p["products"]
        self.lot_first = _reserve_ids(self.cr, "stock_lot", sum(sizes))
        self.level_first = [self.lot_first + sum(sizes[:level]) for level in range(len(sizes))]
        self.mo_count = sum(sizes[1:])
        self.mo_first = _reserve_ids(self.cr, "mrp_production", self.mo_count)
        # the MO of lot (level, index) has id mo_level_first[level] + index
        self.mo_level_first = [None] + [
            self.mo_first + sum(sizes[1:level]) for level in range(1, len(sizes))
        ]
        self.consumption = []  # (produced lot id, consumed lot id)
        for level in range(1, len(sizes)):
            below = sizes[level - 1]
            # lots of component product c are the indexes c, c + products, c + 2 * products...
            per_product = [(below - c + products - 1) // products for c in range(products)]
            for index in range(sizes[level]):
                child = self.level_first[level] + index
                for position in range(self.p["fan_in"]):
                    component = (index % products + position) % products
                    if per_product[component]:
                        drawn = component + products * self.rng.randrange(per_product[component])
                        self.consumption.append((child, self.level_first[level - 1] + drawn))
        self._plan_pickings()

    def _plan_pickings(self):
        sizes, code = self.sizes, self.ctx["warehouse"].code
        self.receipt_count = -(-sizes[0] // self.p["receipt_lines"])
        shipments = [
            self.level_first[-1] + index
            for index in range(sizes[-1])
            for _times in range(self.p["deliveries"])
        ]
        self.rng.shuffle(shipments)
        per_picking = self.p["delivery_lines"]
        self.delivery_count = -(-len(shipments) // per_picking)
        self.picking_first = _reserve_ids(
            self.cr, "stock_picking", self.receipt_count + self.delivery_count
        )
        self.pickings = []  # id, kind, partner, date, name
        self.receipt_days = SPREAD_DAYS / self.receipt_count
        for number in range(self.receipt_count):
            self.pickings.append(
                (
                    self.picking_first + number,
                    "in",
                    self.rng.choice(self.vendor_ids),
                    BASE_DATE + timedelta(days=number * self.receipt_days),
                    f"{code}/IN/{self.tag}/{number + 1:06d}",
                )
            )
        start = BASE_DATE + timedelta(days=len(sizes) * LEVEL_DAYS)
        days = SPREAD_DAYS / max(self.delivery_count, 1)
        self.shipped = []  # lot id, picking id
        for number in range(self.delivery_count):
            picking_id = self.picking_first + self.receipt_count + number
            self.pickings.append(
                (
                    picking_id,
                    "out",
                    self.rng.choice(self.customer_ids),
                    start + timedelta(days=number * days),
                    f"{code}/OUT/{self.tag}/{number + 1:06d}",
                )
            )
            for lot_id in shipments[number * per_picking : (number + 1) * per_picking]:
                self.shipped.append((lot_id, picking_id))

    def stage(self):
        """Temporary tables holding the plan, one row per lot, picking, and move line."""
        cr = self.cr
        cr.execute(
            """
            DROP TABLE IF EXISTS slt_gen_lot, slt_gen_cons, slt_gen_picking, slt_gen_ship,
                                 slt_gen_line, slt_gen_product;
            CREATE TEMP TABLE slt_gen_lot (
                id integer PRIMARY KEY, level integer, idx integer, product_id integer,
                mo_id integer, mo_name varchar, date timestamp);
            CREATE TEMP TABLE slt_gen_cons (child_lot integer, parent_lot integer);
            CREATE TEMP TABLE slt_gen_picking (
                id integer PRIMARY KEY, kind varchar, partner_id integer, date timestamp,
                name varchar);
            CREATE TEMP TABLE slt_gen_ship (lot_id integer, picking_id integer);
            """
        )
        mo_prefix = f"{self.ctx['warehouse'].code}/MO/{self.tag}/"
        base = f"TIMESTAMP '{BASE_DATE.isoformat(sep=' ')}'"
        for level, size in enumerate(self.sizes):
            # level k is made during days [k * LEVEL_DAYS, k * LEVEL_DAYS + SPREAD_DAYS)
            date = (
                f"{base} + INTERVAL '{level * LEVEL_DAYS} days'"
                f" + ({SPREAD_DAYS}.0 * idx / {size}) * INTERVAL '1 day'"
            )
            if level:
                number = self.mo_level_first[level] - self.mo_first + 1
                mo_id = f"{self.mo_level_first[level]} + idx"
                mo_name = f"'{mo_prefix}' || lpad(({number} + idx)::text, 6, '0')"
            else:
                mo_id, mo_name = "NULL::integer", "NULL::varchar"
            ids = self.product_ids[level]
            product = f"({_sql_array(ids)})[idx % {len(ids)} + 1]"
            # built from the generator's own integers, no outside input
            cr.execute(  # pylint: disable=sql-injection
                f"""
                INSERT INTO slt_gen_lot
                SELECT {self.level_first[level]} + idx, {level}, idx, {product},
                       {mo_id}, {mo_name}, {date}
                  FROM generate_series(0, {size - 1}) AS idx
                """
            )
        _copy(cr, "slt_gen_cons", ["child_lot", "parent_lot"], self.consumption)
        _copy(cr, "slt_gen_picking", ["id", "kind", "partner_id", "date", "name"], self.pickings)
        _copy(cr, "slt_gen_ship", ["lot_id", "picking_id"], self.shipped)
        cr.execute(
            "ANALYZE slt_gen_lot; ANALYZE slt_gen_cons; ANALYZE slt_gen_picking; "
            "ANALYZE slt_gen_ship"
        )
        self._stage_lines()
        all_products = [pid for level in self.product_ids for pid in level]
        # ids the generator created itself, no outside input
        cr.execute(  # pylint: disable=sql-injection
            "CREATE TEMP TABLE slt_gen_product AS "
            "SELECT pp.id, pt.name->>'en_US' AS name FROM product_product pp "
            "JOIN product_template pt ON pt.id = pp.product_tmpl_id "
            f"WHERE pp.id = ANY({_sql_array(all_products)})"
        )
        self.move_first = _reserve_ids(cr, "stock_move", self.line_count)
        self.line_first = _reserve_ids(cr, "stock_move_line", self.line_count)

    def _stage_lines(self):
        """One row per done move and its single move line, numbered in date order."""
        stock, production = self.stock_id, self.production_id
        manu_type = self.ctx["manu_type"].id
        consumed_qty = round(LOT_QTY / self.p["fan_out"], 2)
        shipped_qty = round(LOT_QTY / self.p["deliveries"], 2)
        # built from the generator's own integers, no outside input
        self.cr.execute(  # pylint: disable=sql-injection
            f"""
            CREATE TEMP TABLE slt_gen_line AS
            SELECT row_number() OVER (ORDER BY date, ord, lot_id, mo_id) - 1 AS n, plan.*
              FROM (
                -- supplier receipts of the ingredient lots
                SELECT 0 AS ord, l.id AS lot_id, l.product_id, {LOT_QTY}::numeric AS qty,
                       {self.ctx["supplier"].id} AS src, {stock} AS dest, p.id AS picking_id,
                       NULL::integer AS mo_raw, NULL::integer AS mo_done,
                       NULL::integer AS mo_id, NULL::integer AS finished_lot, p.date,
                       p.partner_id, p.name AS reference, {self.ctx["in_type"].id} AS type_id
                  FROM slt_gen_lot l
                  JOIN slt_gen_picking p
                    ON p.id = {self.picking_first} + l.idx / {self.p["receipt_lines"]}
                 WHERE l.level = 0
                UNION ALL
                -- components consumed by the MO of the child lot
                SELECT 1, parent.id, parent.product_id, {consumed_qty}, {stock}, {production},
                       NULL, child.mo_id, NULL, child.mo_id, child.id, child.date, NULL,
                       child.mo_name, {manu_type}
                  FROM slt_gen_cons c
                  JOIN slt_gen_lot child ON child.id = c.child_lot
                  JOIN slt_gen_lot parent ON parent.id = c.parent_lot
                UNION ALL
                -- the finished lot of each MO
                SELECT 2, l.id, l.product_id, {LOT_QTY}, {production}, {stock}, NULL, NULL,
                       l.mo_id, l.mo_id, NULL, l.date, NULL, l.mo_name, {manu_type}
                  FROM slt_gen_lot l
                 WHERE l.level > 0
                UNION ALL
                -- customer deliveries of the finished lots
                SELECT 3, l.id, l.product_id, {shipped_qty}, {stock}, {self.ctx["customer"].id},
                       p.id, NULL, NULL, NULL, NULL, p.date, p.partner_id, p.name,
                       {self.ctx["out_type"].id}
                  FROM slt_gen_ship s
                  JOIN slt_gen_lot l ON l.id = s.lot_id
                  JOIN slt_gen_picking p ON p.id = s.picking_id
              ) AS plan
            """
        )
        self.line_count = self.cr.rowcount
        self.cr.execute(
            "CREATE INDEX ON slt_gen_line (mo_raw); CREATE INDEX ON slt_gen_line (mo_done); "
            "ANALYZE slt_gen_line"
        )

    def write_lots(self):
        _insert(
            self.env,
            "stock.lot",
            {
                "id": "l.id",
                "name": f"'{self.tag}-L' || l.level || '-' || lpad((l.idx + 1)::text, 6, '0')",
                "product_id": "l.product_id",
                "product_uom_id": str(self.uom_id),
                "company_id": str(self.company_id),
            },
            "FROM slt_gen_lot l ORDER BY l.id",
        )

    def write_pickings(self):
        ctx = self.ctx

        def by_kind(incoming, outgoing):
            return f"CASE p.kind WHEN 'in' THEN {incoming} ELSE {outgoing} END"

        _insert(
            self.env,
            "stock.picking",
            {
                "id": "p.id",
                "name": "p.name",
                "picking_type_id": by_kind(ctx["in_type"].id, ctx["out_type"].id),
                "location_id": by_kind(ctx["supplier"].id, self.stock_id),
                "location_dest_id": by_kind(self.stock_id, ctx["customer"].id),
                "partner_id": "p.partner_id",
                "company_id": str(self.company_id),
                "state": "'done'",
                "move_type": "'direct'",
                "scheduled_date": "p.date",
                "date": "p.date",
                "date_done": "p.date",
                "is_locked": "TRUE",
                "printed": "FALSE",
            },
            "FROM slt_gen_picking p ORDER BY p.id",
        )

    def write_productions(self):
        manu_type = self.ctx["manu_type"]
        _insert(
            self.env,
            "mrp.production",
            {
                "id": "l.mo_id",
                "name": "l.mo_name",
                "product_id": "l.product_id",
                "product_uom_id": str(self.uom_id),
                "product_qty": str(LOT_QTY),
                "product_uom_qty": str(LOT_QTY),
                "qty_producing": str(LOT_QTY),
                "lot_producing_id": "l.id",
                "picking_type_id": str(manu_type.id),
                "location_src_id": str(manu_type.default_location_src_id.id or self.stock_id),
                "location_dest_id": str(manu_type.default_location_dest_id.id or self.stock_id),
                "production_location_id": str(self.production_id),
                "company_id": str(self.company_id),
                "state": "'done'",
                "consumption": "'flexible'",
                "date_start": "l.date - INTERVAL '1 hour'",
                "date_finished": "l.date",
                "is_planned": "FALSE",
                "propagate_cancel": "FALSE",
                "allow_workorder_dependencies": "FALSE",
                "is_outdated_bom": "FALSE",
            },
            "FROM slt_gen_lot l WHERE l.level > 0 ORDER BY l.mo_id",
        )

    def write_moves(self):
        mo = "g.mo_id IS NOT NULL"
        _insert(
            self.env,
            "stock.move",
            {
                "id": f"{self.move_first} + g.n",
                # pickings name moves after the product, mrp after the order
                "name": f"CASE WHEN {mo} THEN g.reference ELSE pr.name END",
                "sequence": "10",
                "priority": "'0'",
                "company_id": str(self.company_id),
                "product_id": "g.product_id",
                "product_uom": str(self.uom_id),
                "product_uom_qty": "g.qty",
                "product_qty": "g.qty",
                "quantity": "g.qty",
                "location_id": "g.src",
                "location_dest_id": "g.dest",
                "partner_id": "g.partner_id",
                "picking_id": "g.picking_id",
                "picking_type_id": "g.type_id",
                "raw_material_production_id": "g.mo_raw",
                "production_id": "g.mo_done",
                "order_finished_lot_id": "g.finished_lot",
                "warehouse_id": f"CASE WHEN {mo} THEN {self.ctx['warehouse'].id} END",
                "origin": f"CASE WHEN {mo} THEN g.reference END",
                "reference": "g.reference",
                "state": "'done'",
                "procure_method": "'make_to_stock'",
                "date": "g.date",
                "picked": "TRUE",
                "scrapped": "FALSE",
                "is_inventory": "FALSE",
                "is_done": "TRUE",
                "additional": "FALSE",
                "propagate_cancel": "g.mo_id IS NULL",
                "manual_consumption": "FALSE",
                "unit_factor": f"CASE WHEN {mo} THEN g.qty / {LOT_QTY} ELSE 1 END",
                "cost_share": "0",
                "price_unit": "0",
            },
            "FROM slt_gen_line g JOIN slt_gen_product pr ON pr.id = g.product_id ORDER BY g.n",
        )

    def write_move_lines(self):
        _insert(
            self.env,
            "stock.move.line",
            {
                "id": f"{self.line_first} + g.n",
                "move_id": f"{self.move_first} + g.n",
                "picking_id": "g.picking_id",
                "company_id": str(self.company_id),
                "product_id": "g.product_id",
                "product_uom_id": str(self.uom_id),
                "lot_id": "g.lot_id",
                "location_id": "g.src",
                "location_dest_id": "g.dest",
                "quantity": "g.qty",
                "quantity_product_uom": "g.qty",
                "state": "'done'",
                "reference": "g.reference",
                "picked": "TRUE",
                "date": "g.date",
                # mrp writes the order on the component lines (stock.move._action_assign)
                "production_id": "g.mo_raw",
            },
            "FROM slt_gen_line g ORDER BY g.n",
        )

    def write_consume_rel(self):
        """What mrp.production._post_inventory writes: every finished line of an order
        gets all its consumed lines (consume_line_id = produced, produce_line_id = consumed).
        """
        # built from the generator's own integers, no outside input
        self.cr.execute(  # pylint: disable=sql-injection
            f"""
            INSERT INTO stock_move_line_consume_rel (consume_line_id, produce_line_id)
            SELECT {self.line_first} + done.n, {self.line_first} + raw.n
              FROM slt_gen_line done
              JOIN slt_gen_line raw ON raw.mo_raw = done.mo_done
             WHERE done.mo_done IS NOT NULL
            """
        )
        self.rel_count = self.cr.rowcount

    def write_quants(self):
        """The stock the move lines leave in the warehouse, one quant per lot."""
        last = self.lot_first + sum(self.sizes) - 1
        self.quant_count = write_quants(self.env, self.lot_first, last, self.stock_id)

    def compute_addon_fields(self):
        last = self.lot_first + sum(self.sizes) - 1
        _recompute_addon_fields(
            self.env,
            "stock.lot",
            f"SELECT id FROM stock_lot WHERE id BETWEEN {self.lot_first} AND {last}",
            {"id", "name", "product_id", "product_uom_id", "company_id"},
        )

    def analyze(self):
        for table in (
            "stock_lot",
            "stock_picking",
            "mrp_production",
            "stock_move",
            "stock_move_line",
            "stock_move_line_consume_rel",
            "stock_quant",
            "stock_lot_link",
            "res_partner",
        ):
            # table names of the list above, no outside input
            self.cr.execute(f"ANALYZE {table}")  # pylint: disable=sql-injection

    def summary(self, started, generated, link_count, link_seconds):
        self.cr.execute(
            "SELECT COUNT(*) FROM stock_move_line WHERE id >= %s AND id < %s",
            (self.line_first, self.line_first + self.line_count),
        )
        written = self.cr.fetchone()[0]
        summary = {
            "params": self.p,
            "tag": self.tag,
            "level_sizes": self.sizes,
            "level_first_lot_id": self.level_first,
            "lot_count": sum(self.sizes),
            "manufacturing_orders": self.mo_count,
            "pickings": {"receipts": self.receipt_count, "deliveries": self.delivery_count},
            "move_lines": written,
            "expected_move_lines": self.expected["move lines"],
            "consume_rel_rows": self.rel_count,
            "quants": self.quant_count,
            "links_written": link_count,
            "generation_seconds": round(generated, 1),
            "link_seconds": None if link_seconds is None else round(link_seconds, 1),
            "total_seconds": round(time.perf_counter() - started, 1),
            "timings": {name: round(value, 1) for name, value in self.timings.items()},
        }
        if written != self.expected["move lines"]:
            say(f"WARNING: {written} move lines written, {self.expected['move lines']} expected")
        self.env["ir.config_parameter"].set_param(METADATA_KEY, json.dumps(summary))
        self.env.flush_all()
        say(
            f"{summary['lot_count']} lots, {self.mo_count} MOs, {written} move lines, "
            f"{self.rel_count} consume_rel rows; generated in {generated:.1f}s, "
            f"links in {summary['link_seconds']}s, total {summary['total_seconds']}s"
        )
        return summary


def generate(env, link=True, **params):
    """Insert the data set (see the module docstring) and return a summary dict.

    Keyword arguments: those of ``DEFAULTS`` (lots, levels, fan_in, fan_out, customers,
    deliveries, products, vendors, receipt_lines, delivery_lines, seed). Nothing is
    committed: the caller owns the transaction. ``link=False`` skips the addon's backfill
    (``stock.lot.link._link_productions``), to run and time it separately.
    """
    unknown = set(params) - set(DEFAULTS)
    if unknown:
        raise TypeError(f"unknown parameters: {', '.join(sorted(unknown))}")
    params = {**DEFAULTS, **params}
    if params["levels"] < 2:
        raise ValueError("levels must be at least 2 (ingredients and finished goods)")
    if params["products"] < params["fan_in"]:
        raise ValueError("products per level must be at least fan_in")
    return Generator(env, params, link=link).run()


# ----------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------
def odoo_config_path():
    sys.path.insert(0, str(TOOLS))
    import dev

    _root, config = dev.prepare()
    return str(config)


def open_env(database, config=None):
    """Return (registry, cursor, env) for ``database``; the caller closes the cursor."""
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(
        ["-c", config or odoo_config_path(), "-d", database, "--log-level=warn"]
    )
    registry = Registry(database)
    cr = registry.cursor()
    env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
    return registry, cr, env


def add_arguments(parser):
    for name, value in DEFAULTS.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=value)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", "-d", required=True)
    parser.add_argument("--config", help="Odoo config (default: the one of tools/dev.py)")
    parser.add_argument(
        "--no-link", action="store_true", help="skip stock.lot.link._link_productions()"
    )
    add_arguments(parser)
    args = parser.parse_args()
    _registry, cr, env = open_env(args.database, args.config)
    try:
        params = {name: getattr(args, name) for name in DEFAULTS}
        summary = generate(env, link=not args.no_link, **params)
        # a script's own cursor: nothing else commits it
        cr.commit()  # pylint: disable=invalid-commit
    finally:
        cr.close()
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
