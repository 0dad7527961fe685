#!/usr/bin/env python3
"""README.md and static/description/index.html, rendered from readme/*.md and the manifest.

OCA's layout: the addon's documentation is written in fragments under `readme/`
(DESCRIPTION, INSTALL, CONFIGURE, USAGE, ROADMAP, DEVELOP, CONTRIBUTORS) and rendered into
the repository's README and the Apps page of the module (`static/description/index.html`).
Edit the fragments, then run `make readme`; `--check` (run by `make lint`) fails when either
rendered file is not what the fragments give.
"""

import argparse
import ast
import html
import sys
from pathlib import Path

import markdown

# a command-line tool: it prints what it wrote or what is out of date
# pylint: disable=print-used

ADDON = "stock_lot_traceability"
REPO = Path(__file__).resolve().parent.parent
FRAGMENTS = REPO / "readme"
README = REPO / "README.md"
INDEX = REPO / "static" / "description" / "index.html"
IMAGES = "static/description/"

# (fragment, heading of its part), in OCA's order; DESCRIPTION opens the page with no heading
PARTS = [
    ("INSTALL", "Installation"),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("ROADMAP", "Roadmap"),
    ("DEVELOP", "Development"),
]
STATUS_BADGES = {
    "Alpha": "red",
    "Beta": "yellow",
    "Production/Stable": "green",
    "Mature": "brightgreen",
}
GENERATED = (
    "<!-- Rendered by tools/readme.py from readme/*.md and __manifest__.py: "
    "edit those, then run `make readme`. -->"
)


def manifest():
    return ast.literal_eval((REPO / "__manifest__.py").read_text())


def fragment(name):
    path = FRAGMENTS / f"{name}.md"
    if not path.exists():
        sys.exit(f"readme/{name}.md is missing")
    return path.read_text().strip()


def badges(info):
    status = info["development_status"]
    shields = [
        (status, f"Maturity-{status.replace('/', '%2F')}-{STATUS_BADGES[status]}"),
        (info["license"], f"license-{info['license'].replace('-', '--')}-blue"),
        ("Odoo 18.0", "odoo-18.0-714B67"),
    ]
    return " ".join(f"![{alt}](https://img.shields.io/badge/{path}.svg)" for alt, path in shields)


def credits(info):
    maintainers = ", ".join(
        f"[{login}](https://github.com/{login})" for login in info["maintainers"]
    )
    return "\n\n".join(
        [
            f"### Authors\n\n- {info['author']}",
            f"### Contributors\n\n{fragment('CONTRIBUTORS')}",
            f"### Maintainers\n\n{maintainers}; the project's home: <{info['website']}>.",
        ]
    )


def body(info):
    """The page below the title: description, contents, then each part and the credits."""
    parts = [(heading, fragment(name)) for name, heading in PARTS] + [("Credits", credits(info))]
    contents = "\n".join(f"- [{heading}](#{heading.lower()})" for heading, _text in parts)
    sections = [fragment("DESCRIPTION"), f"## Table of contents\n\n{contents}"]
    sections += [f"## {heading}\n\n{text}" for heading, text in parts]
    return "\n\n".join(sections) + "\n"


def render_readme(info):
    title = f"# {info['name']} (`{ADDON}`)"
    return "\n\n".join([GENERATED, title, badges(info), f"*{info['summary']}*", body(info)])


def render_index(info):
    """The Apps page: the same text as HTML, images relative to static/description/."""
    text = body(info).replace(f"]({IMAGES}", "](")
    content = markdown.markdown(text, extensions=["tables", "fenced_code", "toc"])
    content = content.replace("<img ", '<img style="max-width: 100%" ')  # screenshots fit the page
    return (
        "<!DOCTYPE html>\n"
        f"{GENERATED}\n"
        '<html><head><meta charset="utf-8"/>'
        f"<title>{html.escape(info['name'])}</title></head>\n"
        '<body><div class="document">\n'
        f"<h1>{html.escape(info['name'])}</h1>\n"
        f"<p><em>{html.escape(info['summary'])}</em></p>\n"
        f"{content}\n</div></body></html>\n"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="fail when a rendered file is out of date"
    )
    args = parser.parse_args()
    info = manifest()
    rendered = {README: render_readme(info), INDEX: render_index(info)}
    stale = [
        path for path, text in rendered.items() if not path.exists() or path.read_text() != text
    ]
    if args.check:
        for path in stale:
            print(f"{path.relative_to(REPO)} is not what readme/*.md gives: run `make readme`")
        sys.exit(1 if stale else 0)
    for path in stale:
        path.write_text(rendered[path])
        print(f"wrote {path.relative_to(REPO)}")


if __name__ == "__main__":
    main()
