#!/usr/bin/env python3
"""make test-uninstall: the addon installed with its demo data, then uninstalled, leaves
nothing behind but the stock history.

1. a copy of the cached template database (tools/dev.py); its schema (tables, views,
   columns, indexes, constraints, sequences, functions, triggers) and the ids of Odoo's
   technical tables (ir_model*, views, menus, actions, crons, groups, rules, templates,
   sequences, parameters...) are noted;
2. the addon is installed with its demo data (ninety days of receipts, productions,
   deliveries, holds, recalls, activities);
3. it is uninstalled with ``button_immediate_uninstall`` in ``odoo-bin shell``;
4. checks: no ERROR/CRITICAL line in the uninstall's log, the module uninstalled, no schema
   object and no technical row that the install added, no ir_model_data of the module, no
   mail activity, message, follower or attachment of its models, no activity of its activity
   types, and the stock history (moves, lines, lots, quants, pickings, productions) as it
   was. The demo records the stock history refers to are listed: they stay as ordinary
   records (README, "Upgrading and uninstalling").

Prints a summary and the duration of each step; exits 1 on any leftover. The database is
dropped at the end (SLT_KEEP_DB=1 keeps it).
"""

import argparse
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dev
import test_upgrade
from lifecycle import Steps, conclude, log_errors, rows, value

# A command-line tool: it reports on its standard output.
# pylint: disable=print-used

ADDON = dev.ADDON
DB_NAME = f"slt_uninstall_{os.getpid()}"
DEMO_QUARANTINE = f"{ADDON}.stock_location_quarantine_demo"

# the schema, each object as one string
SCHEMA_QUERIES = {
    "relation": """SELECT c.relkind::text || ' ' || c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'm', 'S', 'i', 'p')""",
    "column": """SELECT table_name || '.' || column_name FROM information_schema.columns
        WHERE table_schema = 'public'""",
    "constraint": """SELECT conrelid::regclass || ' ' || conname FROM pg_constraint c
        JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'""",
    "function": """SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'""",
    "trigger": """SELECT tgrelid::regclass || ' ' || tgname FROM pg_trigger
        WHERE NOT tgisinternal""",
}
# Odoo's technical tables: a row the install added must be gone after the uninstall
TECHNICAL_TABLES = [
    "ir_model",
    "ir_model_fields",
    "ir_model_fields_selection",
    "ir_model_constraint",
    "ir_model_relation",
    "ir_model_data",
    "ir_model_access",
    "ir_ui_view",
    "ir_ui_menu",
    "ir_cron",
    "ir_act_window",
    "ir_act_window_view",
    "ir_act_server",
    "ir_act_report_xml",
    "ir_act_client",
    "ir_act_url",
    "ir_rule",
    "res_groups",
    "mail_template",
    "mail_activity_type",
    "mail_message_subtype",
    "ir_sequence",
    "ir_config_parameter",
    "ir_default",
    "ir_asset",
    "ir_filters",
]
# the stock history: the uninstall must not change it
HISTORY_TABLES = [
    "stock_move",
    "stock_move_line",
    "stock_lot",
    "stock_quant",
    "stock_picking",
    "mrp_production",
    "stock_location",
]


def snapshot(db_name):
    """The schema and the ids of the technical tables."""
    objects = {
        kind: {row[0] for row in rows(db_name, query)} for kind, query in SCHEMA_QUERIES.items()
    }
    ids = {
        table: {row[0] for row in rows(db_name, f"SELECT id FROM {table}")}
        for table in TECHNICAL_TABLES
    }
    return objects, ids


def history_counts(db_name):
    return {table: int(value(db_name, f"SELECT count(*) FROM {table}")) for table in HISTORY_TABLES}


def module_records(db_name):
    """(model, res_id, xmlid) of the module's ir_model_data, and the models it extends or
    defines (each has an ir.model XML id of the module)."""
    records = rows(
        db_name,
        f"SELECT model, res_id, module || '.' || name FROM ir_model_data WHERE module = '{ADDON}'",
    )
    names = rows(
        db_name,
        "SELECT m.model FROM ir_model m JOIN ir_model_data d ON d.model = 'ir.model' "
        f"AND d.res_id = m.id AND d.module = '{ADDON}'",
    )
    return records, [row[0] for row in names]


def own_models(db_name, models):
    """The models the addon defines: those the uninstall removed from ir_model (one it
    did not remove is a leftover row of ir_model, found by leftovers_rows)."""
    left = {row[0] for row in rows(db_name, "SELECT model FROM ir_model")}
    return [model for model in models if model not in left]


def uninstall(root, config, db_name, log_path):
    script = (
        f"module = env['ir.module.module'].search([('name', '=', '{ADDON}')])\n"
        "module.button_immediate_uninstall()\n"
    )
    with open(log_path, "w") as log:
        dev.odoo_bin(
            root,
            config,
            "-d",
            db_name,
            "--log-level=info",
            "--no-http",
            subcommand="shell",
            stdin=script,
            log=log,
        )


def leftovers_schema(before, after):
    return [
        f"{kind} {name}"
        for kind in SCHEMA_QUERIES
        for name in sorted(after[0][kind] - before[0][kind])
    ]


def leftovers_rows(db_name, before, after):
    problems = []
    for table in TECHNICAL_TABLES:
        new = sorted(after[1][table] - before[1][table], key=int)
        if not new:
            continue
        described = rows(
            db_name,
            f"SELECT id, left(row_to_json(t)::text, 160) FROM {table} t "
            f"WHERE id IN ({','.join(new)}) ORDER BY id LIMIT 5",
        )
        problems.append(f"{len(new)} row(s) of {table} added by the install are still there:")
        problems += [f"    {row[1]}" for row in described]
    return problems


def leftovers_mail(db_name, models, activity_type_ids):
    in_models = ",".join(f"'{model}'" for model in models) or "''"
    problems = []
    for table, column in [
        ("mail_activity", "res_model"),
        ("mail_message", "model"),
        ("mail_followers", "res_model"),
        ("ir_attachment", "res_model"),
        ("ir_model_fields", "relation"),
    ]:
        count = int(value(db_name, f"SELECT count(*) FROM {table} WHERE {column} IN ({in_models})"))
        if count:
            problems.append(f"{count} row(s) of {table} for the addon's models")
    if activity_type_ids:
        count = int(
            value(
                db_name,
                "SELECT count(*) FROM mail_activity "
                f"WHERE activity_type_id IN ({','.join(activity_type_ids)})",
            )
        )
        if count:
            problems.append(f"{count} mail activities of the addon's activity types")
    count = int(value(db_name, f"SELECT count(*) FROM ir_model_data WHERE module = '{ADDON}'"))
    if count:
        problems.append(f"{count} ir_model_data row(s) of module {ADDON}")
    return problems


def kept_records(db_name, records, models):
    """The module's records that are still in the database after the uninstall."""
    kept = Counter()
    for model, res_id, _xmlid in records:
        if model in models or model.startswith("ir.") or model in ("res.groups", "mail.template"):
            continue  # counted by leftovers_rows
        table = model.replace(".", "_")
        exists = value(db_name, f"SELECT to_regclass('{table}') IS NOT NULL") == "t"
        if exists and value(db_name, f"SELECT count(*) FROM {table} WHERE id = {res_id}") == "1":
            kept[model] += 1
    return kept


def install_upgraded(root, config, ref, problems):
    """The addon at ``ref`` installed with its demo data, then updated with this code
    (tools/test_upgrade.py): the uninstall of a database made at an older version."""
    log_path = dev.CACHE / f"uninstall-update-{os.getpid()}.log"
    with tempfile.TemporaryDirectory(prefix="slt-uninstall-") as tmp:
        folder = Path(tmp)
        test_upgrade.export(ref, folder)
        dev.install_addon(root, test_upgrade.old_config(root, folder), DB_NAME)
        if test_upgrade.update(root, config, log_path, DB_NAME):
            problems.append(f"odoo-bin -u exited with an error; log: {log_path}")
    problems += [f"update log: {error}" for error in log_errors(log_path)]
    if not problems:
        log_path.unlink(missing_ok=True)


def note_install(before, problems):
    """What the install made: the module's records and models, its activity types' ids,
    the stock history's counts, and figures for the summary."""
    records, models = module_records(DB_NAME)
    activity_types = [res_id for model, res_id, _ in records if model == "mail.activity.type"]
    demo = value(DB_NAME, f"SELECT demo FROM ir_module_module WHERE name = '{ADDON}'")
    if demo == "t" and DEMO_QUARANTINE not in {xmlid for _m, _id, xmlid in records}:
        problems.append(f"no XML id {DEMO_QUARANTINE}: the uninstall cannot find it")
    indexes = {n for n in snapshot(DB_NAME)[0]["relation"] if n.startswith("i ")}
    activities = value(
        DB_NAME,
        "SELECT count(*) FROM mail_activity WHERE activity_type_id IN "
        f"({','.join(activity_types) or 0})",
    )
    figures = (
        f"{len(records)} ir_model_data rows, "
        f"{len(indexes - {n for n in before[0]['relation'] if n.startswith('i ')})} indexes, "
        f"{activities} activities of its types"
    )
    return records, models, activity_types, history_counts(DB_NAME), figures


def check(before, noted, log_path):
    """Problems after the uninstall, the stock history's counts and the kept records."""
    records, models, activity_types, history, _figures = noted
    problems = []
    state = value(DB_NAME, f"SELECT state FROM ir_module_module WHERE name = '{ADDON}'")
    if state != "uninstalled":
        problems.append(f"module state is {state!r} after the uninstall")
    problems += [f"uninstall log: {error}" for error in log_errors(log_path)]
    after = snapshot(DB_NAME)
    schema = leftovers_schema(before, after)
    if schema:
        problems.append(f"{len(schema)} schema object(s) added by the install are left:")
        problems += [f"    {name}" for name in schema]
    problems += leftovers_rows(DB_NAME, before, after)
    own = own_models(DB_NAME, models)
    problems += leftovers_mail(DB_NAME, own, activity_types)
    history_after = history_counts(DB_NAME)
    problems += [
        f"{table}: {history[table]} rows before the uninstall, {history_after[table]} after"
        for table in HISTORY_TABLES
        if history[table] != history_after[table]
    ]
    return problems, own, history_after, kept_records(DB_NAME, records, own)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--upgraded-from",
        dest="ref",
        help="git ref: install that version, update it with this code, then uninstall",
    )
    ref = parser.parse_args().ref
    steps = Steps("test-uninstall")
    root, config = dev.prepare()
    log_path = dev.CACHE / f"uninstall-{os.getpid()}.log"
    problems = []
    try:
        with steps.step("copy of the template database"):
            dev.copy_db(dev.template_db(root, config), DB_NAME)
            before = snapshot(DB_NAME)
        if ref:
            with steps.step(f"install {ADDON} at {ref} with its demo data, update it"):
                install_upgraded(root, config, ref, problems)
        else:
            with steps.step(f"install {ADDON} with its demo data"):
                dev.install_addon(root, config, DB_NAME)
        noted = note_install(before, problems)
        with steps.step(f"uninstall {ADDON} (log {log_path})"):
            uninstall(root, config, DB_NAME, log_path)
        with steps.step("checks"):
            found, own, history_after, kept = check(before, noted, log_path)
            problems += found
    finally:
        if not os.environ.get("SLT_KEEP_DB"):
            dev.drop_db(DB_NAME)
    steps.say(f"installed: {len(own)} models (and {len(noted[1]) - len(own)} extended), {noted[4]}")
    steps.say(
        "stock history kept: "
        + ", ".join(f"{table} {count}" for table, count in history_after.items())
    )
    steps.say(
        "demo records kept as ordinary records (the stock history refers to them): "
        + (", ".join(f"{model} {count}" for model, count in sorted(kept.items())) or "none")
    )
    passed = "the uninstall left nothing behind but the stock history"
    conclude(steps, log_path, "uninstall", problems, passed)


if __name__ == "__main__":
    main()
