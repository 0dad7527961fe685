#!/usr/bin/env python3
"""Odoo with many workers under concurrent clients, on the benchmark database.

    python3 tools/loadtest.py --reuse        # slt_bench_100000, 8 workers, 50 clients
    python3 tools/loadtest.py --reuse --workers 4 --clients 20 --duration 30

Prepares the database as tools/benchmark_api.py does (an inventory user of the
traceability group with an API key), starts Odoo in prefork mode (``--workers``, one cron
worker, on ``SLT_HTTP_PORT``), then runs ``--clients`` concurrent clients for
``--duration`` seconds after ``--warmup`` seconds. Each client, in a loop over its own
keep-alive connection, picks a random lot of a fixed sample (every level of the
benchmark's genealogy: ingredients, intermediates, finished goods) and either opens it
(``GET /lots/<id>``), traces it downstream (``GET /lots/<id>/trace``) or lists its
customers (``GET /lots/<id>/customers``), in the proportions of ``--mix``.

Prints the throughput (requests per second) and the latency p50 / p95 / max per kind of
request and overall, the errors, and the machine's load. Figures only: nothing passes or
fails. The clients run on the same machine as the server and share its cores.
"""

# A command-line tool: it reports on its standard output.
# pylint: disable=print-used

import argparse
import os
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

import requests

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

import benchmark  # noqa: E402
import benchmark_api  # noqa: E402

KINDS = {
    "open": "/lots/{lot}",
    "trace": "/lots/{lot}/trace?direction=down",
    "customers": "/lots/{lot}/customers",
}


def say(message):
    print(f"[loadtest] {message}", flush=True)


def sample_lots(registry, args, size):
    """``size`` lot ids drawn evenly from every level of the benchmark's genealogy."""
    from odoo import SUPERUSER_ID, api

    cr = registry.cursor()
    try:
        env = api.Environment(cr, SUPERUSER_ID, {})
        summary, _generated = benchmark.generation_summary(env, args)
        rng = random.Random(args.seed)  # generate_data's --seed
        firsts, sizes = summary["level_first_lot_id"], summary["level_sizes"]
        per_level = max(1, size // len(sizes))
        return [
            first + rng.randrange(count)
            for first, count in zip(firsts, sizes, strict=True)
            for _draw in range(per_level)
        ]
    finally:
        cr.close()


class Client(threading.Thread):
    """One user: requests in a loop until told to stop, timings kept after the warm-up."""

    def __init__(self, base, key, lots, mix, seed, measuring, stopping):
        super().__init__(daemon=True)
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {key}"
        self.base, self.lots, self.mix = base + benchmark_api.API_ROOT, lots, mix
        self.rng = random.Random(seed)
        self.measuring, self.stopping = measuring, stopping
        self.timings = defaultdict(list)
        self.errors = defaultdict(int)

    def run(self):
        kinds, weights = zip(*self.mix.items(), strict=True)
        while not self.stopping.is_set():
            kind = self.rng.choices(kinds, weights)[0]
            url = self.base + KINDS[kind].format(lot=self.rng.choice(self.lots))
            started = time.perf_counter()
            try:
                status = self.session.get(url, timeout=120).status_code
            except requests.RequestException:
                status = None
            elapsed = time.perf_counter() - started
            if not self.measuring.is_set() or self.stopping.is_set():
                continue
            if status == 200:
                self.timings[kind].append(elapsed)
            else:
                self.errors[f"{kind} {status}"] += 1


def start_server(root, config, name, port, workers):
    """Odoo in prefork mode: ``workers`` HTTP workers and one cron worker."""
    command = benchmark_api.server_command(root, config, name, port, workers, cron_threads=1)
    return benchmark_api.start_process([*command, "--limit-time-real", "300"], port)


def run_load(base, key, lots, args):
    measuring, stopping = threading.Event(), threading.Event()
    clients = [
        Client(base, key, lots, args.mix, args.seed + index, measuring, stopping)
        for index in range(args.clients)
    ]
    for client in clients:
        client.start()
    time.sleep(args.warmup)
    load_before = os.getloadavg()
    measuring.set()
    started = time.perf_counter()
    time.sleep(args.duration)
    stopping.set()
    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()
    for client in clients:
        client.join(timeout=150)
    timings, errors = defaultdict(list), defaultdict(int)
    for client in clients:
        for kind, values in client.timings.items():
            timings[kind] += values
        for kind, count in client.errors.items():
            errors[kind] += count
    return timings, errors, elapsed, load_before, load_after


def report(timings, errors, elapsed, load_before, load_after, args):
    say(
        f"{args.workers} workers, {args.clients} clients, {args.duration} s measured "
        f"after {args.warmup} s of warm-up, {os.cpu_count()} CPUs (clients on the same machine)"
    )
    everything = [value for values in timings.values() for value in values]
    for kind, values in [*sorted(timings.items()), ("all", everything)]:
        if not values:
            continue
        ms = [value * 1000 for value in values]
        say(
            f"{kind:>9}: {len(ms):6d} requests, {len(ms) / elapsed:7.1f} req/s, "
            f"p50 {statistics.median(ms):7.1f} ms, "
            f"p95 {benchmark_api.percentile(ms, 0.95):7.1f} ms, max {max(ms):7.1f} ms"
        )
    say(f"errors: {dict(errors) or 'none'}")
    say(
        f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f}, "
        f"{os.cpu_count()} CPUs"
    )


def parse_mix(text):
    mix = {}
    for part in text.split(","):
        kind, _sep, weight = part.partition("=")
        if kind not in KINDS or not weight.isascii() or not weight.isdigit():
            raise argparse.ArgumentTypeError(f"--mix: expected kind=weight of {list(KINDS)}")
        mix[kind] = int(weight)
    return mix


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=8, help="Odoo HTTP workers")
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients")
    parser.add_argument("--duration", type=int, default=60, help="measured seconds")
    parser.add_argument("--warmup", type=int, default=15, help="unmeasured first seconds")
    parser.add_argument("--sample", type=int, default=400, help="lots the clients pick from")
    parser.add_argument(
        "--mix",
        type=parse_mix,
        default="open=4,trace=3,customers=3",
        help="weights of the requests (default open=4,trace=3,customers=3)",
    )
    benchmark_api.add_database_arguments(parser)
    args = parser.parse_args()
    root, config, name, registry = benchmark_api.open_database(args)
    _lot_id, _lot_name, _size, key, counts = benchmark_api.prepare_key(registry, args)
    lots = sample_lots(registry, args, args.sample)
    say(f"database {name}: {counts['move lines']} move lines, {counts['lot links']} lot links")
    say(f"{len(lots)} lots sampled from every level of the genealogy")
    try:
        server, base = start_server(root, config, name, args.port, args.workers)
        try:
            results = run_load(base, key, lots, args)
        finally:
            server.terminate()
            server.wait(timeout=120)
        report(*results, args)
    finally:
        benchmark_api.remove_user(registry)


if __name__ == "__main__":
    main()
