# Two commands: `make run` (a working Companion on http://127.0.0.1:5000) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app companion
STAMP := $(VENV)/.installed

.PHONY: run test install clean translations fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo
	@echo "Companion is running at http://127.0.0.1:5000 with its reminder worker  (Ctrl-C stops both)"
	@echo
	@$(FLASK) scheduler & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port 5000

# One pytest-xdist worker per logical CPU (psutil or not); work stealing evens out the long tests (browser, worker processes).
# One test: make test PYTEST_ARGS='-n0 tests/test_app.py::test_demo_sign_ins_work'
PYTEST_WORKERS ?= logical
test: $(STAMP)
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal --durations=15 $(PYTEST_ARGS)

# The API fuzz at length, with a fresh seed: FUZZ_EXAMPLES generated requests per operation and role (the suite
# runs 8 with a fixed seed under CI). Its figures are in BENCHMARKS.md.
FUZZ_EXAMPLES ?= 200
fuzz: $(STAMP)
	rm -f .fuzz.log
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_STATEFUL_STEPS=30 FUZZ_LOG=$(CURDIR)/.fuzz.log $(BIN)/python -m pytest -n $(PYTEST_WORKERS) -p no:cacheprovider -q tests/test_api_fuzz.py $(PYTEST_ARGS); \
	status=$$?; echo "generated requests (without the stateful phase and the checks' own probes): $$(wc -l < .fuzz.log)"; \
	cut -d' ' -f3 .fuzz.log | sort | uniq -c | sort -rn; exit $$status

# After changing any user-facing string: pull every string into the catalogs, then translate the new
# entries in companion/translations/<lang>/LC_MESSAGES/messages.po and run this again to compile them.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output --omit-header -o companion/translations/messages.pot .
	$(BIN)/pybabel update -i companion/translations/messages.pot -d companion/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d companion/translations

clean:
	rm -rf $(VENV) .pytest_cache
