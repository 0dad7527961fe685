"""What make test-uninstall and make test-upgrade share: timed steps, SQL, the log's errors.

Both build on tools/dev.py (Odoo, configuration, template database, copies of it).
"""

import contextlib
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import dev

# A command-line tool: it reports on its standard output.
# pylint: disable=print-used

# an Odoo log line: "2026-12-05 22:00:00,123 4242 ERROR db logger: message"
LOG_LEVEL = re.compile(r"^\d{4}-\d\d-\d\d [\d:,]+ \d+ (?P<level>[A-Z]+) ")


class Steps:
    """Numbered, timed steps; ``durations`` keeps each step's seconds for the summary."""

    def __init__(self, tag):
        self.tag = tag
        self.durations = []
        self.started = time.monotonic()

    def say(self, message):
        print(f"[{self.tag}] {message}", flush=True)

    @contextlib.contextmanager
    def step(self, title):
        self.say(f"{title} ...")
        started = time.monotonic()
        yield
        seconds = time.monotonic() - started
        self.durations.append((title, seconds))
        self.say(f"{title}: {seconds:.1f} s")

    def summary(self):
        total = time.monotonic() - self.started
        lines = [f"  {seconds:6.1f} s  {title}" for title, seconds in self.durations]
        return "\n".join([*lines, f"  {total:6.1f} s  total"])


def rows(db_name, query):
    """The rows of a query as tuples of strings (psql's unaligned output, one row a line)."""
    text = dev.psql(query.replace("\n", " "), database=db_name)
    return [tuple(line.split("|")) for line in text.splitlines() if line]


def value(db_name, query):
    return dev.psql(query.replace("\n", " "), database=db_name)


def log_errors(log_path):
    """The ERROR and CRITICAL lines of an Odoo log, each with the lines that follow it
    (a traceback, the failing SQL) up to the next log line."""
    errors = []
    current = None
    for line in Path(log_path).read_text(errors="replace").splitlines():
        match = LOG_LEVEL.match(line)
        if match:
            current = [line] if match["level"] in ("ERROR", "CRITICAL") else None
            if current:
                errors.append(current)
        elif current is not None and len(current) < 12:
            current.append(line)
    return ["\n".join(block) for block in errors]


def log_count(log_path, level):
    text = Path(log_path).read_text(errors="replace")
    return sum(1 for line in text.splitlines() if (m := LOG_LEVEL.match(line)) and m[1] == level)


def conclude(steps, log_path, what, problems, passed, logs=()):
    """The end of a check: the log's error and warning counts and the durations, then
    each problem and exit 1, or the PASS line after removing the logs (``log_path`` and
    ``logs``) that only a failure needs."""
    steps.say(
        f"{what} log: {len(log_errors(log_path))} ERROR/CRITICAL, "
        f"{log_count(log_path, 'WARNING')} WARNING"
    )
    steps.say("durations:\n" + steps.summary())
    if problems:
        for problem in problems:
            print(f"FAIL {problem}", flush=True)
        sys.exit(1)
    for path in (log_path, *logs):
        Path(path).unlink(missing_ok=True)
    steps.say(f"PASS: {passed}")
