#!/usr/bin/env python3
"""Delivery validation with and without Certificates of Analysis.

    python3 tools/benchmark_coa.py              # 200 lots, 3 runs per mode
    python3 tools/benchmark_coa.py --lots 50 --repeat 5 --reuse --drop

Makes the database ``slt_bench_coa`` the way tools/benchmark.py does (a copy of the
harness template, the addon installed; ``--reuse`` keeps an existing one), receives
``--lots`` lots of a product with a four-line specification, records and releases their
results, then validates deliveries of one unit of every lot, alternately to a customer
without and with *Send Certificates of Analysis with deliveries*, and prints the
validation times (each delivery prepared beforehand, its validation alone timed, from an
empty cache), then the time of the scheduled action that renders the certificates and
queues the e-mail (a delivery of more than 20 lots leaves them to it), the mails and
attachments created, and the time of rendering and storing the certificates alone. Figures
only: nothing passes or fails. Everything is rolled back at the end.
"""

# A command-line tool: it reports on its standard output.
# pylint: disable=print-used

import argparse
import statistics
import sys
import time
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(TOOLS))

import benchmark  # noqa: E402
import dev  # noqa: E402
import generate_data as gen  # noqa: E402

SPECS = [
    {"name": "Moisture", "method": "ISO 712", "unit": "%", "max_value": 15.0},
    {"name": "Protein", "method": "ISO 20483", "unit": "%", "min_value": 9, "max_value": 14},
    {"name": "Ash", "method": "ISO 2171", "unit": "%", "min_value": 0.4, "max_value": 0.7},
    {"name": "Salmonella", "method": "ISO 6579", "value_type": "text", "target": "Absent"},
]


def say(message):
    print(f"[benchmark-coa] {message}", flush=True)


def prepare(env, lots_count, repeat):
    """A product with a specification, ``lots_count`` released lots in stock, two customers."""
    from odoo import Command

    flow = env["stock.lot.traceability.flow"]
    product = env["product.product"].create(
        {"name": "Bench Flour", "is_storable": True, "tracking": "lot", "sale_ok": True}
    )
    specs = env["product.quality.spec"].create(
        [{"product_tmpl_id": product.product_tmpl_id.id, **vals} for vals in SPECS]
    )
    vendor = env["res.partner"].create({"name": "Bench Mill", "email": "mill@example.com"})
    step = time.perf_counter()
    names = [f"BENCH-COA-{index:05d}" for index in range(lots_count)]
    order = env["purchase.order"].create(
        {
            "partner_id": vendor.id,
            "order_line": [
                Command.create({"product_id": product.id, "product_qty": 2 * repeat * lots_count})
            ],
        }
    )
    order.button_confirm()
    receipt = order.picking_ids
    flow._pick(receipt.move_ids, [({"lot_name": name}, 2 * repeat) for name in names])
    flow._validate_picking(receipt)
    lots = env["stock.lot"].search([("name", "in", names)])
    values = [12.1, 11.0, 0.55]
    env["stock.lot.test.result"].create(
        [
            {"lot_id": lot.id, "spec_id": spec.id, "value": value}
            for lot in lots
            for spec, value in zip(specs[:3], values, strict=True)
        ]
        + [
            {"lot_id": lot.id, "spec_id": specs[3].id, "text_value": "Absent", "passed": True}
            for lot in lots
        ]
    )
    lots.action_release_quality()
    say(f"{len(lots)} lots received, tested and released in {time.perf_counter() - step:.1f}s")
    customers = env["res.partner"].create(
        [
            {"name": "Bench Customer (no CoA)", "email": "plain@example.com"},
            {"name": "Bench Customer (CoA)", "email": "coa@example.com", "send_coa": True},
        ]
    )
    for customer in customers:
        customer.child_ids = [
            Command.create({"name": "Goods-in", "type": "delivery", "email": "in@example.com"})
        ]
    return product, lots, customers


def delivery(env, product, lots, customer):
    """A confirmed delivery of one unit of every lot, picked, not validated."""
    from odoo import Command

    flow = env["stock.lot.traceability.flow"]
    order = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "order_line": [
                Command.create({"product_id": product.id, "product_uom_qty": len(lots)})
            ],
        }
    )
    order.action_confirm()
    picking = order.picking_ids
    flow._pick_lots(picking.move_ids, [(lot, 1) for lot in lots])
    env.flush_all()
    return picking


def validate(env, picking):
    flow = env["stock.lot.traceability.flow"]
    env.invalidate_all()
    mails_before = env["mail.mail"].search_count([])
    attachments_before = env["ir.attachment"].search_count([])
    step = time.perf_counter()
    flow._validate_picking(picking)
    env.flush_all()
    seconds = time.perf_counter() - step
    env.invalidate_all()
    step = time.perf_counter()
    env["stock.picking"]._cron_send_coa_emails()
    env.flush_all()
    cron_seconds = time.perf_counter() - step
    return {
        "seconds": seconds,
        "cron_seconds": cron_seconds,
        "mails": env["mail.mail"].search_count([]) - mails_before,
        "attachments": env["ir.attachment"].search_count([]) - attachments_before,
        "state": picking.state,
        "coa_mail_state": picking.coa_mail_state,
    }


def measure_render(env, lots, customer):
    env.invalidate_all()
    step = time.perf_counter()
    lots._coa_documents(customer, combined=False)
    env.flush_all()
    return time.perf_counter() - step


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default="slt_bench_coa")
    parser.add_argument("--config", help="Odoo config (default: the one of tools/dev.py)")
    parser.add_argument("--lots", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="deliveries per mode")
    parser.add_argument("--reuse", action="store_true", help="reuse an existing database")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args()
    if not args.database.startswith("slt_bench"):
        dev.fail("the benchmark only writes databases named slt_bench*")

    name, config, _created = benchmark.prepare_database(
        argparse.Namespace(
            config=args.config, database=args.database, reuse=args.reuse, lots=args.lots
        )
    )
    _registry, cr, env = gen.open_env(name, config)
    try:
        product, lots, (plain, coa) = prepare(env, args.lots, args.repeat)
        runs = {"without": [], "with": []}
        for _index in range(args.repeat):
            for mode, customer in (("without", plain), ("with", coa)):
                picking = delivery(env, product, lots, customer)
                runs[mode].append(validate(env, picking))
        render = measure_render(env, lots, coa)
        print_results(args.lots, runs, render)
    finally:
        cr.rollback()
        cr.close()
    if args.drop:
        benchmark.retry(dev.drop_db, name)
        say(f"dropped {name}")


def print_results(lots, runs, render):
    def median(mode, key="seconds"):
        return statistics.median(run[key] for run in runs[mode])

    print()
    print(
        f"Delivery of {lots} lots (one move line each), validation only, {len(runs['with'])} runs"
    )
    print(
        f"{'customer':<34}{'median':>10}{'min':>10}{'max':>10}"
        f"{'then scheduled action':>24}{'mails':>8}{'attachments':>13}"
    )
    for mode, label in (("without", "without the CoA option"), ("with", "with the CoA option")):
        seconds = [run["seconds"] for run in runs[mode]]
        last = runs[mode][-1]
        print(
            f"{label:<34}{median(mode):>9.2f}s{min(seconds):>9.2f}s{max(seconds):>9.2f}s"
            f"{median(mode, 'cron_seconds'):>23.2f}s{last['mails']:>8}{last['attachments']:>13}"
        )
    extra = median("with") - median("without")
    print(
        f"CoA option, validation: {extra:+.2f}s ({median('with') / median('without'):.2f}x); "
        f"rendering and storing {lots} CoAs alone: {render:.2f}s "
        f"({1000 * render / lots:.1f} ms per lot)"
    )


if __name__ == "__main__":
    main()
