#!/usr/bin/env python3
"""Screenshots of the addon for the README, taken in headless chromium on the demo data.

    python3 tools/screenshots.py                      # every screenshot
    python3 tools/screenshots.py genealogy_graph      # only those named
    python3 tools/screenshots.py --url http://127.0.0.1:8069 --db lot_trace_demo
                                                      # on a server already running

Without ``--url``, a database ``slt_screenshots`` is built from the test template with the
addon and its demo data (tools/dev.py), served on ``SLT_HTTP_PORT`` for the time of the
shots, then stopped. Each shot logs in as admin, opens a page, clicks and waits as its steps
say (Chrome DevTools protocol, as Odoo's own browser tests do), and saves a PNG under
``static/description/``. To add a screenshot, append a ``Shot`` to ``SHOTS``.
"""

# A command-line tool: it reports on its standard output.
# pylint: disable=print-used

import argparse
import base64
import importlib.util
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
REPO = TOOLS.parent
SCREENSHOT_DB = "slt_screenshots"


@dataclass
class Shot:
    """One screenshot: ``url(odoo)`` gives the page to open (``odoo`` is the RPC client);
    ``steps`` are ``("click", css)`` or ``("wait", css)``, run in order before the shot."""

    name: str
    url: object
    steps: list = field(default_factory=list)
    size: tuple = (1440, 810)

    @property
    def path(self):
        return REPO / "static" / "description" / f"{self.name}.png"


def _lot_form(lot_name):
    def url(odoo):
        (lot_id,) = odoo.search("stock.lot", [("name", "=", lot_name)])
        return f"/odoo/action-stock.action_production_lot_form/{lot_id}"

    return url


def _closed_recall(odoo):
    (recall_id,) = odoo.search("stock.recall", [("state", "=", "closed"), ("is_drill", "=", False)])
    return f"/odoo/action-stock_lot_traceability.stock_recall_action/{recall_id}"


SHOTS = [
    Shot("lot_form", _lot_form("BSC-1002"), steps=[("wait", ".o_form_view")]),
    Shot("recall_form", _closed_recall, steps=[("wait", ".o_form_view")]),
    Shot(
        "genealogy_graph",
        _lot_form("PMX-0002"),
        steps=[
            ("click", "button[name='action_open_genealogy_graph']"),
            ("wait", ".o_genealogy_customer"),
        ],
    ),
]


class Odoo:
    """A logged-in JSON-RPC session on an Odoo server."""

    def __init__(self, url, db, login, password):
        self.url = url.rstrip("/")
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self._ids = itertools.count(1)
        self.call("/web/session/authenticate", {"db": db, "login": login, "password": password})

    def call(self, path, params):
        body = json.dumps(
            {"jsonrpc": "2.0", "method": "call", "id": next(self._ids), "params": params}
        )
        request = urllib.request.Request(
            self.url + path, body.encode(), {"Content-Type": "application/json"}
        )
        with self.opener.open(request, timeout=60) as response:
            reply = json.load(response)
        if reply.get("error"):
            raise RuntimeError(reply["error"].get("data", {}).get("message") or reply["error"])
        return reply["result"]

    def search(self, model, domain):
        return self.call(
            "/web/dataset/call_kw",
            {"model": model, "method": "search", "args": [domain], "kwargs": {}},
        )

    @property
    def session_id(self):
        return next(cookie.value for cookie in self.cookies if cookie.name == "session_id")


class Chromium:
    """Headless chromium driven over the DevTools protocol (websocket-client, an Odoo
    dependency)."""

    def __init__(self, binary):
        import websocket  # only needed here: an Odoo dependency, not of dev.py

        self.profile = tempfile.mkdtemp(prefix="slt_chromium_")
        self.process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = Path(self.profile) / "DevToolsActivePort"
        for _attempt in range(100):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            page = next(target for target in json.load(response) if target["type"] == "page")
        self.socket = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self._ids = itertools.count(1)

    def send(self, method, **params):
        message_id = next(self._ids)
        self.socket.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == message_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def wait_for(self, selector, timeout=60):
        deadline = time.monotonic() + timeout
        while not self.evaluate(f"!!document.querySelector({json.dumps(selector)})"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{selector} never appeared")
            time.sleep(0.25)

    def click(self, selector):
        self.wait_for(selector)
        self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")

    def shoot(self, odoo, shot):
        width, height = shot.size
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.send("Network.enable")
        self.send("Network.setCookie", name="session_id", value=odoo.session_id, url=odoo.url + "/")
        self.send("Page.navigate", url=odoo.url + shot.url(odoo))
        self.wait_for(".o_action_manager .o_action")
        for action, selector in shot.steps:
            (self.click if action == "click" else self.wait_for)(selector)
        time.sleep(1.0)  # let the last render and transitions settle
        data = self.send("Page.captureScreenshot", format="png")["data"]
        shot.path.write_bytes(base64.b64decode(data))
        print(f"saved {shot.path.relative_to(REPO)}")

    def close(self):
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def _dev():
    """tools/dev.py as a module: the same Odoo, configuration and template database."""
    spec = importlib.util.spec_from_file_location("slt_dev", TOOLS / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _serve_screenshot_db():
    """Build ``slt_screenshots`` (template + addon + demo data) and serve it; returns
    the server's process and URL."""
    dev = _dev()
    root, config = dev.prepare()
    dev.copy_db(dev.template_db(root, config), SCREENSHOT_DB)
    dev.say(f"installing {dev.ADDON} with its demo data in {SCREENSHOT_DB}")
    dev.install_addon(root, config, SCREENSHOT_DB)
    url = f"http://127.0.0.1:{dev.HTTP_PORT}"
    server = subprocess.Popen(
        [
            sys.executable,
            str(root / "odoo-bin"),
            "-c",
            str(config),
            "-d",
            SCREENSHOT_DB,
            "--db-filter",
            f"^{SCREENSHOT_DB}$",
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            dev.HTTP_PORT,
            "--max-cron-threads=0",
            "--log-level=warn",
        ]
    )
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(url + "/web/login", timeout=5).close()
            return server, url
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.terminate()
                raise RuntimeError(f"Odoo did not answer on {url}") from None
            time.sleep(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="screenshots to take (default: all)")
    parser.add_argument("--url", help="a running server (default: build and serve one)")
    parser.add_argument("--db", default=SCREENSHOT_DB)
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args()
    unknown = set(args.names) - {shot.name for shot in SHOTS}
    if unknown:
        parser.error(f"unknown screenshots: {', '.join(sorted(unknown))}")
    shots = [shot for shot in SHOTS if not args.names or shot.name in args.names]

    server, url = (None, args.url) if args.url else _serve_screenshot_db()
    try:
        odoo = Odoo(url, args.db, args.login, args.password)
        browser = Chromium(args.chromium)
        try:
            for shot in shots:
                browser.shoot(odoo, shot)
        finally:
            browser.close()
    finally:
        if server:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
