# The two commands of README.md, and a few more for developers.
PYTHON ?= python3

.PHONY: demo test test-core bench lint readme check-bootstrap test-replica test-uninstall test-upgrade

demo:  ## serve the demo database lot_trace_demo on http://127.0.0.1:8069
	$(PYTHON) tools/dev.py demo

test:  ## the addon's tests on a fresh copy of a cached template database
	$(PYTHON) tools/dev.py test

test-core:  ## Odoo's own stock/mrp/product_expiry/sale_stock/purchase_stock suites with the addon
	$(PYTHON) tools/dev.py test-core

bench:  ## trace benchmark against Odoo's own traceability report (see README)
	$(PYTHON) tools/benchmark.py

test-replica:  ## read-only work on a streaming replica: two temporary clusters, Odoo with db_replica_host
	$(PYTHON) tools/test_replica.py

test-uninstall:  ## install with the demo (FROM=<git ref>: at that version, then -u), uninstall: nothing left but the stock history
	$(PYTHON) tools/test_uninstall.py $(if $(FROM),--upgraded-from $(FROM))

test-upgrade:  ## a database made at FROM (default: the previous 18.0.* tag) updated with this code
	$(PYTHON) tools/test_upgrade.py $(if $(FROM),--from $(FROM))

lint:  ## ruff, pylint-odoo (OCA's mandatory checks, .pylintrc-mandatory) and the README's rendering
	ruff check . && ruff format --check . && \
	$(PYTHON) -m pylint --rcfile=.pylintrc-mandatory $$(git ls-files '*.py') && \
	$(PYTHON) tools/readme.py --check

readme:  ## render README.md and static/description/index.html from readme/*.md
	$(PYTHON) tools/readme.py

check-bootstrap:  ## make demo from a clean virtual environment (SLT_ODOO_SRC: Odoo 18.0 source)
	$(PYTHON) tools/check_bootstrap.py --test stock_lot_traceability/tests/test_ui.py
