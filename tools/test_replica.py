#!/usr/bin/env python3
"""make test-replica: prove that Odoo sends the addon's read-only work to a streaming replica.

1. a PRIMARY PostgreSQL 15 cluster in a temporary folder (wal_level=replica), the role odoo
   (LOGIN REPLICATION CREATEDB), the cached template database copied in with
   pg_dump | pg_restore, the addon installed with its demo data;
2. a REPLICA made with ``pg_basebackup -R``, started as a hot standby, caught up;
3. Odoo on the primary with ``--db_replica_host/--db_replica_port`` on the replica;
4. over HTTP (JSON-RPC): the read-only trace methods and the readonly route /my/coa, then
   writes (a recall created and scoped, a hold placed);
5. both clusters log every statement (``log_statement='all'``, pid and application in the
   prefix): the trace SQL of the read-only calls must be in the replica's log only, the
   writes in the primary's only; the backend that ran the trace is an Odoo session of a
   server where ``pg_is_in_recovery()`` is true.

Prints PASS/FAIL lines, exits 1 on a failure, and always stops Odoo and both clusters and
removes the folder. Only the standard library is used (plus tools/dev.py's helpers).
"""

# A command-line tool: it reports on its standard output.
# pylint: disable=print-used

import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dev  # the harness: Odoo, template database, addons folder

PG_BIN = Path(os.environ.get("SLT_PG_BIN", "/usr/lib/postgresql/15/bin"))
DB_NAME = "slt_replica"
HTTP_PORT = int(os.environ.get("SLT_HTTP_PORT", "8278"))
PASSWORD = "odoo"
# the SQL each check looks for (the trace engine's walk, the portal's delivery query)
TRACE_SQL = "AS walk(lot_id, reached_at)"
PORTAL_SQL = "COALESCE(customer.commercial_partner_id, customer.id)"
MARKS = ("slt-mark-reads", "slt-mark-writes", "slt-mark-end")


def say(message):
    print(f"[test-replica] {message}", flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A throw-away PostgreSQL cluster, its processes run by a non-root OS user."""

    def __init__(self, folder, name, port):
        self.data = folder / name
        self.log = folder / f"{name}.log"
        self.socket_dir = folder
        self.port = port

    @staticmethod
    def run(args, check=True, env=None):
        """Run a PostgreSQL program as postgres when we are root (initdb/pg_ctl refuse root)."""
        if os.geteuid() == 0:
            args = ["runuser", "-u", "postgres", "--", *args]
        result = subprocess.run(args, capture_output=True, text=True, env=env)
        if check and result.returncode:
            raise RuntimeError(f"{' '.join(map(str, args))}: {result.stderr.strip()}")
        return result

    def init(self):
        self.run(
            [
                PG_BIN / "initdb",
                "-D",
                self.data,
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        with (self.data / "pg_hba.conf").open("a") as hba:
            hba.write("host replication odoo 127.0.0.1/32 scram-sha-256\n")
        self.configure(
            wal_level="replica",
            max_wal_senders=4,
            hot_standby="on",
            fsync="off",
            full_page_writes="off",
            synchronous_commit="off",
        )

    def configure(self, **settings):
        common = {
            "listen_addresses": "'127.0.0.1'",
            "port": self.port,
            "unix_socket_directories": f"'{self.socket_dir}'",
            "logging_collector": "off",
            "log_line_prefix": "'%m [%p] %a@%d '",
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            for key, value in {**common, **settings}.items():
                conf.write(f"{key} = {value}\n")

    def start(self):
        self.run([PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "120", "start"])

    def stop(self):
        if (self.data / "postmaster.pid").exists():
            self.run([PG_BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "stop"], check=False)

    def sql(self, query, database="postgres", user="postgres"):
        """One query over the cluster's Unix socket (trust), as ``user``; returns its rows."""
        result = subprocess.run(
            [
                PG_BIN / "psql",
                "-X",
                "-q",
                "-t",
                "-A",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                str(self.socket_dir),
                "-p",
                str(self.port),
                "-U",
                user,
                "-d",
                database,
                "-c",
                query,
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise RuntimeError(f"psql on port {self.port}: {result.stderr.strip()}")
        return result.stdout.strip()

    def tcp_env(self):
        return dict(
            os.environ,
            PGHOST="127.0.0.1",
            PGPORT=str(self.port),
            PGUSER="odoo",
            PGPASSWORD=PASSWORD,
        )


class Rpc:
    """JSON-RPC and plain GETs against the Odoo server, with the session cookie."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def json(self, path, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode()
        request = urllib.request.Request(
            self.base + path, body, {"Content-Type": "application/json"}
        )
        with self.opener.open(request, timeout=300) as response:
            answer = json.load(response)
        if answer.get("error"):
            error = answer["error"].get("data", {}).get("message") or answer["error"]
            raise RuntimeError(f"{path} {params.get('method', '')}: {error}")
        return answer["result"]

    def call(self, model, method, *args, **kwargs):
        return self.json(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs},
        )

    def get(self, path):
        with self.opener.open(self.base + path, timeout=300) as response:
            return response.status, response.read()


def wait_for(what, probe, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if probe():
                return
        time.sleep(0.5)
    raise RuntimeError(f"timed out waiting for {what}")


def write_odoo_config(root, folder, primary):
    config = folder / "odoo.conf"
    config.write_text(
        "[options]\n"
        "db_host = 127.0.0.1\n"
        f"db_port = {primary.port}\n"
        "db_user = odoo\n"
        f"db_password = {PASSWORD}\n"
        f"addons_path = {root / 'addons'},{dev.addons_dir()}\n"
        f"data_dir = {folder / 'odoo-data'}\n"
        "admin_passwd = admin\n"
        "list_db = False\n"
        "max_cron_threads = 0\n"
    )
    return config


def build_primary(root, folder, primary):
    """Primary cluster, the role odoo, the template database restored, the addon installed."""
    say(f"primary cluster on port {primary.port}")
    primary.init()
    primary.start()
    primary.sql(f"CREATE ROLE odoo LOGIN REPLICATION CREATEDB PASSWORD '{PASSWORD}'")
    template = dev.template_db(root, dev.write_config(root))
    say(f"copying {template} from {dev.DB_HOST}:{dev.DB_PORT} into it (pg_dump | pg_restore)")
    subprocess.run(
        [PG_BIN / "createdb", DB_NAME], env=primary.tcp_env(), check=True, capture_output=True
    )
    dump = subprocess.Popen(
        [PG_BIN / "pg_dump", "-Fc", "--no-owner", "-d", template],
        env=dev.pg_env(),
        stdout=subprocess.PIPE,
    )
    restore = subprocess.run(
        [PG_BIN / "pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "-d", DB_NAME],
        env=primary.tcp_env(),
        stdin=dump.stdout,
        capture_output=True,
        text=True,
    )
    dump.stdout.close()
    if dump.wait() or restore.returncode:
        raise RuntimeError(f"pg_dump | pg_restore failed: {restore.stderr.strip()}")
    if dev.filestore(template).exists():
        shutil.copytree(dev.filestore(template), folder / "odoo-data" / "filestore" / DB_NAME)
    config = write_odoo_config(root, folder, primary)
    say(f"installing {dev.ADDON} with its demo data (log: {folder / 'install.log'})")
    with (folder / "install.log").open("w") as log:
        dev.odoo_bin(root, config, "-d", DB_NAME, "-i", dev.ADDON, "--stop-after-init", log=log)
    # from now on both clusters log every statement (the replica inherits postgresql.auto.conf)
    primary.sql("ALTER SYSTEM SET log_statement = 'all'")
    primary.sql("SELECT pg_reload_conf()")
    return config


def build_replica(primary, replica):
    say(f"replica on port {replica.port}: pg_basebackup -R, hot standby")
    Cluster.run(
        [
            PG_BIN / "pg_basebackup",
            "-D",
            replica.data,
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "odoo",
        ],
        env=primary.tcp_env(),
    )
    replica.configure()
    replica.start()
    if replica.sql("SELECT pg_is_in_recovery()") != "t":
        raise RuntimeError("the replica is not in recovery")
    target = primary.sql("SELECT pg_current_wal_lsn()")
    wait_for(
        "the replica to replay the primary's WAL",
        lambda: replica.sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") == "t",
    )


def start_odoo(root, folder, config, replica):
    say(f"Odoo on http://127.0.0.1:{HTTP_PORT}, db_replica on port {replica.port}")
    log = (folder / "odoo.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            str(root / "odoo-bin"),
            "-c",
            str(config),
            "-d",
            DB_NAME,
            "--db-filter",
            f"^{DB_NAME}$",
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            str(HTTP_PORT),
            "--db_replica_host",
            "127.0.0.1",
            "--db_replica_port",
            str(replica.port),
            "--log-level=info",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    rpc = Rpc(HTTP_PORT)
    wait_for("Odoo to answer", lambda: rpc.get("/web/health")[0] == 200)
    return process, rpc


def mark(clusters, label):
    """A statement both logs show, to cut them into the reads and the writes."""
    for cluster in clusters:
        cluster.sql(f"SELECT '{label}'")


def segment(log_text, begin, end):
    start = log_text.index(f"SELECT '{begin}'")
    return log_text[start : log_text.index(f"SELECT '{end}'", start)]


def exercise(rpc, primary, replica):
    """The read-only calls, then the writes, between marks in both logs."""
    rpc.json("/web/session/authenticate", {"db": DB_NAME, "login": "admin", "password": "admin"})
    link = rpc.call("stock.lot.link", "search_read", [], ["parent_lot_id"], limit=1, order="id")
    if not link:
        raise RuntimeError("the demo data has no lot link to trace")
    lot_id = link[0]["parent_lot_id"][0]
    clusters = (primary, replica)
    mark(clusters, MARKS[0])
    # the counts of the lot form run the trace engine; the customers button stores
    # transient lines (it writes), the suppliers button only reads
    counts = rpc.call(
        "stock.lot", "read", [lot_id], ["downstream_lot_count", "trace_customer_count"]
    )[0]
    suppliers = rpc.call("stock.lot", "action_view_trace_suppliers", [lot_id])
    status, _page = rpc.get("/my/coa")
    say(
        f"reads: lot {lot_id} reaches {counts['downstream_lot_count']} lot(s) and "
        f"{counts['trace_customer_count']} customer(s), "
        f"suppliers -> {len(suppliers['domain'][0][2])}, GET /my/coa -> HTTP {status}"
    )
    mark(clusters, MARKS[1])
    recall_id = rpc.call(
        "stock.recall",
        "create",
        {"lot_ids": [(6, 0, [lot_id])], "reason": "test-replica", "is_drill": True},
    )
    rpc.call("stock.recall", "action_compute_scope", [recall_id])
    hold_id = rpc.call("stock.lot.hold", "create", {"lot_id": lot_id, "reason": "lab_pending"})
    say(f"writes: drill recall {recall_id} created and scoped, hold {hold_id} placed")
    mark(clusters, MARKS[2])


def checks(folder, primary, replica):
    """(label, passed, detail) of each assertion on the logs."""
    time.sleep(1)  # let both servers flush their logs
    primary_log = primary.log.read_text(errors="replace")
    replica_log = replica.log.read_text(errors="replace")
    odoo_log = (folder / "odoo.log").read_text(errors="replace")
    reads_p, reads_r = (segment(text, *MARKS[:2]) for text in (primary_log, replica_log))
    writes_p, writes_r = (segment(text, *MARKS[1:]) for text in (primary_log, replica_log))
    inserts = ['INSERT INTO "stock_recall"', 'INSERT INTO "stock_lot_hold"']
    results = [
        ("trace SQL of the read-only calls ran on the replica", TRACE_SQL in reads_r, ""),
        ("... and not on the primary", TRACE_SQL not in reads_p, ""),
        ("GET /my/coa's query ran on the replica", PORTAL_SQL in reads_r, ""),
        ("... and not on the primary", PORTAL_SQL not in reads_p, ""),
        (
            "the writes (recall, scope, hold) ran on the primary",
            all(insert in writes_p for insert in inserts) and TRACE_SQL in writes_p,
            "",
        ),
        (
            "... and nothing of them on the replica",
            not any(insert in writes_r for insert in inserts) and TRACE_SQL not in writes_r,
            "",
        ),
        (
            "no read-only call had to be retried read/write",
            "retrying with a read/write cursor" not in odoo_log,
            "",
        ),
    ]
    # the backend that logged the trace: an Odoo session of a server in recovery
    pids = re.findall(
        r"\[(\d+)\] (odoo-\d+)@" + DB_NAME + r" LOG:  statement: \s*SELECT link", reads_r
    )
    pid = pids[0][0] if pids else "0"
    session = replica.sql(
        f"SELECT application_name || ' ' || pg_is_in_recovery() FROM pg_stat_activity "
        f"WHERE pid = {int(pid)}"
    )
    results.append(
        (
            "pg_is_in_recovery() is true in the session that ran the trace",
            session.startswith("odoo-") and session.endswith(" true"),
            f"(backend {pid}: {session or 'gone'})",
        )
    )
    return results


def main():
    started = time.monotonic()
    root = dev.odoo_root()
    dev.ensure_postgres()
    folder = Path(tempfile.mkdtemp(prefix="slt-replica-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    primary = Cluster(folder, "primary", free_port())
    replica = Cluster(folder, "replica", free_port())
    odoo = None
    results, error = [], None
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    try:
        config = build_primary(root, folder, primary)
        build_replica(primary, replica)
        odoo, rpc = start_odoo(root, folder, config, replica)
        exercise(rpc, primary, replica)
        results = checks(folder, primary, replica)
    except Exception as exc:  # reported as a failure below, after the clean-up
        error = exc
        for name in ("odoo.log", "install.log", "primary.log", "replica.log"):
            path = folder / name
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-15:]
                print(f"--- last lines of {name}:\n" + "\n".join(tail), file=sys.stderr)
    finally:
        if odoo is not None:
            os.killpg(odoo.pid, signal.SIGTERM)
            try:
                odoo.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(odoo.pid, signal.SIGKILL)
        replica.stop()
        primary.stop()
        shutil.rmtree(folder, ignore_errors=True)
    for label, passed, detail in results:
        print(f"{'PASS' if passed else 'FAIL'}  {label} {detail}".rstrip(), flush=True)
    failed = error is not None or not results or not all(passed for _l, passed, _d in results)
    if error is not None:
        print(f"FAIL  {error}", flush=True)
    verdict = "FAIL" if failed else "PASS"
    print(f"test-replica: {verdict} in {time.monotonic() - started:.0f} s", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
