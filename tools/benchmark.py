#!/usr/bin/env python3
"""Downstream trace benchmark: the addon's engine against Odoo's own, on the same database.

    python3 tools/benchmark.py                      # 100,000 ingredient lots, ~1.1M move lines
    python3 tools/benchmark.py --lots 2000          # small, checks both give the same result
    python3 tools/benchmark.py --lots 100000 --reuse    # keep the generated database

One run makes the database ``slt_bench_<lots>`` (a copy of the harness template with the
addon installed; ``--reuse`` keeps an existing one), fills it with tools/generate_data.py,
takes the ingredient lot with the largest downstream and prints, for that lot:

(a) the addon: ``lot._trace('down')`` and ``lot._trace_customers()`` (first run, min and
    median of ``--repeat`` runs);
(b) Odoo: the Traceability report (``stock.traceability.report``) walked downstream the way
    a user does it in the client -- the lot's report, then the "downstream" button of every
    line consumed by a manufacturing order (a report on the lines it produced), then the
    report of every lot reached -- once without and once with every unfoldable line
    unfolded (recursively, as clicking each caret does); and
    ``lot._find_delivery_ids_by_lot()`` (the lot's Deliveries smart button);
(c) the ratios Odoo / addon; and
(d) a hot supplier recall at recall scale: the vendor with the most received ingredient
    lots, its first received lots (in receipt order) until their downstream reaches
    ``--recall-lots`` lots (10,000), recalled for real (not a drill): the scope
    (``action_compute_scope``), the hold placement (``action_hold_stock``), the XLSX and
    the PDF, each timed with its peak resident memory (the process high-water mark, reset
    before the step; with ``--tracemalloc`` also Python's traced peak, slower) and the
    messages, activities, mails and holds it created, against the targets (each step
    under 10 s, the scope under 2 s). Rolled back.

Every Odoo call starts with an empty ORM cache, as separate client requests would. Odoo's
runs have a time budget (``--odoo-timeout``): past it the walk stops and the figure is a
lower bound (">= X s (stopped)"). Figures only: nothing here passes or fails.
"""

# A command-line tool: it reports on its standard output.
# pylint: disable=print-used

import argparse
import gc
import json
import signal
import statistics
import sys
import time
import tracemalloc
from collections import deque
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

import dev  # noqa: E402
import generate_data as gen  # noqa: E402

ADDON_LOT_INDEX = "stock_move_line_lot_done_idx"


class Budget(Exception):
    """Raised when Odoo's own way runs over its time budget."""


def say(message):
    print(f"[benchmark] {message}", flush=True)


def fmt_seconds(seconds):
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


# ----------------------------------------------------------------------
# Database
# ----------------------------------------------------------------------
def retry(func, *args, attempts=3):
    """dev.py exits on a psql error (an autovacuum worker can block DROP ... FORCE)."""
    for attempt in range(attempts):
        try:
            return func(*args)
        except SystemExit:
            if attempt == attempts - 1:
                raise
            time.sleep(5)
    return None


def prepare_database(args):
    root, config = dev.prepare()
    config = args.config or str(config)
    name = args.database or f"slt_bench_{args.lots}"
    if not name.startswith("slt_bench"):
        dev.fail("the benchmark only writes databases named slt_bench*")
    if args.reuse and dev.db_exists(name):
        say(f"reusing database {name}, updating the addon from the working tree")
        dev.odoo_bin(
            root, config, "-d", name, "-u", dev.ADDON, "--stop-after-init", "--log-level=warn"
        )
        return name, config, False
    step = time.perf_counter()
    template = dev.template_db(root, config)
    say(f"copying {template} to {name} and installing the addon")
    retry(dev.copy_db, template, name)
    dev.install_addon(root, config, name)
    say(f"database {name} ready in {time.perf_counter() - step:.1f}s")
    return name, config, True


def generation_summary(env, args):
    raw = env["ir.config_parameter"].get_param(gen.METADATA_KEY)
    if raw:
        summary = json.loads(raw)
        if summary.get("link_seconds") is None:  # generated with --no-link
            step = time.perf_counter()
            summary["links_written"] = env["stock.lot.link"]._link_productions()
            summary["link_seconds"] = round(time.perf_counter() - step, 1)
            env.cr.execute("ANALYZE stock_lot_link")
            env["ir.config_parameter"].set_param(gen.METADATA_KEY, json.dumps(summary))
            env.cr.commit()
        if summary.get("quants") is None:  # generated before the generator wrote stock
            first = summary["level_first_lot_id"][0]
            stock = env["stock.warehouse"].search([], limit=1, order="id").lot_stock_id
            summary["quants"] = gen.write_quants(
                env, first, first + summary["lot_count"] - 1, stock.id
            )
            env.cr.execute("ANALYZE stock_quant")
            env["ir.config_parameter"].set_param(gen.METADATA_KEY, json.dumps(summary))
            env.cr.commit()
        return summary, False
    params = {name: getattr(args, name) for name in gen.DEFAULTS}
    summary = gen.generate(env, **params)
    env.cr.commit()
    return summary, True


def data_size(env):
    counts = {}
    for label, table in [
        ("lots", "stock_lot"),
        ("move lines", "stock_move_line"),
        ("done move lines", "stock_move_line WHERE state = 'done'"),
        ("manufacturing orders", "mrp_production"),
        ("consume_rel rows", "stock_move_line_consume_rel"),
        ("lot links", "stock_lot_link"),
    ]:
        env.cr.execute(f"SELECT COUNT(*) FROM {table}")
        counts[label] = env.cr.fetchone()[0]
    return counts


def pick_start_lot(env, summary, candidates=20):
    """The ingredient lot with the largest downstream, among those with most direct uses."""
    first = summary["level_first_lot_id"][0]
    last = first + summary["level_sizes"][0] - 1
    env.cr.execute(
        """
        SELECT parent_lot_id FROM stock_lot_link
         WHERE parent_lot_id BETWEEN %s AND %s AND active
         GROUP BY parent_lot_id ORDER BY COUNT(*) DESC, parent_lot_id LIMIT %s
        """,
        (first, last, candidates),
    )
    best, best_size = None, -1
    for (lot_id,) in env.cr.fetchall():
        size = len(env["stock.lot"].browse(lot_id)._trace("down"))
        if size > best_size:
            best, best_size = lot_id, size
    return env["stock.lot"].browse(best)


# ----------------------------------------------------------------------
# (a) the addon
# ----------------------------------------------------------------------
def measure_addon(env, lot, repeat):
    traces, customers, totals = [], [], []
    lots = partners = None
    for _run in range(repeat):
        env.invalidate_all()
        start = time.perf_counter()
        lots = lot._trace("down")
        middle = time.perf_counter()
        env.invalidate_all()
        partners = lot._trace_customers()
        end = time.perf_counter()
        traces.append(middle - start)
        customers.append(end - middle)
        totals.append(end - start)
    return {
        "lots": set(lots),
        "depth": max(lots.values()),
        "customers": set(partners.ids),
        "trace": traces,
        "customers_time": customers,
        "total": totals,
    }


# ----------------------------------------------------------------------
# (b) Odoo's own way
# ----------------------------------------------------------------------
class ReportWalk:
    """Odoo's Traceability report, clicked through downstream from one lot.

    ``get_main_lines`` of the client is ``get_lines()`` with the action's context; the
    "downstream" arrow of a consumed line opens the report on ``stock.move.line`` with
    ``lot_name`` in the context (it lists the lines the MO produced); a caret calls
    ``get_lines(line_id, model_id=..., model_name=..., level=level + 30)``.
    """

    def __init__(self, env, budget, unfold):
        self.report = env["stock.traceability.report"]
        self.env = env
        self.budget = budget
        self.unfold = unfold
        self.calls = 0
        self.lines = 0
        self.lots = set()
        self.delivery_pickings = set()
        self.stopped = False
        self.start = None

    def _call(self, context=None, **kwargs):
        if time.perf_counter() - self.start > self.budget:
            raise Budget()
        self.env.invalidate_all()  # each click is a separate request
        # the whole context of the click, as the web client sends it to the report
        report = self.report.with_context(context) if context is not None else self.report  # pylint: disable=context-overridden
        lines = report.get_lines(**kwargs)
        self.calls += 1
        self.lines += len(lines)
        for line in lines:
            if line["res_model"] == "stock.picking" and line["usage"] == "out":
                self.delivery_pickings.add(line["res_id"])
        if self.unfold:
            self._unfold(lines)
        return lines

    def _unfold(self, lines):
        todo = [line for line in lines if line["unfoldable"]]
        while todo:
            line = todo.pop()
            if time.perf_counter() - self.start > self.budget:
                raise Budget()
            self.env.invalidate_all()
            children = self.report.get_lines(
                line["id"],
                model_id=line["model_id"],
                model_name=line["model"],
                level=line["level"] + 30,
            )
            self.calls += 1
            self.lines += len(children)
            todo.extend(child for child in children if child["unfoldable"])

    def run(self, lot):
        self.start = time.perf_counter()
        self.lots = {lot.id}
        queue = deque([lot.id])
        try:
            while queue:
                lot_id = queue.popleft()
                lines = self._call({"active_id": lot_id, "model": "stock.lot"})
                for line in lines:
                    if not line["is_used"]:
                        continue
                    produced = self._call(
                        {
                            "active_id": line["model_id"],
                            "model": "stock.move.line",
                            "lot_name": line["lot_name"],
                            "auto_unfold": True,
                        }
                    )
                    for new in produced:
                        if new["lot_id"] and new["lot_id"] not in self.lots:
                            self.lots.add(new["lot_id"])
                            queue.append(new["lot_id"])
        except Budget:
            self.stopped = True
        self.seconds = time.perf_counter() - self.start
        return self

    def customers(self):
        pickings = self.env["stock.picking"].browse(sorted(self.delivery_pickings))
        pickings = pickings.filtered(lambda p: p.location_dest_id.usage == "customer")
        return set(pickings.partner_id.commercial_partner_id.ids)


def _alarm(_signum, _frame):
    raise Budget()


def measure_find_deliveries(env, lot, budget):
    env.invalidate_all()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, budget)
    start = time.perf_counter()
    result, stopped = None, False
    try:
        result = lot._find_delivery_ids_by_lot()
    except Budget:
        stopped = True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.perf_counter() - start
    customers, pickings = None, None
    if result is not None:
        pickings = env["stock.picking"].browse(result.get(lot.id, []))
        customers = set(pickings.partner_id.commercial_partner_id.ids)
    return {"seconds": seconds, "stopped": stopped, "pickings": pickings, "customers": customers}


def measure_odoo(env, lot, budget, unfold_too=True):
    results = {"walk": ReportWalk(env, budget, unfold=False).run(lot)}
    env.cr.rollback()
    if unfold_too:
        results["unfolded"] = ReportWalk(env, budget, unfold=True).run(lot)
        env.cr.rollback()
    results["find"] = measure_find_deliveries(env, lot, budget)
    env.cr.rollback()
    return results


# ----------------------------------------------------------------------
# Printing
# ----------------------------------------------------------------------
def timing(values):
    return (
        f"first {fmt_seconds(values[0])}, min {fmt_seconds(min(values))}, "
        f"median {fmt_seconds(statistics.median(values))}"
    )


def odoo_time(seconds, stopped):
    return f">= {fmt_seconds(seconds)} (stopped)" if stopped else fmt_seconds(seconds)


def ratio(odoo_seconds, stopped, addon_seconds):
    value = odoo_seconds / addon_seconds if addon_seconds else float("inf")
    return f"{'>= ' if stopped else ''}{value:,.0f}x"


def yes_no(flag):
    return "yes" if flag else "no"


def print_odoo(label, odoo, addon, walk_lots):
    walk, find = odoo["walk"], odoo["find"]
    base = statistics.median(addon["total"])
    customers_base = statistics.median(addon["customers_time"])
    print(f"(b) Odoo, {label}")
    for key, title in [("walk", "report walked downstream"), ("unfolded", "report fully unfolded")]:
        run = odoo.get(key)
        if run is None:
            continue
        print(
            f"    {title:<33} {odoo_time(run.seconds, run.stopped):>22}   "
            f"{run.calls} get_lines calls, {run.lines} lines, {len(run.lots)} lots reached, "
            f"{len(run.customers())} customers"
        )
    find_result = (
        f"{len(find['pickings'])} delivery pickings, {len(find['customers'])} customers"
        if find["pickings"] is not None
        else "no result"
    )
    print(
        f"    {'lot._find_delivery_ids_by_lot()':<33} "
        f"{odoo_time(find['seconds'], find['stopped']):>22}   {find_result}"
    )
    print(f"(c) ratios Odoo / addon median, {label}")
    print(
        f"    report walked downstream / (trace + customers)   "
        f"{ratio(walk.seconds, walk.stopped, base)}"
    )
    if odoo.get("unfolded") is not None:
        run = odoo["unfolded"]
        print(
            f"    report fully unfolded / (trace + customers)      "
            f"{ratio(run.seconds, run.stopped, base)}"
        )
    print(
        f"    _find_delivery_ids_by_lot / _trace_customers      "
        f"{ratio(find['seconds'], find['stopped'], customers_base)}"
    )
    print("    same result:")
    if walk.stopped:
        print("      downstream lots (report walk): not checked, the walk was stopped")
        print("      customers (report walk):       not checked, the walk was stopped")
    else:
        same_lots = walk.lots == addon["lots"]
        print(
            f"      downstream lots (report walk): {yes_no(same_lots)} "
            f"({len(walk.lots)} vs {len(addon['lots'])})"
        )
        if not same_lots:
            print(f"        only Odoo: {sorted(walk.lots - addon['lots'])[:20]}")
            print(f"        only addon: {sorted(addon['lots'] - walk.lots)[:20]}")
        customers = walk.customers()
        print(
            f"      customers (report walk):       {yes_no(customers == addon['customers'])} "
            f"({len(customers)} vs {len(addon['customers'])})"
        )
    if walk_lots is not None and not walk.stopped:
        print(f"      lots same as with the addon index: {yes_no(walk.lots == walk_lots)}")
    if find["customers"] is None:
        print("      customers (_find_delivery_ids_by_lot): not checked, stopped")
    else:
        print(
            f"      customers (_find_delivery_ids_by_lot): "
            f"{yes_no(find['customers'] == addon['customers'])} "
            f"({len(find['customers'])} vs {len(addon['customers'])})"
        )


def print_results(name, summary, counts, lot, addon, odoo_runs):
    sizes = " / ".join(str(size) for size in summary["level_sizes"])
    print()
    print(f"=== Downstream trace benchmark, database {name} ===")
    print(f"data     lots                 {counts['lots']:>10,}   (generated, per level: {sizes})")
    print(
        f"         move lines           {counts['move lines']:>10,}   "
        f"(generated {summary['move_lines']:,}; done {counts['done move lines']:,})"
    )
    print(f"         manufacturing orders {counts['manufacturing orders']:>10,}")
    print(f"         consume_rel rows     {counts['consume_rel rows']:>10,}")
    print(f"         lot links            {counts['lot links']:>10,}")
    print(
        f"         generation           {summary['generation_seconds']:>9} s   "
        f"(+ _link_productions {summary['link_seconds']} s; total {summary['total_seconds']} s)"
    )
    print(
        f"start    {lot.name} ({lot.product_id.display_name}, id {lot.id}): "
        f"{len(addon['lots'])} lots downstream (itself included, depth {addon['depth']}), "
        f"{len(addon['customers'])} customers"
    )
    runs = len(addon["total"])
    print(f"(a) addon ({runs} runs)")
    print(f"    lot._trace('down')          {timing(addon['trace'])}   {len(addon['lots'])} lots")
    print(
        f"    lot._trace_customers()      {timing(addon['customers_time'])}   "
        f"{len(addon['customers'])} customers"
    )
    print(f"    total                       {timing(addon['total'])}")
    print_recall(addon["recall"])
    walk_lots = None
    for label, odoo in odoo_runs:
        print_odoo(label, odoo, addon, walk_lots)
        if not odoo["walk"].stopped:
            walk_lots = odoo["walk"].lots
    print(flush=True)


def measure_recall(env, lot):
    """A drill recall of the lot: the whole scope (lots, mass balance, deliveries,
    customers, upstream and suppliers), as the Compute Scope button does it. Rolled back."""
    recall = env["stock.recall"].create(
        {"lot_ids": [(6, 0, lot.ids)], "is_drill": True, "reason": "benchmark"}
    )
    env.flush_all()
    start = time.perf_counter()
    recall.action_compute_scope()
    env.flush_all()
    seconds = time.perf_counter() - start
    result = {
        "seconds": seconds,
        "lots": recall.affected_lot_count,
        "deliveries": recall.delivery_count,
        "customers": recall.customer_count,
    }
    env.cr.rollback()
    env.invalidate_all()
    return result


def print_recall(recall):
    print(
        f"    recall scope (drill)        {fmt_seconds(recall['seconds'])}   "
        f"{recall['lots']} lots, {recall['deliveries']} deliveries, "
        f"{recall['customers']} customers, with mass balance"
    )


# ----------------------------------------------------------------------
# (d) a supplier recall at recall scale
# ----------------------------------------------------------------------
RECALL_TARGETS = {"scope": 2.0, "holds": 10.0, "xlsx": 10.0, "pdf": 10.0}
CREATED_TABLES = {
    "messages": "mail_message",
    "activities": "mail_activity",
    "mails": "mail_mail",
    "followers": "mail_followers",
    "holds": "stock_lot_hold",
}


def pick_supplier_lots(env, summary, target):
    """The vendor with the most received ingredient lots, and its first received lots (in
    receipt order) until their downstream reaches ``target`` lots (all, if it never does).
    Returns ``(vendor, lot ids, lots downstream)``."""
    first = summary["level_first_lot_id"][0]
    env.cr.execute(
        """
        SELECT picking.partner_id, ml.lot_id
          FROM stock_move_line ml
          JOIN stock_picking picking ON picking.id = ml.picking_id
          JOIN stock_location src ON src.id = ml.location_id
         WHERE ml.lot_id BETWEEN %s AND %s AND ml.state = 'done' AND src.usage = 'supplier'
         ORDER BY ml.date, ml.id
        """,
        (first, first + summary["level_sizes"][0] - 1),
    )
    by_vendor = {}
    for vendor_id, lot_id in env.cr.fetchall():
        by_vendor.setdefault(vendor_id, []).append(lot_id)
    vendor_id, lot_ids = max(by_vendor.items(), key=lambda item: (len(item[1]), -item[0]))
    lots = env["stock.lot"]

    def reach(count):
        return len(lots.browse(lot_ids[:count])._trace("down"))

    low, high = 1, len(lot_ids)
    if reach(high) >= target:
        while low < high:  # the smallest prefix reaching the target
            middle = (low + high) // 2
            if reach(middle) >= target:
                high = middle
            else:
                low = middle + 1
    return env["res.partner"].browse(vendor_id), lot_ids[:high], reach(high)


def _memory_kb(key):
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    return 0


def _reset_peak_rss():
    """Reset the kernel's resident high-water mark (VmHWM) to the current RSS."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def _max_ids(env):
    result = {}
    for label, table in CREATED_TABLES.items():
        env.cr.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
        result[label] = env.cr.fetchone()[0]
    return result


def run_step(env, step, traced):
    """Time ``step()`` from an empty cache, with its peak memory and what it created."""
    env.flush_all()
    env.invalidate_all()
    gc.collect()
    before = _max_ids(env)
    rss_before = _memory_kb("VmRSS")
    reset = _reset_peak_rss()
    if traced:
        tracemalloc.start()
    start = time.perf_counter()
    detail = step()
    env.flush_all()
    seconds = time.perf_counter() - start
    traced_peak = tracemalloc.get_traced_memory()[1] if traced else None
    if traced:
        tracemalloc.stop()
    created = {}
    for label, table in CREATED_TABLES.items():
        env.cr.execute(f"SELECT COUNT(*) FROM {table} WHERE id > %s", (before[label],))
        created[label] = env.cr.fetchone()[0]
    return {
        "seconds": seconds,
        "peak_rss_mb": _memory_kb("VmHWM") / 1024 if reset else None,
        "rss_before_mb": rss_before / 1024,
        "traced_peak_mb": None if traced_peak is None else traced_peak / 2**20,
        "created": created,
        "detail": detail,
    }


def measure_supplier_recall(env, summary, target, traced):
    """A real supplier recall (not a drill) of one vendor's lots, as a Recall Manager
    (the administrator) clicks it: scope, holds, XLSX, PDF. Rolled back."""
    admin = env.ref("base.user_admin")
    # the administrator's own context, as in the web client (its language above all: without
    # one, every translated label logs a warning with a stack trace)
    user_env = env(user=admin.id, su=False, context=admin.context_get())
    vendor, lot_ids, reached = pick_supplier_lots(user_env, summary, target)
    say(f"supplier recall: {len(lot_ids)} lots of {vendor.name}, {reached} lots downstream")
    recall = user_env["stock.recall"].create(
        {
            "lot_ids": [(6, 0, lot_ids)],
            "is_drill": False,
            "reason": f"benchmark: supplier recall of {vendor.name}",
        }
    )
    steps = {}

    def scope():
        recall.action_compute_scope()
        return (
            f"{recall.affected_lot_count:,} lots, {recall.delivery_count:,} deliveries, "
            f"{recall.customer_count:,} customers"
        )

    def holds():
        recall.action_hold_stock()
        return f"{len(recall.hold_ids):,} holds placed"

    def export(action, field):
        def run():
            getattr(recall, action)()
            return f"{len(recall[field].raw) / 2**20:.1f} MB"

        return run

    for name, step in [
        ("scope", scope),
        ("holds", holds),
        ("xlsx", export("action_export_xlsx", "xlsx_attachment_id")),
        ("pdf", export("action_print_report", "pdf_attachment_id")),
    ]:
        steps[name] = run_step(user_env, step, traced)
        say(f"supplier recall {name}: {fmt_seconds(steps[name]['seconds'])}")
    env.cr.rollback()
    env.invalidate_all()
    return {"vendor": vendor.name, "origin_lots": len(lot_ids), "reached": reached, "steps": steps}


def print_supplier_recall(result):
    titles = {
        "scope": "scope (action_compute_scope)",
        "holds": "hold placement (action_hold_stock)",
        "xlsx": "XLSX (action_export_xlsx)",
        "pdf": "PDF (action_print_report)",
    }
    print(
        f"(d) supplier recall: {result['origin_lots']} lots received from {result['vendor']}, "
        f"{result['reached']:,} lots downstream (itself included)"
    )
    print(
        f"    {'step':<36} {'time':>9} {'target':>7} {'time/target':>12} {'peak RSS':>10} "
        f"{'traced':>8}  result; created"
    )
    for name, step in result["steps"].items():
        target = RECALL_TARGETS[name]
        peak = (
            "n/a"
            if step["peak_rss_mb"] is None
            else f"{step['peak_rss_mb']:,.0f} MB (from {step['rss_before_mb']:,.0f})"
        )
        traced = "" if step["traced_peak_mb"] is None else f"{step['traced_peak_mb']:,.0f} MB"
        created = ", ".join(f"{count:,} {label}" for label, count in step["created"].items())
        verdict = "met" if step["seconds"] <= target else "NOT met"
        print(
            f"    {titles[name]:<36} {fmt_seconds(step['seconds']):>9} {target:>5.0f} s "
            f"{step['seconds'] / target:>8.2f} {verdict:<3} {peak:>21} {traced:>8}  "
            f"{step['detail']}; {created}"
        )
    print(flush=True)


# ----------------------------------------------------------------------
# Main
# ----------------------------------------------------------------------
def measure_trace_and_odoo(env, args, name, summary, counts):
    """(a), (b), (c): the addon's trace of one lot against Odoo's own ways, printed."""
    lot = pick_start_lot(env, summary)
    say(f"start lot {lot.name} (id {lot.id})")
    addon = measure_addon(env, lot, max(args.repeat, 1))
    say(f"addon total median {fmt_seconds(statistics.median(addon['total']))}")
    addon["recall"] = measure_recall(env, lot)
    odoo_runs = []
    say("Odoo's own way, same database")
    odoo_runs.append(
        ("same database", measure_odoo(env, lot, args.odoo_timeout, not args.no_unfold))
    )
    if args.without_addon_index:
        say(f"Odoo's own way without {ADDON_LOT_INDEX}")
        env.cr.execute(f"DROP INDEX {ADDON_LOT_INDEX}")
        odoo = {
            "walk": ReportWalk(env, args.odoo_timeout, unfold=False).run(lot),
            "find": measure_find_deliveries(env, lot, args.odoo_timeout),
        }
        env.cr.rollback()
        odoo_runs.append((f"same database without {ADDON_LOT_INDEX}", odoo))
    print_results(name, summary, counts, lot, addon, odoo_runs)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", help="default: slt_bench_<lots>")
    parser.add_argument("--config", help="Odoo config (default: the one of tools/dev.py)")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing database")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument("--repeat", type=int, default=7, help="runs of the addon's trace")
    parser.add_argument(
        "--odoo-timeout", type=float, default=300, help="seconds allowed to each Odoo run"
    )
    parser.add_argument(
        "--no-unfold", action="store_true", help="skip the fully unfolded report run"
    )
    parser.add_argument(
        "--without-addon-index",
        action="store_true",
        help=f"also time Odoo's own way without the addon's {ADDON_LOT_INDEX} "
        "(dropped in the transaction, then rolled back), i.e. with stock Odoo 18 indexes",
    )
    parser.add_argument(
        "--recall-lots",
        type=int,
        default=10000,
        help="lots the supplier recall must reach downstream (d)",
    )
    parser.add_argument(
        "--supplier-recall-only",
        action="store_true",
        help="only (d), the supplier recall: skip the trace and Odoo's own ways",
    )
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also trace Python's peak memory in (d) (slows the steps down)",
    )
    gen.add_arguments(parser)
    args = parser.parse_args()

    name, config, _created = prepare_database(args)
    _registry, cr, env = gen.open_env(name, config)
    try:
        summary, generated = generation_summary(env, args)
        if not generated:
            say(f"data already generated ({summary['move_lines']} move lines), reusing it")
        counts = data_size(env)
        if not args.supplier_recall_only:
            measure_trace_and_odoo(env, args, name, summary, counts)
        print_supplier_recall(
            measure_supplier_recall(env, summary, args.recall_lots, args.tracemalloc)
        )
    finally:
        cr.rollback()
        cr.close()
    if args.drop:
        retry(dev.drop_db, name)
        say(f"dropped {name}")


if __name__ == "__main__":
    main()
