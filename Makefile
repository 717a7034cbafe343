# ckanext-datathon: the two commands are `make demo` and `make test`.
# CKAN_VERSION picks the CKAN of the matrix (2.12.0 by default, or 2.11.6);
# each version gets its own virtualenv in .venv/ckan-$(CKAN_VERSION).

# `make test` runs the suite on every version of the matrix (what CI runs), or
# on the one given: `make test CKAN_VERSION=2.11.6`.
ifeq ($(origin CKAN_VERSION),undefined)
TEST_VERSIONS ?= 2.12.0 2.11.6
else
TEST_VERSIONS ?= $(CKAN_VERSION)
endif
CKAN_VERSION ?= 2.12.0
export CKAN_VERSION

.PHONY: demo test wheel-check lint install services stop status clean help bench bench-challenge bench-pages core-compat crawl fuzz-api

help:
	@echo "make demo    - install everything, start the services and serve a demo portal on http://127.0.0.1:5000"
	@echo "make test    - install everything, start the services, lint and run the whole test suite on CKAN 2.12.0 and 2.11.6 (CKAN_VERSION=x: that one only)"
	@echo "make wheel-check - build the sdist and wheel, install the wheel into a clean virtualenv, serve and smoke-test it"
	@echo "make core-compat - CKAN core's logic/action and logic/auth tests with the companions, then with datathon: fails on any regression (~17 min; not in make test)"
	@echo "make stop    - stop what these scripts started (CKAN, Solr, Redis, PostgreSQL)"
	@echo "make status  - report the services"
	@echo "make lint    - ruff format check and lint, import contracts (lint-imports), mypy (strict on lib/) only"
	@echo "make bench   - seed a synthetic portal, serve it (plugin on/off, ckanext-showcase) and print the figures (BENCH_SMALL=1: quick)"
	@echo "make i18n    - extract the strings, update the es and pt_BR catalogues, compile them (.mo)"
	@echo "make fuzz-api - schemathesis against a served portal at volume: its coverage phase and 20 examples per action and mode (~20 min; make test runs 3)"
	@echo "make crawl   - seed a portal at volume, crawl it as 4 roles in en/es/pt_BR, print pages per route and any 500 (CRAWL_SMALL=1: quick)"
	@echo "make bench-challenge - SQL counts and timings of the challenge actions (10,000 challenges)"
	@echo "make bench-pages     - dataset page and package_show with the plugin on vs off, challenge page"
	@echo "Variables: CKAN_VERSION=$(CKAN_VERSION) (2.12.0 or 2.11.6), TEST_VERSIONS=\"$(TEST_VERSIONS)\", PYTEST_ARGS"

demo:
	bash scripts/demo.sh

test:
	bash scripts/test-matrix.sh "$(TEST_VERSIONS)" $(PYTEST_ARGS)

# CKAN core's own action and auth tests with and without the plugin (issue 17 §8)
core-compat: install
	bash scripts/core-compat.sh $(PYTEST_ARGS)

# schemathesis against a served portal, at volume (make test runs the same test
# small): DATATHON_FUZZ_EXAMPLES per operation and generation mode, plus its
# coverage phase; 0 responses >= 500 (tests/e2e/test_schemathesis.py)
fuzz-api: install
	DATATHON_FUZZ_EXAMPLES=$${DATATHON_FUZZ_EXAMPLES:-20} DATATHON_FUZZ_COVERAGE=1 DATATHON_TEST_WORKERS=1 \
		bash scripts/test.sh ckanext/datathon/tests/e2e/test_schemathesis.py -s $(PYTEST_ARGS)

# the release check alone (make test runs it after the suite)
wheel-check: install
	bash scripts/wheel-check.sh

install:
	bash scripts/bootstrap.sh
	bash scripts/install.sh

services: install
	CKAN_PYTHON=.venv/ckan-$(CKAN_VERSION)/bin/python bash scripts/services.sh start

lint: install
	.venv/ckan-$(CKAN_VERSION)/bin/ruff format --check .
	.venv/ckan-$(CKAN_VERSION)/bin/ruff check .
	.venv/ckan-$(CKAN_VERSION)/bin/lint-imports --no-cache
	.venv/ckan-$(CKAN_VERSION)/bin/mypy -p ckanext.datathon.lib

# Translations: ckanext/datathon/i18n/ckanext-datathon.pot (Babel, setup.cfg's
# [extract_messages]; Python, JavaScript, Jinja via CKAN's extractor, scheming
# YAML via ours), then the es and pt_BR catalogues are updated (new strings come
# in untranslated, changed ones fuzzy: tests/test_i18n.py fails until they are
# translated) and compiled to the committed .mo files.
.PHONY: i18n
i18n: install
	.venv/ckan-$(CKAN_VERSION)/bin/python setup.py -q extract_messages
	.venv/ckan-$(CKAN_VERSION)/bin/python setup.py -q update_catalog
	.venv/ckan-$(CKAN_VERSION)/bin/python setup.py -q compile_catalog

stop:
	bash scripts/services.sh stop

status:
	bash scripts/services.sh status

clean: stop
	rm -rf .services .artifacts

bench:
	bash scripts/bench.sh scripts/bench/bench_portal.py $(BENCH_ARGS)

crawl:
	BENCH_NO_WRK=1 bash scripts/bench.sh scripts/crawl.py

bench-challenge:
	bash scripts/bench.sh scripts/bench/bench_challenge.py $(BENCH_ARGS)

bench-pages:
	bash scripts/bench.sh scripts/bench/bench_pages.py $(BENCH_ARGS)
