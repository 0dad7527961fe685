#!/usr/bin/env python3
"""Check that `make demo` works from a Python that cannot import Odoo (tools/dev.py bootstrap).

    SLT_ODOO_SRC=/opt/odoo18 python3 tools/check_bootstrap.py [--port 8079] [--keep]
        [--test stock_lot_traceability/tests/test_ui.py] [--quick]

In a temporary folder: a clean virtual environment (no Odoo, no pip packages) runs
`tools/dev.py demo` with a temporary cache folder (SLT_CACHE), so the harness builds its own
environment (Odoo 18.0 from SLT_ODOO_SRC, a local folder or a git URL, and the requirements),
builds its own template and demo databases (names with this process id, dropped at the end),
and serves the demo; the check passes when /web/login answers on the given port and admin
logs in over JSON-RPC (then, with --test, `tools/dev.py test <file>` too). Before that,
two quick checks: pip's isolated builds get setuptools<81 through the harness's pip call
(a probe package that refuses to build with a newer setuptools, and fails without the
constraint), and a git URL as SLT_ODOO_SRC is cloned shallow on its 18.0 branch. After it,
a second command finds the environment ready and starts at once. Heavy: pip builds Odoo's
requirements (several minutes; PIP_NO_CACHE_DIR=1 to build them without pip's cache) and the
databases are made from scratch.
"""

# A command-line tool: it reports on its standard output.
# pylint: disable=print-used

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))
import dev  # noqa: E402

PROBE_SETUP = """\
import setuptools

major = int(setuptools.__version__.split(".")[0])
if major >= 81:
    raise SystemExit(f"slt-probe: built with setuptools {setuptools.__version__}, not <81")
setuptools.setup(name="slt-build-constraint-probe", version="1.0", py_modules=[])
"""
PROBE_PYPROJECT = """\
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"
"""


def say(message):
    print(f"[check_bootstrap] {message}", flush=True)


def stop(message):
    print(f"[check_bootstrap] FAILED: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def clean_env(tmp, extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SLT_", "PIP_CONSTRAINT", "PIP_BUILD_CONSTRAINT"))
        and key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")
    }
    env.update(PYTHONDONTWRITEBYTECODE="1", HOME=os.environ.get("HOME", str(tmp)), **extra)
    for key in ("SLT_DB_HOST", "SLT_DB_PORT", "SLT_DB_USER", "SLT_DB_PASSWORD"):
        if key in os.environ:
            env[key] = os.environ[key]
    return env


def check_build_constraint(tmp):
    """The harness's pip call keeps setuptools<81 in pip's isolated build environment."""
    started = time.monotonic()
    probe = tmp / "probe"
    probe.mkdir()
    (probe / "setup.py").write_text(PROBE_SETUP)
    (probe / "pyproject.toml").write_text(PROBE_PYPROJECT)
    venv = tmp / "probe-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    env = clean_env(tmp, {})
    bare = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-cache-dir", "-q", str(probe)],
        env=env,
        capture_output=True,
        text=True,
    )
    if bare.returncode == 0:
        say("build constraint: the newest setuptools is below 81 here, the probe cannot fail")
    elif "not <81" not in bare.stdout + bare.stderr:
        stop(f"the build-constraint probe failed for another reason:\n{bare.stderr[-2000:]}")
    dev.CACHE = tmp / "probe-cache"
    versions = []
    for upgrade in (False, True):
        # the venv's own pip (PIP_CONSTRAINT), then the newest (--build-constraint from 25.3)
        if upgrade:
            subprocess.run(
                [str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"], env=env, check=True
            )
        versions.append(
            subprocess.run(
                [str(python), "-m", "pip", "--version"], capture_output=True, text=True
            ).stdout.split()[1]
        )
        steps = dev.BootstrapSteps(1)
        with steps.step(f"build-constraint probe with pip {versions[-1]}"):
            dev.pip_install(steps, python, "--no-cache-dir", "--force-reinstall", str(probe))
    say(
        "build constraint: pip's isolated build got setuptools<81 through the harness with pip "
        f"{' and '.join(versions)} (and {'failed' if bare.returncode else 'passed'} without "
        f"it) in {time.monotonic() - started:.0f} s"
    )


def check_git_source(tmp):
    """A git URL as SLT_ODOO_SRC is cloned with --depth 1 --branch 18.0."""
    origin = tmp / "fake-odoo"
    (origin / "odoo").mkdir(parents=True)
    (origin / "odoo-bin").write_text("")
    (origin / "odoo" / "release.py").write_text("version_info = (18, 0, 0, 'final', 0, '')\n")
    git = ["git", "-c", "user.name=check", "-c", "user.email=check@example.com"]
    for command in (
        ["init", "-q", "-b", "18.0"],
        ["add", "-A"],
        ["commit", "-q", "-m", "one"],
        ["commit", "-q", "--allow-empty", "-m", "two"],
    ):
        subprocess.run([*git, *command], cwd=origin, check=True)
    dev.CACHE = tmp / "git-cache"
    dev.ODOO_SRC = f"file://{origin}"
    steps = dev.BootstrapSteps(1)
    with steps.step("git clone probe"):
        source = dev.odoo_source_folder(steps)
    depth = subprocess.run(
        ["git", "rev-list", "--count", "HEAD"], cwd=source, capture_output=True, text=True
    ).stdout.strip()
    if source != dev.CACHE / "odoo-18.0" or depth != "1":
        stop(f"git source: expected a shallow clone in {dev.CACHE}, got {source} (depth {depth})")
    say(f"git source: {dev.ODOO_SRC} cloned shallow (1 commit of 2) into {source}")


def port_free(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def stream(process, log_path, lines):
    """Copy the demo's output to its log; show the harness's own lines and errors."""
    with log_path.open("w") as log:
        for line in process.stdout:
            log.write(line)
            lines.append(line)
            if line.startswith(("[stock_lot_traceability]", "stock_lot_traceability:")) or any(
                word in line for word in (" ERROR ", " CRITICAL ", "Traceback")
            ):
                print(f"  | {line.rstrip()}", flush=True)


def http_ok(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status == 200 and b"login" in response.read()
    except OSError:
        return False


def demo_lots(base_url, db_name):
    """Log in as admin/admin over JSON-RPC and count the demo's lots: the addon is served."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())

    def call(path, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}).encode()
        request = urllib.request.Request(
            base_url + path, body, {"Content-Type": "application/json"}
        )
        with opener.open(request, timeout=60) as response:
            answer = json.loads(response.read())
        if "error" in answer:
            stop(f"{path}: {answer['error'].get('data', {}).get('message', answer['error'])}")
        return answer["result"]

    call("/web/session/authenticate", {"db": db_name, "login": "admin", "password": "admin"})
    kwargs = {"model": "stock.lot", "method": "search_count", "args": [[]], "kwargs": {}}
    lots = call("/web/dataset/call_kw", kwargs)
    kwargs = {"model": "stock.recall", "method": "search_count", "args": [[]], "kwargs": {}}
    return lots, call("/web/dataset/call_kw", kwargs)


def wait_for_http(process, url, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if http_ok(url):
            return True
        time.sleep(5)
    return False


def drop_databases(prefixes):
    env = dev.pg_env()
    names = subprocess.run(
        ["psql", "-X", "-t", "-A", "-c", "SELECT datname FROM pg_database"],
        env=env,
        capture_output=True,
        text=True,
    ).stdout.split()
    for name in names:
        if name.startswith(prefixes):
            subprocess.run(
                ["psql", "-X", "-q", "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
                env=env,
                check=False,
            )
            say(f"dropped database {name}")


def check_demo(tmp, args, demo_db, template_prefix, processes):
    """Run `tools/dev.py demo` from a clean environment until the demo answers on HTTP."""
    clean = tmp / "clean-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(clean)], check=True)
    python = clean / "bin" / "python"
    if subprocess.run([str(python), "-c", "import odoo"], capture_output=True).returncode == 0:
        stop(f"{python} imports Odoo: not a clean environment")
    cache = tmp / "cache"
    env = clean_env(
        tmp,
        {
            "SLT_CACHE": str(cache),
            "SLT_ODOO_SRC": args.odoo_src,
            "SLT_HTTP_PORT": str(args.port),
            "SLT_DEMO_DB": demo_db,
            "SLT_TEMPLATE_PREFIX": template_prefix,
        },
    )
    say(f"running `{python} tools/dev.py demo --port {args.port}` with SLT_CACHE={cache}")
    started = time.monotonic()
    process = subprocess.Popen(
        [str(python), str(REPO / "tools" / "dev.py"), "demo", "--port", str(args.port)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    processes.append(process)
    lines = []
    threading.Thread(target=stream, args=(process, tmp / "demo.log", lines), daemon=True).start()
    url = f"http://127.0.0.1:{args.port}/web/login"
    if not wait_for_http(process, url, args.timeout):
        stop(f"the demo did not answer on {url} (exit code {process.poll()}); see above")
    ready = [line.strip() for line in lines if "environment ready in" in line]
    say(
        f"the demo answers on {url} after {time.monotonic() - started:.0f} s "
        f"({ready[-1] if ready else 'environment reused'})"
    )
    lots, recalls = demo_lots(f"http://127.0.0.1:{args.port}", demo_db)
    say(f"logged in as admin over JSON-RPC: {lots} lots, {recalls} recalls in {demo_db}")
    end(processes)
    venv_python = cache / "venv" / "bin" / "python"
    where = subprocess.run(
        [str(venv_python), "-c", "import odoo; print(odoo.__file__)"],
        cwd="/",
        capture_output=True,
        text=True,
        env=clean_env(tmp, {}),
    )
    if where.returncode:
        stop(f"{venv_python} cannot import odoo: {where.stderr[-500:]}")
    say(f"{venv_python} imports {where.stdout.strip()}")
    again_started = time.monotonic()
    again = subprocess.run(
        [str(python), str(REPO / "tools" / "dev.py"), "config"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    if again.returncode or "step 1/" in again.stdout or "using " not in again.stdout:
        stop(f"a second command did not reuse the environment:\n{again.stdout}{again.stderr}")
    say(f"a second command reused the environment ({time.monotonic() - again_started:.1f} s)")
    if args.test:
        check_test(tmp, python, env, args.test)


def check_test(tmp, python, env, path):
    """`tools/dev.py test <file>` from the clean environment too (browser tests included)."""
    started = time.monotonic()
    say(f"running `{python} tools/dev.py test {path}`")
    process = subprocess.Popen(
        [str(python), str(REPO / "tools" / "dev.py"), "test", path],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    stream(process, tmp / "test.log", lines)
    if process.wait():
        print("".join(lines[-40:]), file=sys.stderr)
        stop(f"tools/dev.py test {path} exited with {process.returncode}")
    summary = [line.strip() for line in lines if " passed" in line and "==" in line]
    say(f"tests passed in {time.monotonic() - started:.0f} s: {summary[-1] if summary else ''}")


def end(processes):
    for process in processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--odoo-src", default=os.environ.get("SLT_ODOO_SRC", dev.ODOO_GIT))
    parser.add_argument("--port", type=int, default=int(os.environ.get("SLT_HTTP_PORT", "8079")))
    parser.add_argument("--timeout", type=int, default=90 * 60, help="seconds, default 90 min")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--test",
        metavar="PATH",
        help="then run tools/dev.py test PATH (e.g. stock_lot_traceability/tests/test_ui.py)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="only the build-constraint and git-source checks"
    )
    args = parser.parse_args()
    if not port_free(args.port):
        stop(f"port {args.port} is already in use; choose another with --port")
    tmp = Path(tempfile.mkdtemp(prefix="slt-bootcheck-"))
    tag = f"slt_bootcheck_{os.getpid()}"
    processes = []
    started = time.monotonic()
    try:
        check_git_source(tmp)
        check_build_constraint(tmp)
        if not args.quick:
            check_demo(tmp, args, f"{tag}_demo", f"{tag}_template", processes)
        say(f"PASSED in {time.monotonic() - started:.0f} s")
    finally:
        end(processes)
        drop_databases((tag,))
        if args.keep:
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
