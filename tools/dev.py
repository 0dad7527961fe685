#!/usr/bin/env python3
"""Developer harness of stock_lot_traceability: demo server, addon tests, Odoo's own tests.

    python3 tools/dev.py demo        # database lot_trace_demo on http://127.0.0.1:8069
    python3 tools/dev.py test        # the tests: pytest-odoo and odoo-bin side by side, same count
    python3 tools/dev.py test-core   # Odoo's stock/mrp/... suites with the addon installed
    python3 tools/dev.py shell       # an Odoo shell on the demo database

When python3 cannot import Odoo, the harness bootstraps itself first (see `bootstrap`):
Debian packages (as root; otherwise it prints the apt line to run), a virtual environment in
the cache folder with Odoo 18.0 from SLT_ODOO_SRC and the requirements, then it runs again
with that environment's python. Only the standard library is used here, so a missing
prerequisite is reported in one line.
"""

# A command-line tool: it reports on its standard output.
# pylint: disable=print-used

import argparse
import ast
import concurrent.futures
import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ADDON = "stock_lot_traceability"
REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("SLT_CACHE", Path.home() / ".cache" / ADDON))
DB_HOST = os.environ.get("SLT_DB_HOST", "127.0.0.1")
DB_PORT = os.environ.get("SLT_DB_PORT", "5432")
DB_USER = os.environ.get("SLT_DB_USER", "odoo")
DB_PASSWORD = os.environ.get("SLT_DB_PASSWORD", "odoo")
# the port of the server the browser tests start: set another one to run two suites at once
HTTP_PORT = os.environ.get("SLT_HTTP_PORT", "8069")
DEMO_DB = os.environ.get("SLT_DEMO_DB", "lot_trace_demo")
# the check of the bootstrap (tools/check_bootstrap.py) builds its own template databases
TEMPLATE_PREFIX = os.environ.get("SLT_TEMPLATE_PREFIX", "slt_template")
CORE_SUITES = ["stock", "mrp", "product_expiry", "sale_stock", "purchase_stock"]
README_HINT = "see README.md, section 'Prerequisites'"


def fail(message):
    print(f"{ADDON}: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def say(message):
    print(f"[{ADDON}] {message}", flush=True)


# ----------------------------------------------------------------------
# Prerequisites
# ----------------------------------------------------------------------
def odoo_root():
    """Return the folder holding odoo-bin, or stop with one line if Odoo is missing."""
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import odoo, odoo.release; print(odoo.__file__); print(odoo.release.major_version)",
        ],
        capture_output=True,
        text=True,
        cwd="/",
    )
    if probe.returncode != 0:
        if os.environ.get("SLT_BOOTSTRAPPED"):
            fail(f"Odoo 18.0 is still not importable by {sys.executable} ({README_HINT}).")
        bootstrap()
    odoo_file, version = probe.stdout.split()
    if version != "18.0":
        fail(f"Odoo {version} found at {odoo_file}; this addon needs 18.0 ({README_HINT}).")
    root = Path(odoo_file).resolve().parent.parent
    if not (root / "odoo-bin").exists():
        fail(f"odoo-bin not found beside {odoo_file} ({README_HINT}).")
    return root


# ----------------------------------------------------------------------
# Bootstrap: a fresh machine with Python 3.11+ and nothing else
# ----------------------------------------------------------------------
ODOO_GIT = "https://github.com/odoo/odoo"
ODOO_SRC = os.environ.get("SLT_ODOO_SRC", ODOO_GIT)
VENV = Path(os.environ.get("SLT_VENV", CACHE / "venv"))
# Odoo 18.0's pinned requirements build (python-ldap, psycopg2...) only with setuptools<81 in
# pip's isolated build environment
BUILD_CONSTRAINT = "setuptools<81\n"
DEBIAN_PACKAGES = [
    "postgresql",
    "libldap2-dev",
    "libsasl2-dev",
    "libpq-dev",
    "build-essential",
    "python3-dev",
    "python3-venv",
    "wkhtmltopdf",  # Odoo's own QWeb PDFs (delivery slips...)
    "poppler-utils",  # pdftotext: Odoo's report tests read the PDFs they print
]


class BootstrapSteps:
    """Numbered steps with elapsed time; a failing step names itself and its log file."""

    def __init__(self, total):
        self.total = total
        self.number = 0
        self.started = time.monotonic()
        self.logs = CACHE / "bootstrap-logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    def elapsed(self):
        return f"{time.monotonic() - self.started:.0f} s"

    @contextlib.contextmanager
    def step(self, title):
        self.number += 1
        slug = re.sub(r"\W+", "-", title.lower()).strip("-")[:40]
        log_path = self.logs / f"{self.number:02d}-{slug}.log"
        say(f"step {self.number}/{self.total}: {title} (elapsed {self.elapsed()})")
        step_started = time.monotonic()
        with log_path.open("w") as log:
            self.log, self.log_path, self.title = log, log_path, title
            yield self
        say(f"step {self.number}/{self.total} done in {time.monotonic() - step_started:.0f} s")

    def run(self, command, env=None, cwd=None):
        """Run a command of the current step, its output in the step's log."""
        self.log.write(f"$ {' '.join(map(str, command))}\n")
        self.log.flush()
        try:
            result = subprocess.run(
                [str(part) for part in command],
                stdout=self.log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=cwd,
            )
            code = result.returncode
        except OSError as error:
            self.log.write(f"{error}\n")
            code = error.errno or 1
        if code:
            self.log.flush()
            tail = self.log_path.read_text(errors="replace").splitlines()[-15:]
            print("\n".join(f"    {line}" for line in tail), file=sys.stderr)
            fail(
                f"step {self.number}/{self.total} ({self.title}) failed after "
                f"{self.elapsed()}: {' '.join(map(str, command[:4]))}... exited with {code}; "
                f"log: {self.log_path}"
            )


def odoo_src_is_git():
    return not Path(ODOO_SRC).expanduser().is_dir()


def missing_debian_packages():
    """The Debian packages the bootstrap needs that are not installed (None: not Debian)."""
    if not shutil.which("dpkg-query"):
        return None
    wanted = list(DEBIAN_PACKAGES)
    if not any(shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")):
        os_release = Path("/etc/os-release")
        ubuntu = os_release.exists() and "ID=ubuntu" in os_release.read_text()
        wanted.append("chromium-browser" if ubuntu else "chromium")
    if odoo_src_is_git():
        wanted.append("git")
    installed = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Package} ${db:Status-Status}\n", *wanted],
        capture_output=True,
        text=True,
    ).stdout
    present = {line.split()[0] for line in installed.splitlines() if line.endswith(" installed")}
    return [package for package in wanted if package not in present]


def pip_install(steps, python, *args):
    """pip install with the setuptools<81 build constraint, for any pip version.

    pip before 25.3 applies PIP_CONSTRAINT to its isolated build environments too; from 25.3
    on, build constraints have their own option, --build-constraint.
    """
    constraint = CACHE / "build-constraints.txt"
    constraint.write_text(BUILD_CONSTRAINT)
    version = subprocess.run(
        [str(python), "-c", "import pip; print(pip.__version__)"], capture_output=True, text=True
    ).stdout.strip()
    major_minor = tuple(int(part) for part in re.findall(r"\d+", version)[:2])
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    command = [python, "-m", "pip", "install", *args]
    if major_minor >= (25, 3):
        command.insert(4, f"--build-constraint={constraint}")
    else:
        env["PIP_CONSTRAINT"] = str(constraint)
    steps.run(command, env=env)


def venv_stamp(source):
    """What the virtual environment was made from: redone when one of these changes."""
    requirements = (source / "requirements.txt").read_bytes() + (
        REPO / "requirements.txt"
    ).read_bytes()
    return json.dumps({"odoo": str(source), "requirements": hashlib.sha1(requirements).hexdigest()})


def odoo_source_folder(steps):
    """The Odoo 18.0 source: SLT_ODOO_SRC itself if a folder, else a shallow clone of it."""
    local = Path(ODOO_SRC).expanduser()
    if local.is_dir():
        source = local.resolve()
        steps.log.write(f"using the Odoo source folder {source} as it is\n")
    elif ODOO_SRC.startswith(("/", ".", "~")):
        fail(f"SLT_ODOO_SRC={ODOO_SRC}: no such folder (a local Odoo 18.0 source or a git URL)")
    else:
        source = CACHE / "odoo-18.0"
        if not (source / "odoo-bin").exists():
            shutil.rmtree(source, ignore_errors=True)
            steps.run(["git", "clone", "--depth", "1", "--branch", "18.0", ODOO_SRC, source])
        else:
            steps.log.write(f"reusing the clone {source}\n")
    release = source / "odoo" / "release.py"
    if not (source / "odoo-bin").exists() or not release.exists():
        fail(f"{source} is not an Odoo source folder (no odoo-bin); set SLT_ODOO_SRC")
    if not re.search(r"^version_info = \(18, 0,", release.read_text(), re.M):
        fail(f"{source} is not Odoo 18.0 (see {release}); set SLT_ODOO_SRC")
    return source


def bootstrap():
    """Make an environment where Odoo 18.0 imports, then run this command again in it."""
    python = VENV / "bin" / "python"
    stamp_file = VENV / "slt-bootstrap.json"
    local = Path(ODOO_SRC).expanduser()
    source = local.resolve() if local.is_dir() else CACHE / "odoo-18.0"
    if python.exists() and stamp_file.exists() and (source / "requirements.txt").exists():
        if stamp_file.read_text() == venv_stamp(source):
            reexec(python)
    say(
        f"Odoo is not importable by {sys.executable}: preparing {VENV} "
        f"with Odoo 18.0 from {ODOO_SRC} (once; logs in {CACHE / 'bootstrap-logs'})"
    )
    steps = BootstrapSteps(6)
    with steps.step("Debian packages"):
        missing = missing_debian_packages()
        if missing is None:
            say(f"  not a Debian/Ubuntu system: install these yourself: {DEBIAN_PACKAGES}")
        elif missing and os.geteuid() != 0:
            say("  some Debian packages are missing; run this, then the same command again:")
            print(f"\n    sudo apt-get install -y {' '.join(missing)}\n", flush=True)
            sys.exit(2)
        elif missing:
            say(f"  installing {' '.join(missing)}")
            apt_env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            steps.run(["apt-get", "update", "-q"], env=apt_env)
            steps.run(
                ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing],
                env=apt_env,
            )
    with steps.step(f"virtual environment {VENV}"):
        if not python.exists():
            steps.run([sys.executable, "-m", "venv", VENV])
    with steps.step("Odoo 18.0 source"):
        source = odoo_source_folder(steps)
        say(f"  {source}")
    with steps.step("Odoo's Python requirements (pip builds, a few minutes)"):
        pip_install(steps, python, "-r", source / "requirements.txt")
    with steps.step("Odoo itself on the environment's path"):
        # a .pth line rather than `pip install -e`, which would write into the source folder
        site = subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        (Path(site) / "odoo-18.0-source.pth").write_text(f"{source}\n")
        steps.run([python, "-c", "import odoo.release; print(odoo.release.version)"], cwd="/")
    with steps.step("the addon's Python requirements"):
        pip_install(steps, python, "-r", REPO / "requirements.txt")
    stamp_file.write_text(venv_stamp(source))
    say(f"environment ready in {steps.elapsed()}")
    reexec(python)


def reexec(python):
    say(f"using {python}")
    os.environ["SLT_BOOTSTRAPPED"] = "1"
    os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])


def ensure_python_requirements():
    missing = []
    for module, package in [
        ("reportlab", "reportlab"),
        ("xlsxwriter", "xlsxwriter"),
        ("pytest_odoo", "pytest-odoo"),
        ("websocket", "websocket-client"),
        ("openpyxl", "openpyxl"),
        ("pypdf", "pypdf"),
        ("hypothesis", "hypothesis"),
    ]:
        try:
            __import__(module)
        except ImportError:
            missing.append(package)
    if missing:
        say(f"installing Python requirements ({', '.join(missing)})")
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "-r", str(REPO / "requirements.txt")],
            check=True,
        )


def pg_env():
    env = dict(
        os.environ,
        PGHOST=DB_HOST,
        PGPORT=DB_PORT,
        PGUSER=DB_USER,
        PGPASSWORD=DB_PASSWORD,
        PGDATABASE="postgres",
    )
    return env


def psql(sql, database="postgres", check=True):
    result = subprocess.run(
        ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql],
        env=pg_env(),
        capture_output=True,
        text=True,
    )
    if check and result.returncode:
        fail(f"psql failed: {result.stderr.strip()}")
    return result.stdout.strip()


def as_postgres(args):
    """Run a command as the postgres system user (cluster administration only)."""
    if os.geteuid() == 0:
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", *args], capture_output=True, text=True
        )
    return subprocess.run(["sudo", "-n", "-u", "postgres", *args], capture_output=True, text=True)


def ensure_postgres():
    """Start Debian's PostgreSQL cluster if needed and make sure our role exists."""
    if not shutil.which("pg_lsclusters"):
        if os.geteuid() == 0 and shutil.which("apt-get"):
            say("installing PostgreSQL from Debian's packages")
            subprocess.run(["apt-get", "update", "-qq"], check=True)
            subprocess.run(
                ["apt-get", "install", "-y", "-qq", "postgresql"],
                check=True,
                env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
            )
        else:
            fail(f"PostgreSQL is not installed ({README_HINT}).")
    clusters = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout
    rows = [line.split() for line in clusters.splitlines() if line.strip()]
    if not rows:
        fail(f"no PostgreSQL cluster found by pg_lsclusters ({README_HINT}).")
    for version, cluster, _port, status, *_rest in rows:
        if status != "online":
            say(f"starting PostgreSQL {version}/{cluster}")
            started = subprocess.run(
                ["pg_ctlcluster", version, cluster, "start"], capture_output=True, text=True
            )
            if started.returncode:
                fail(f"could not start PostgreSQL {version}/{cluster}: {started.stderr.strip()}")
    for _attempt in range(30):
        if subprocess.run(["pg_isready", "-q", "-h", DB_HOST, "-p", DB_PORT]).returncode == 0:
            break
        time.sleep(1)
    else:
        fail(f"PostgreSQL does not answer on {DB_HOST}:{DB_PORT}.")
    probe = subprocess.run(
        ["psql", "-X", "-t", "-c", "SELECT 1"], env=pg_env(), capture_output=True, text=True
    )
    if probe.returncode:
        say(f"creating PostgreSQL role {DB_USER}")
        created = as_postgres(
            [
                "psql",
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                f"CREATE ROLE {DB_USER} LOGIN CREATEDB PASSWORD '{DB_PASSWORD}'",
            ]
        )
        if created.returncode and "already exists" not in created.stderr:
            fail(
                f"could not create role {DB_USER}: {created.stderr.strip()}; as root run: "
                f'runuser -u postgres -- psql -c "CREATE ROLE {DB_USER} LOGIN CREATEDB '
                f"PASSWORD '{DB_PASSWORD}'\""
            )


# ----------------------------------------------------------------------
# Odoo configuration, databases and filestores
# ----------------------------------------------------------------------
def addons_dir():
    """A folder where the working tree appears as `stock_lot_traceability`, whatever its name."""
    key = hashlib.sha1(str(REPO).encode()).hexdigest()[:10]
    folder = CACHE / f"addons-{key}"
    link = folder / ADDON
    folder.mkdir(parents=True, exist_ok=True)
    if not (link.is_symlink() and link.resolve() == REPO):
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(REPO, target_is_directory=True)
    return folder


def write_config(root):
    data_dir = CACHE / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    config = CACHE / f"odoo-{hashlib.sha1(str(REPO).encode()).hexdigest()[:10]}.conf"
    config.write_text(
        "[options]\n"
        f"db_host = {DB_HOST}\n"
        f"db_port = {DB_PORT}\n"
        f"db_user = {DB_USER}\n"
        f"db_password = {DB_PASSWORD}\n"
        f"addons_path = {root / 'addons'},{addons_dir()}\n"
        f"data_dir = {data_dir}\n"
        "admin_passwd = admin\n"
        "list_db = False\n"
        "max_cron_threads = 1\n"
        f"http_port = {HTTP_PORT}\n"
    )
    return config


def filestore(db_name):
    return CACHE / "data" / "filestore" / db_name


def db_exists(name):
    return psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def drop_db(name):
    if db_exists(name):
        psql(f'DROP DATABASE "{name}" WITH (FORCE)')
    shutil.rmtree(filestore(name), ignore_errors=True)


def copy_db(template, name):
    drop_db(name)
    subprocess.run(["createdb", "-T", template, name], env=pg_env(), check=True)
    if filestore(template).exists():
        shutil.copytree(filestore(template), filestore(name))


def manifest():
    return ast.literal_eval((REPO / "__manifest__.py").read_text())


def odoo_bin(root, config, *args, check=True, log=None, subcommand=None, stdin=None):
    """Run odoo-bin; ``subcommand`` (shell...) goes before the options, ``stdin`` is its input."""
    command = [sys.executable, str(root / "odoo-bin")]
    command += [subcommand] if subcommand else []
    command += ["-c", str(config), *args]
    result = subprocess.run(
        command,
        stdout=log,
        stderr=subprocess.STDOUT if log else None,
        input=stdin,
        text=stdin is not None,
    )
    if check and result.returncode:
        fail(f"odoo-bin {subcommand or ''} {' '.join(args)} exited with {result.returncode}")
    return result


def template_db(root, config):
    """A database with the addon's dependencies and Odoo's demo data, built once.

    Its name carries a hash of the Odoo source revision and of the dependency list, so
    it is rebuilt only when one of them changes.
    """
    depends = sorted(manifest()["depends"])
    odoo_stamp = (root / "odoo" / "release.py").stat().st_mtime_ns
    key = hashlib.sha1(json.dumps([depends, odoo_stamp]).encode()).hexdigest()[:10]
    name = f"{TEMPLATE_PREFIX}_{key}"
    if db_exists(name):
        return name
    building = f"{name}_building"
    drop_db(building)
    say(f"building template database {name} (about a minute, once)")
    subprocess.run(["createdb", building], env=pg_env(), check=True)
    odoo_bin(
        root,
        config,
        "-d",
        building,
        "-i",
        ",".join(depends),
        "--stop-after-init",
        "--log-level=warn",
    )
    psql(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    if filestore(building).exists():
        shutil.move(str(filestore(building)), str(filestore(name)))
    return name


def install_addon(root, config, db_name, log_level="warn"):
    odoo_bin(
        root, config, "-d", db_name, "-i", ADDON, "--stop-after-init", f"--log-level={log_level}"
    )


# ----------------------------------------------------------------------
# Commands
# ----------------------------------------------------------------------
def prepare():
    root = odoo_root()
    ensure_python_requirements()
    ensure_postgres()
    return root, write_config(root)


def cmd_demo(args):
    root, config = prepare()
    if db_exists(DEMO_DB):
        say(f"reusing database {DEMO_DB}; updating the addon")
        odoo_bin(root, config, "-d", DEMO_DB, "-u", ADDON, "--stop-after-init", "--log-level=warn")
    else:
        copy_db(template_db(root, config), DEMO_DB)
        say(f"installing {ADDON} with its demo data in {DEMO_DB}")
        install_addon(root, config, DEMO_DB)
    say(f"Odoo is serving {DEMO_DB} on http://127.0.0.1:{args.port} (login admin / admin)")
    os.execv(
        sys.executable,
        [
            sys.executable,
            str(root / "odoo-bin"),
            "-c",
            str(config),
            "-d",
            DEMO_DB,
            "--db-filter",
            f"^{DEMO_DB}$",
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            str(args.port),
        ],
    )


def browser_prerequisites():
    """Odoo skips browser tests silently without these; refuse to run instead."""
    found = [
        name for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)
    ]
    if not found:
        if os.geteuid() == 0 and shutil.which("apt-get"):
            say("installing Debian's chromium for the browser tests")
            subprocess.run(
                ["apt-get", "install", "-y", "-qq", "chromium"],
                check=True,
                env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"),
            )
        else:
            fail(f"chromium is needed by the browser tests and is not on PATH ({README_HINT}).")
    try:
        import websocket  # noqa: F401
    except ImportError:
        fail(f"websocket-client is needed by the browser tests ({README_HINT}).")


def run_pytest(root, config, db_name, paths, junit, extra=()):
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        f"--odoo-config={config}",
        f"--odoo-database={db_name}",
        "--odoo-http",
        f"--junitxml={junit}",
        "-rfEs",
        *extra,
        *map(str, paths),
    ]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(command, cwd=str(addons_dir()), env=env).returncode


def junit_outcomes(junit, id_of=lambda classname, name: f"{classname}.{name}"):
    outcomes = {"passed": [], "failed": [], "skipped": []}
    if not Path(junit).exists():
        return outcomes
    for case in ET.parse(junit).getroot().iter("testcase"):
        test_id = id_of(case.get("classname"), case.get("name"))
        if case.find("failure") is not None or case.find("error") is not None:
            outcomes["failed"].append(test_id)
        elif case.find("skipped") is not None:
            outcomes["skipped"].append(test_id)
        else:
            outcomes["passed"].append(test_id)
    return outcomes


@contextlib.contextmanager
def scratch_db(root, config, prefix):
    name = f"{prefix}_{os.getpid()}"
    copy_db(template_db(root, config), name)
    try:
        yield name
    finally:
        drop_db(name)


def test_id(classname, name):
    """``module.Class.method`` of a test, whatever prefix the runner put on its module."""
    return f"{classname.rpartition('.tests.')[2] or classname}.{name}"


def unimported_test_modules():
    """Test files of tests/ that tests/__init__.py does not import: odoo-bin never runs them."""
    tests = REPO / "tests"
    imported = set()
    for node in ast.walk(ast.parse((tests / "__init__.py").read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                imported.add(node.module.split(".")[0])
            else:
                imported.update(alias.name for alias in node.names)
    return sorted(path.stem for path in tests.glob("test_*.py") if path.stem not in imported)


# what odoo-bin --test-enable logs at --log-level=info (odoo/tests/result.py): one
# "Starting Class.method ..." per test run, "skipped Class.method : reason", "FAIL: " /
# "ERROR: " per failure, and a last line "N failed, M error(s) of K tests when loading ..."
ODOO_LOG_TEST = re.compile(
    rf" odoo\.addons\.{ADDON}\.tests\.(?P<module>\w+): "
    r"(?:(?P<kind>Starting|skipped|FAIL:|ERROR:) (?P<cls>\w+)\.(?P<method>\w+))"
)
ODOO_LOG_TOTAL = re.compile(
    r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests "
    r"when loading database"
)


def odoo_bin_outcomes(log_text):
    """Tests started, skipped and failed, and the totals, read from an odoo-bin log."""
    outcomes = {"run": set(), "skipped": set(), "failed": set(), "total": None}
    kinds = {"Starting": "run", "skipped": "skipped", "FAIL:": "failed", "ERROR:": "failed"}
    for line in log_text.splitlines():
        match = ODOO_LOG_TEST.search(line)
        if match:
            key = f"{match['module']}.{match['cls']}.{match['method']}"
            outcomes[kinds[match["kind"]]].add(key)
            continue
        total = ODOO_LOG_TOTAL.search(line)
        if total:
            outcomes["total"] = {name: int(value) for name, value in total.groupdict().items()}
    return outcomes


def run_odoo_bin_tests(root, config, http_port):
    """Install the addon and run its tests with odoo-bin, as Odoo's own CI would.

    Returns (exit code, outcomes, log path). Retries are off so that each test runs once.
    """
    log_path = CACHE / f"odoo-bin-tests-{os.getpid()}.log"
    with scratch_db(root, config, "slt_odoo_bin") as db_name, log_path.open("w") as log:
        say(f"running the tests with odoo-bin --test-enable in {db_name}, log {log_path}")
        command = [
            sys.executable,
            str(root / "odoo-bin"),
            "-c",
            str(config),
            "-d",
            db_name,
            "-i",
            ADDON,
            "--test-enable",
            "--test-tags",
            f"/{ADDON}",
            "--stop-after-init",
            "--http-port",
            http_port,
            "--log-level=info",
        ]
        env = dict(os.environ, ODOO_TEST_FAILURE_RETRIES="0", PYTHONDONTWRITEBYTECODE="1")
        code = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=env).returncode
    return code, odoo_bin_outcomes(log_path.read_text(errors="replace")), log_path


def count_differences(pytest_ids, odoo_ids):
    """Lines naming the test classes (and methods) that one runner ran and the other did not."""
    lines = []
    classes = sorted({tid.rpartition(".")[0] for tid in pytest_ids | odoo_ids})
    for cls in classes:
        by_pytest = {tid for tid in pytest_ids if tid.rpartition(".")[0] == cls}
        by_odoo = {tid for tid in odoo_ids if tid.rpartition(".")[0] == cls}
        if by_pytest == by_odoo:
            continue
        line = f"  {cls}: {len(by_pytest)} by pytest-odoo, {len(by_odoo)} by odoo-bin"
        if not by_odoo:
            line += " (odoo-bin runs test_* methods defined in a class tagged for the addon)"
        lines.append(line)
        if by_pytest and by_odoo:
            lines += [
                f"    only pytest-odoo: {tid.rpartition('.')[2]}"
                for tid in sorted(by_pytest - by_odoo)
            ]
            lines += [
                f"    only odoo-bin: {tid.rpartition('.')[2]}"
                for tid in sorted(by_odoo - by_pytest)
            ]
    return lines


def report(problems):
    for problem in problems:
        print(f"{ADDON}: {problem}", file=sys.stderr, flush=True)


def check_odoo_bin_run(pytest_ids, code, outcomes, log_path):
    """Problems of the odoo-bin run: failures, skips, and a count that differs from pytest's."""
    problems = []
    total = outcomes["total"]
    if code or not total or total["failed"] or total["errors"] or outcomes["failed"]:
        problems.append(
            f"odoo-bin --test-enable failed (exit code {code}"
            + (f", {total['failed']} failed, {total['errors']} error(s)" if total else "")
            + f"); log: {log_path}"
        )
        problems += [f"  failed under odoo-bin: {tid}" for tid in sorted(outcomes["failed"])]
    if outcomes["skipped"]:
        problems.append(f"{len(outcomes['skipped'])} test(s) skipped under odoo-bin:")
        problems += [f"  skipped: {tid}" for tid in sorted(outcomes["skipped"])]
    if total and total["run"] != len(outcomes["run"]):
        problems.append(
            f"odoo-bin reports {total['run']} tests but its log names {len(outcomes['run'])}: "
            f"the count cannot be trusted; log: {log_path}"
        )
    differences = count_differences(pytest_ids, outcomes["run"])
    if differences:
        problems.append(
            f"pytest-odoo ran {len(pytest_ids)} tests, odoo-bin --test-enable "
            f"{len(outcomes['run'])}; they differ in:"
        )
        problems += differences
    return problems


def cmd_test(args):
    root, config = prepare()
    browser_prerequisites()
    # the whole suite runs twice: pytest-odoo and odoo-bin (what Odoo's CI runs), and
    # both must run the same tests
    both_runners = not (args.paths or args.pytest_args or args.pytest_only)
    problems = []
    if both_runners:
        problems += [
            f"tests/{name}.py is not imported in tests/__init__.py: odoo-bin would not run it"
            for name in unimported_test_modules()
        ]
        if problems:
            report(problems)
            sys.exit(1)
    junit = CACHE / f"junit-addon-{os.getpid()}.xml"  # one per run: suites may run at once
    started = time.monotonic()
    odoo_bin_run = None
    if both_runners:
        template_db(root, config)  # built here, once, not by both runners at a time
        # odoo-bin runs beside pytest-odoo, in its own database and on the next HTTP port:
        # each runner is mostly one Python process and one PostgreSQL backend, so two
        # cores run both in little more than the time of one
        odoo_bin_run = concurrent.futures.ThreadPoolExecutor(max_workers=1).submit(
            run_odoo_bin_tests, root, config, str(int(HTTP_PORT) + 1)
        )
    with scratch_db(root, config, "slt_test") as db_name:
        say(f"installing {ADDON} from {REPO} in {db_name}")
        install_addon(root, config, db_name)
        paths = [addons_dir() / ADDON / "tests"] if not args.paths else args.paths
        code = run_pytest(root, config, db_name, paths, junit, args.pytest_args)
    outcomes = junit_outcomes(junit, id_of=test_id)
    junit.unlink(missing_ok=True)
    pytest_ids = set().union(*outcomes.values())
    say(f"pytest-odoo: {len(pytest_ids)} tests in {time.monotonic() - started:.0f} s")
    if outcomes["skipped"]:
        problems.append(
            f"{len(outcomes['skipped'])} test(s) were skipped; a skip hides a "
            "missing prerequisite here, so the run fails:"
        )
        problems += [f"  skipped: {tid}" for tid in outcomes["skipped"]]
    if code == 0 and not outcomes["passed"]:
        problems.append("no test ran")
    if code:
        problems.append(f"pytest-odoo failed (exit code {code})")
    if odoo_bin_run:
        odoo_code, odoo_outcomes, log_path = odoo_bin_run.result()
        say(f"odoo-bin: {len(odoo_outcomes['run'])} tests in {time.monotonic() - started:.0f} s")
        odoo_problems = check_odoo_bin_run(pytest_ids, odoo_code, odoo_outcomes, log_path)
        if not odoo_problems:
            log_path.unlink(missing_ok=True)
            say(f"pytest-odoo and odoo-bin ran the same {len(pytest_ids)} tests")
        problems += odoo_problems
    report(problems)
    sys.exit(1 if problems else 0)


def cmd_test_core(args):
    """Run Odoo's own suites with the addon installed and compare with the known failures."""
    root, config = prepare()
    browser_prerequisites()
    junit = CACHE / f"junit-core-{os.getpid()}.xml"
    with scratch_db(root, config, "slt_core") as db_name:
        if not args.without_addon:
            install_addon(root, config, db_name)
        paths = [root / "addons" / suite / "tests" for suite in args.suites or CORE_SUITES]
        run_pytest(root, config, db_name, paths, junit, ["-q", *args.pytest_args])
    outcomes = junit_outcomes(junit)
    known = set()
    baseline = REPO / "tools" / "core_known_failures.txt"
    if baseline.exists():
        known = {
            line.strip()
            for line in baseline.read_text().splitlines()
            if line.strip() and not line.startswith("#")
        }
    failed = set(outcomes["failed"])
    new = sorted(failed - known)
    say(
        f"core suites: {len(outcomes['passed'])} passed, {len(failed)} failed "
        f"({len(failed & known)} known without the addon), {len(outcomes['skipped'])} skipped"
    )
    if args.write_baseline:
        baseline.write_text(
            "# Odoo 18.0 tests that fail in a database with stock, mrp,\n"
            "# product_expiry, sale_stock and purchase_stock, WITHOUT this addon\n"
            + "".join(f"{test_id}\n" for test_id in sorted(failed))
        )
        say(f"wrote {baseline}")
        return
    for test_id in new:
        print(f"  new failure: {test_id}")
    sys.exit(1 if new else 0)


def cmd_shell(_args):
    root, config = prepare()
    os.execv(
        sys.executable,
        [sys.executable, str(root / "odoo-bin"), "shell", "-c", str(config), "-d", DEMO_DB],
    )


def cmd_config(_args):
    """Print the Odoo configuration file the harness uses (for tools/ scripts)."""
    _root, config = prepare()
    print(config)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="serve the demo database on 127.0.0.1")
    demo.add_argument("--port", type=int, default=8069)
    demo.set_defaults(func=cmd_demo)
    test = sub.add_parser("test", help="run the addon's tests on a fresh database")
    test.add_argument("paths", nargs="*", help="test files (default: the whole tests folder)")
    test.add_argument(
        "--pytest-only",
        action="store_true",
        help="skip the second run with odoo-bin --test-enable and the count check",
    )
    test.add_argument("--pytest-args", nargs=argparse.REMAINDER, default=[])
    test.set_defaults(func=cmd_test)
    core = sub.add_parser("test-core", help="run Odoo's own suites with the addon installed")
    core.add_argument("--suites", nargs="*", help=f"default: {' '.join(CORE_SUITES)}")
    core.add_argument(
        "--without-addon",
        action="store_true",
        help="measure the baseline: the same run without the addon",
    )
    core.add_argument(
        "--write-baseline",
        action="store_true",
        help="store the failures of this run as the known ones",
    )
    core.add_argument("--pytest-args", nargs=argparse.REMAINDER, default=[])
    core.set_defaults(func=cmd_test_core)
    sub.add_parser("shell", help="Odoo shell on the demo database").set_defaults(func=cmd_shell)
    sub.add_parser("config", help="print the Odoo config path").set_defaults(func=cmd_config)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
