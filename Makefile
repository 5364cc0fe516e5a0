# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
# The tests in two processes (pytest-xdist), a test module to each at a time: each process has
# its own databases, browser and servers. `make test PYTEST_WORKERS=0` runs them in one.
PYTEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadscope

.PHONY: run test quick check deploy-check audit lint translations messages bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# Compile the gettext catalogues (the .mo files are build output, not in git).
translations: $(STAMP)
	$(BIN)/pybabel compile -d kiosk/translations -f --statistics

## Set up everything and serve the demo on SQLite with gunicorn.
run: translations
	$(BIN)/kiosk init-db
	$(BIN)/kiosk load-demo
	@echo ""
	@echo "  Kiosk (touch screen):  http://$(HOST):$(PORT)/k/ehp"
	@echo "  Phone (QR poster):     http://$(HOST):$(PORT)/q/ehp"
	@echo "  Staff area:            http://$(HOST):$(PORT)/staff/"
	@echo "  Staff login:           demo@example.org / jena-nord-demo"
	@echo ""
	KIOSK_BIND=$(HOST):$(PORT) KIOSK_WORKERS=$(WORKERS) $(BIN)/gunicorn -c deploy/gunicorn.conf.py wsgi:app

## Set up everything (PostgreSQL and Chromium too, where missing) and run every test.
test:
	bash scripts/test-services.sh
	$(MAKE) --no-print-directory check

## The inner loop, in under 2 minutes: lint, types, import contracts, and the tests on SQLite
## only (no PostgreSQL half, so no drills against gunicorn either) with one browser smoke test.
quick: translations lint
	$(PYTEST) -m "not postgresql and (not browser or smoke)"

check: translations deploy-check audit
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(PYTEST)

## The kiosk set-up and the shell scripts: shellcheck, and systemd-analyze verify where it runs.
deploy-check:
	bash deploy/check.sh

## Known vulnerabilities in the pinned dependencies (pip-audit; see scripts/audit.py).
audit: $(STAMP)
	$(BIN)/python scripts/audit.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## Re-extract the messages and merge them into every catalogue.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k lazy_gettext --no-location --sort-output \
		--project kiosk -o kiosk/translations/messages.pot .
	$(BIN)/pybabel update -i kiosk/translations/messages.pot -d kiosk/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python scripts/catalogues.py

## The benchmark at ten million answers in one place, on SQLite and PostgreSQL (needs wrk; the
## first run builds both databases, some 10 and 20 minutes; `make bench BENCH_RESPONSES=1000000`
## for the quicker size). Fails when rows stored differ from the successes counted.
BENCH_RESPONSES ?= 10000000
bench: translations
	$(BIN)/python bench/run.py --responses $(BENCH_RESPONSES)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
