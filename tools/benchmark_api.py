#!/usr/bin/env python3
"""Downstream trace over the REST API, on the benchmark database.

    python3 tools/benchmark_api.py --reuse                 # slt_bench_100000 (~1.1M move lines)
    python3 tools/benchmark_api.py --lots 2000 --requests 50

Prepares the database the way tools/benchmark.py does (``--reuse`` keeps an existing one and
updates the addon from the working tree; else it is made and filled), takes the same start
lot (the ingredient lot with the largest downstream), gives an inventory user of the
traceability group an API key, starts Odoo (one process, no workers, on ``SLT_HTTP_PORT``),
then calls ``GET /api/lot-traceability/v1/lots/<id>/trace?direction=down`` ``--requests``
times in a loop over one keep-alive connection (after ``--warmup`` calls) and prints the
latency p50 / p95 / max, with the size of the answer and the machine's load. The key is
removed and the user archived at the end. Figures only: nothing passes or fails.
"""

# A command-line tool: it reports on its standard output.
# pylint: disable=print-used

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

import benchmark  # noqa: E402
import dev  # noqa: E402
import generate_data as gen  # noqa: E402

API_ROOT = "/api/lot-traceability/v1"
BENCH_LOGIN = "slt_api_benchmark"


def say(message):
    print(f"[benchmark-api] {message}", flush=True)


def prepare_key(registry, args):
    """The start lot, and an API key of a traceability user (committed: the server reads it)."""
    from odoo import SUPERUSER_ID, Command, api

    cr = registry.cursor()
    env = api.Environment(cr, SUPERUSER_ID, {})
    try:
        summary, _generated = benchmark.generation_summary(env, args)
        lot = benchmark.pick_start_lot(env, summary)
        size = len(lot._trace("down"))
        group = env.ref("stock_lot_traceability.group_traceability_user")
        users = env["res.users"].with_context(active_test=False)
        user = users.search([("login", "=", BENCH_LOGIN)])
        if user:
            user.write({"active": True, "groups_id": [Command.set(group.ids)]})
        else:
            user = users.create(
                {
                    "name": "API benchmark",
                    "login": BENCH_LOGIN,
                    "groups_id": [Command.set(group.ids)],
                }
            )
        key = env["res.users.apikeys"].with_user(user).sudo()._generate(None, "benchmark", None)
        counts = benchmark.data_size(env)
        # a script's own cursor: nothing else commits it; the server reads the key
        cr.commit()  # pylint: disable=invalid-commit
        return lot.id, lot.name, size, key, counts
    finally:
        cr.close()


def remove_user(registry):
    from odoo import SUPERUSER_ID, api

    cr = registry.cursor()
    env = api.Environment(cr, SUPERUSER_ID, {})
    try:
        user = (
            env["res.users"].with_context(active_test=False).search([("login", "=", BENCH_LOGIN)])
        )
        env["res.users.apikeys"].search([("user_id", "in", user.ids)]).unlink()
        user.active = False
        # a script's own cursor: nothing else commits it
        cr.commit()  # pylint: disable=invalid-commit
    finally:
        cr.close()


def server_command(root, config, name, port, workers=0, cron_threads=0):
    """odoo-bin serving only ``name`` on ``port``, warnings only."""
    return [
        sys.executable,
        str(root / "odoo-bin"),
        "-c",
        str(config),
        "-d",
        name,
        "--db-filter",
        f"^{name}$",
        "--http-port",
        str(port),
        "--workers",
        str(workers),
        "--max-cron-threads",
        str(cron_threads),
        "--log-level",
        "warn",
    ]


def start_server(root, config, name, port):
    return start_process(server_command(root, config, name, port), port)


def start_process(command, port):
    """Start the Odoo server ``command``; return it and its URL once it answers."""
    server = subprocess.Popen(command)
    try:
        return server, wait_for(server, f"http://127.0.0.1:{port}")
    except BaseException:
        server.terminate()
        server.wait(timeout=60)
        raise


def wait_for(server, base):
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            dev.fail(f"Odoo exited with {server.returncode}")
        # not listening yet, or still loading
        with contextlib.suppress(requests.RequestException):
            if requests.get(base + "/web/health", timeout=10).status_code == 200:
                return base
        time.sleep(1)
    dev.fail("Odoo did not answer within 180 s")


def percentile(values, fraction):
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered)) - 1))
    return ordered[index]


def measure(base, key, lot_id, count, warmup):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {key}"
    url = f"{base}{API_ROOT}/lots/{lot_id}/trace"
    params = {"direction": "down"}
    timings, size, body = [], 0, None
    for index in range(warmup + count):
        started = time.perf_counter()
        response = session.get(url, params=params, timeout=60)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            dev.fail(f"trace answered {response.status_code}: {response.text[:300]}")
        if index >= warmup:
            timings.append(elapsed)
        size, body = len(response.content), response.json()
    return timings, size, body


def add_database_arguments(parser):
    """The benchmark database's options (and generate_data's), shared by the API tools."""
    parser.add_argument("--database", help="default: slt_bench_<lots>")
    parser.add_argument("--config", help="Odoo config (default: the one of tools/dev.py)")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing database")
    parser.add_argument(
        "--skip-update",
        action="store_true",
        help="use the existing database as it is (its addon already up to date)",
    )
    parser.add_argument("--port", type=int, default=int(os.environ.get("SLT_HTTP_PORT", "8069")))
    gen.add_arguments(parser)


def open_database(args):
    """``(odoo root, config, database name, registry)``: the benchmark database, made,
    filled or updated as tools/benchmark.py does unless ``--skip-update``."""
    if args.skip_update:
        _root, default_config = dev.prepare()
        name, config = args.database or f"slt_bench_{args.lots}", args.config or default_config
    else:
        name, config, _created = benchmark.prepare_database(args)
    registry, cr, _env = gen.open_env(name, config)
    cr.close()
    return dev.odoo_root(), config, name, registry


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=200, help="timed requests")
    parser.add_argument("--warmup", type=int, default=5, help="untimed first requests")
    add_database_arguments(parser)
    args = parser.parse_args()
    root, config, name, registry = open_database(args)
    lot_id, lot_name, size, key, counts = prepare_key(registry, args)
    say(f"database {name}: {counts['move lines']} move lines, {counts['lot links']} lot links")
    say(f"start lot {lot_name} (id {lot_id}): {size} lots downstream")
    try:
        server, base = start_server(root, config, name, args.port)
        try:
            load_before = os.getloadavg()
            timings, answer_size, body = measure(base, key, lot_id, args.requests, args.warmup)
            load_after = os.getloadavg()
        finally:
            server.terminate()
            server.wait(timeout=60)
        report(lot_id, timings, answer_size, body, load_before, load_after)
    finally:
        remove_user(registry)


def report(lot_id, timings, answer_size, body, load_before, load_after):
    ms = [seconds * 1000 for seconds in timings]
    say(
        f"GET {API_ROOT}/lots/{lot_id}/trace?direction=down: {len(body['lots'])} lots, "
        f"{len(body['links'])} links, {answer_size / 1024:.0f} KiB"
    )
    say(
        f"{len(ms)} requests: p50 {statistics.median(ms):.1f} ms, "
        f"p95 {percentile(ms, 0.95):.1f} ms, max {max(ms):.1f} ms, "
        f"mean {statistics.mean(ms):.1f} ms"
    )
    say(
        f"load average (1/5/15 min) before {load_before[0]:.2f}/{load_before[1]:.2f}/"
        f"{load_before[2]:.2f}, after {load_after[0]:.2f}/{load_after[1]:.2f}/"
        f"{load_after[2]:.2f}, {os.cpu_count()} CPUs"
    )


if __name__ == "__main__":
    main()
