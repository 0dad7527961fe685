#!/usr/bin/env python3
"""make test-upgrade [FROM=<git ref>]: a database made at a previous version, updated with
the current code (``odoo-bin -u``), runs its migrations and keeps its data.

1. ``git archive FROM`` (default: the latest ``18.0.*`` tag below the manifest's version)
   into a temporary addons folder;
2. that version installed with its demo data in a copy of the cached template database
   (tools/dev.py), then a probe in ``odoo-bin shell``: counts of recalls, holds, links...
   and the trace, down and up, of a few demo lots;
3. ``odoo-bin -u stock_lot_traceability`` with the current code;
4. checks: no ERROR/CRITICAL line in the update's log, the module installed at the
   manifest's version, the same probe with the same answers, and the effect of each
   migration (migrations/<version>/, see README "Upgrading and uninstalling").

Prints the duration of each step; exits 1 on a failure. The database and the folder are
removed at the end (SLT_KEEP_DB=1 keeps the database).
"""

import argparse
import ast
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dev
from lifecycle import Steps, conclude, log_errors, value

# A command-line tool: it reports on its standard output.
# pylint: disable=print-used

ADDON = dev.ADDON
DB_NAME = f"slt_upgrade_{os.getpid()}"
# what the update must not change (active or not)
COUNTED = [
    "stock.recall",
    "stock.recall.lot",
    "stock.recall.partner",
    "stock.recall.delivery",
    "stock.recall.partner.product",
    "stock.lot.hold",
    "stock.lot.link",
    "stock.lot.test.result",
    "stock.lot",
    "stock.move.line",
    "stock.location",
]
TRACED_LOTS = ["FL-24101", "EG-0917", "PMX-0002", "BSC-1002"]
PROBE = f"""
import json

answer = {{}}
for model in {COUNTED!r}:
    answer[model] = env[model].with_context(active_test=False).search_count([])
for lot in env["stock.lot"].search([("name", "in", {TRACED_LOTS!r})], order="name"):
    for direction in ("down", "up"):
        reached = env["stock.lot"].browse(list(lot._trace(direction)))
        answer[f"trace {{direction}} {{lot.name}}"] = sorted(reached.mapped("name"))
deliveries = env["stock.recall.delivery"].search([("superseded", "=", False)])
answer["customer lines of the deliveries"] = sorted(
    [delivery.id, delivery.partner_line_id.id] for delivery in deliveries
)
print("SLT-PROBE " + json.dumps(answer, sort_keys=True))
"""


def version_key(text):
    return tuple(int(part) for part in re.findall(r"\d+", text))


def git(*args):
    return subprocess.run(
        ["git", *args], cwd=dev.REPO, capture_output=True, text=True, check=True
    ).stdout


def previous_release():
    """The previous version's git ref: the latest 18.0.* tag below the manifest's version,
    else (a clone without tags) the newest commit whose manifest has the highest version
    below it."""
    current = version_key(dev.manifest()["version"])
    tags = git("tag", "--list", "18.0.*").split()
    older = sorted((tag for tag in tags if version_key(tag) < current), key=version_key)
    if older:
        return older[-1]
    best = None
    for commit in git("log", "--format=%H", "--", "__manifest__.py").split():
        manifest = ast.literal_eval(git("show", f"{commit}:__manifest__.py"))
        version = version_key(manifest["version"])
        if version < current and (best is None or version > best[0]):
            best = (version, commit)
    if not best:
        dev.fail(f"no version below {dev.manifest()['version']} in the history; give FROM=<ref>")
    return best[1]


def export(ref, folder):
    """The addon at ``ref`` in ``folder/stock_lot_traceability``."""
    target = folder / ADDON
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", ref], cwd=dev.REPO, capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return manifest_version(target)


def manifest_version(addon):
    text = (addon / "__manifest__.py").read_text()
    return re.search(r"[\"']version[\"']\s*:\s*[\"']([^\"']+)", text)[1]


def old_config(root, folder):
    """The harness's Odoo configuration with the exported addon on the addons path."""
    text = dev.write_config(root).read_text()
    text = re.sub(
        r"^addons_path = .*$", f"addons_path = {root / 'addons'},{folder}", text, flags=re.M
    )
    config = folder / "odoo.conf"
    config.write_text(text)
    return config


def probe(root, config, log_path):
    with open(log_path, "w") as log:
        dev.odoo_bin(
            root,
            config,
            "-d",
            DB_NAME,
            "--log-level=warn",
            subcommand="shell",
            stdin=PROBE,
            log=log,
        )
    for line in Path(log_path).read_text().splitlines():
        if line.startswith("SLT-PROBE "):
            return json.loads(line.removeprefix("SLT-PROBE "))
    dev.fail(f"the probe printed no answer; log: {log_path}")


def compare(before, after):
    problems = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            problems.append(f"{key}: {before.get(key)} before the update, {after.get(key)} after")
    return problems


# the foreign keys the scope lines keep from 18.0.1.2.0 (models/snapshot_fields.py)
SCOPE_LINE_FOREIGN_KEYS = [
    ("stock_recall_delivery", "recall_id"),
    ("stock_recall_delivery", "partner_id"),
    ("stock_recall_lot", "recall_id"),
    ("stock_recall_lot", "lot_id"),
    ("stock_recall_partner_product", "partner_line_id"),
    ("stock_recall_partner_product", "accounted_by_id"),
]


def check_migrations(from_version, demo):
    """The effect of each migration between the two versions."""
    problems = []
    if version_key(from_version) < (18, 0, 1, 1, 0) and demo:
        quarantine = value(
            DB_NAME,
            f"""SELECT l.name FROM ir_model_data d JOIN stock_location l ON l.id = d.res_id
                 WHERE d.module = '{ADDON}' AND d.name = 'stock_location_quarantine_demo'""",
        )
        if quarantine != "Quarantine":
            problems.append("18.0.1.1.0: the demo's Quarantine location has no XML id")
    if version_key(from_version) < (18, 0, 1, 2, 0):
        column = value(
            DB_NAME,
            """SELECT COUNT(*) FROM information_schema.columns
                WHERE table_name = 'stock_recall_delivery' AND column_name = 'partner_line_id'""",
        )
        if column != "0":
            problems.append("18.0.1.2.0: stock_recall_delivery.partner_line_id is still there")
        keys = value(
            DB_NAME,
            """SELECT string_agg(conname, ', ' ORDER BY conname) FROM pg_constraint
                WHERE contype = 'f' AND conrelid IN ('stock_recall_delivery'::regclass,
                      'stock_recall_lot'::regclass, 'stock_recall_partner_product'::regclass)""",
        )
        expected = ", ".join(
            sorted(f"{table}_{column}_fkey" for table, column in SCOPE_LINE_FOREIGN_KEYS)
        )
        if keys != expected:
            problems.append(f"18.0.1.2.0: the scope lines' foreign keys are {keys}, not {expected}")
    return problems


def update(root, config, log_path, db_name=DB_NAME):
    """odoo-bin -u with the current code; its exit code."""
    with open(log_path, "w") as log:
        return dev.odoo_bin(
            root,
            config,
            *("-d", db_name, "-u", ADDON, "--stop-after-init", "--log-level=info"),
            check=False,
            log=log,
        ).returncode


def check_module(target):
    """Problems of the module's state and version; whether it has its demo data."""
    state, latest, demo = value(
        DB_NAME,
        "SELECT state || '|' || latest_version || '|' || demo "
        f"FROM ir_module_module WHERE name = '{ADDON}'",
    ).split("|")
    if (state, latest) != ("installed", target):
        return [f"module {state} at {latest}, expected installed at {target}"], demo == "true"
    return [], demo == "true"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--from", dest="ref", help="git ref of the previous version")
    args = parser.parse_args()
    ref = args.ref or previous_release()
    target = dev.manifest()["version"]
    steps = Steps("test-upgrade")
    root, config = dev.prepare()
    log_path = dev.CACHE / f"upgrade-{os.getpid()}.log"
    probe_log = dev.CACHE / f"upgrade-probe-{os.getpid()}.log"
    problems = []
    with tempfile.TemporaryDirectory(prefix="slt-upgrade-") as tmp:
        folder = Path(tmp)
        try:
            with steps.step(f"git archive {ref}"):
                from_version = export(ref, folder)
                steps.say(f"{ref} is version {from_version}; the current code is {target}")
            with steps.step("copy of the template database"):
                dev.copy_db(dev.template_db(root, config), DB_NAME)
            with steps.step(f"install {ADDON} {from_version} with its demo data"):
                dev.install_addon(root, old_config(root, folder), DB_NAME)
            with steps.step(f"probe at {from_version}"):
                before = probe(root, old_config(root, folder), probe_log)
            with steps.step(f"odoo-bin -u {ADDON} with the current code (log {log_path})"):
                code = update(root, config, log_path)
            with steps.step(f"probe at {target}"):
                after = probe(root, config, probe_log)
            with steps.step("checks"):
                if code:
                    problems.append(f"odoo-bin -u exited with {code}")
                problems += [f"update log: {error}" for error in log_errors(log_path)]
                module_problems, demo = check_module(target)
                problems += module_problems
                problems += compare(before, after)
                problems += check_migrations(from_version, demo)
        finally:
            if not os.environ.get("SLT_KEEP_DB"):
                dev.drop_db(DB_NAME)
    counts = ", ".join(f"{model} {before[model]}" for model in COUNTED)
    steps.say(f"{from_version} -> {target}: {counts}")
    traced = [key for key in before if key.startswith("trace ")]
    steps.say(
        f"traces compared: {len(traced)} ({', '.join(TRACED_LOTS)}, down and up), "
        f"{sum(len(before[key]) for key in traced)} lots reached"
    )
    conclude(
        steps,
        log_path,
        "update",
        problems,
        f"{from_version} -> {target}, data and traces unchanged",
        logs=[probe_log],
    )


if __name__ == "__main__":
    main()
