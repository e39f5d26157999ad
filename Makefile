# engageip-smoke: `make smoke` runs the suite against the sandbox; `make test` runs our tests.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
ARGS   ?=

.PHONY: setup smoke demo faults sandbox test test-fast test-browser lint bench clean

setup: $(STAMP)
	@$(BIN)/smoke doctor --install >/dev/null || $(BIN)/smoke doctor

# One line while it installs; pip's own output goes to $(VENV)/pip.log and is shown only when it fails.
$(STAMP): pyproject.toml
	@echo "setup: installing engageip-smoke and its dependencies into $(VENV) ..."
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
	@$(BIN)/python -m pip install -q -e '.[dev]' >$(VENV)/pip.log 2>&1 || \
		{ cat $(VENV)/pip.log >&2; echo "setup: pip install failed (above; also in $(VENV)/pip.log)" >&2; exit 1; }
	@rm -f $(VENV)/.installed-*
	@touch $@

## the whole suite against the default target (the bundled sandbox); ends with the report's path
smoke: setup
	$(BIN)/smoke run $(ARGS)

## headed, slowed down, captioned: for demos and training (uses xvfb-run when there is no display)
demo: setup
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ] || ! command -v xvfb-run >/dev/null; then \
		$(BIN)/smoke demo $(ARGS); \
	else \
		xvfb-run -a $(BIN)/smoke demo --record $(ARGS); \
	fi

## the fault matrix: the suite against the sandbox, healthy and with each fault on
faults: setup
	$(BIN)/smoke faults --out reports/faults $(ARGS)

## the stand-in EngageIP server on http://127.0.0.1:8080
sandbox: setup
	$(BIN)/smoke sandbox --port 8080 $(ARGS)

## every test: the fast ones on every core, then the browser tests one at a time (local servers on port 0)
# The fast tests are isolated (tmp_path, port 0) so xdist spreads them; browser tests stay serial:
# several of them time pages or run two workers of their own, and would measure each other.
# pytest's exit code 5 (nothing selected, e.g. ARGS names a file without browser tests) is no failure.
TEST_WORKERS ?= auto
test: setup
	@rc=0; \
	$(BIN)/python -m pytest -m "not browser" -n $(TEST_WORKERS) $(ARGS) || rc=$$?; [ $$rc -eq 5 ] && rc=0; \
	$(BIN)/python -m pytest -m browser $(ARGS) || { b=$$?; [ $$b -eq 5 ] || rc=$$b; }; \
	exit $$rc

test-fast: setup
	$(BIN)/python -m pytest -m "not browser" -n $(TEST_WORKERS) $(ARGS)

test-browser: setup
	$(BIN)/python -m pytest -m browser $(ARGS)

lint: setup
	$(BIN)/ruff check smoke tests
	$(BIN)/ruff format --check smoke tests
	$(BIN)/mypy smoke

bench: setup
	$(BIN)/python -m smoke.bench $(ARGS)

clean:
	rm -rf $(VENV) reports/*/ reports/latest reports/index.html test-results .mypy_cache .ruff_cache
