# The front door: every target is a thin wrapper over a tox env (see tox.ini).
# `make` alone prints this list.

.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
# tox, bootstrapped into .venv/ on first use with $(PYTHON) (3.11+), and again
# when $(PYTHON) is another version than the one .venv/ was made with.
PYTHON_VERSION := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
TOX := .venv/bin/tox
PYTHON_OK := import sys; sys.exit(sys.version_info < (3, 11))
# what a PYTHON that does not run is told to use instead: those of these that run and are 3.11+
PYTHON_CANDIDATES = $(addprefix python3.,11 12 13 14 15) python3 $(DISCOVER)
TOX_BOOTSTRAP := 'tox>=4.22'
# `make test` offers tox every pyenv-installed CPython 3.11+ (tox --discover),
# besides those on PATH, so each gets its package tests.
DISCOVER := $(wildcard $(shell pyenv root 2>/dev/null)/versions/3.1[1-9]*/bin/python3)


# Variables the checks read (RELEASING.md): TAG, DIST, INDEX_URL, WAIT. Given on the
# command line (make release-check TAG=v1.2.3) or in the environment, they reach
# the scripts exactly as typed: make never expands a `$` in them.
$(foreach var,TAG DIST INDEX_URL WAIT BENCH,$(if $(filter command line,$(origin $(var))),$(eval override export $(var) := $$(value $(var)))))

# The host wheel is rebuilt when a source changed or was added or removed (a
# directory's time changes), when HEAD moved (its commit time stamps the wheel:
# build/head holds HEAD, rewritten when it changed), or when no castagnoli wheel
# is in dist/.
WHEEL_INPUTS := pyproject.toml setup.cfg CMakeLists.txt README.md LICENSE requirements/release.txt build/head \
	$(shell find src -type d -o -type f \( -name '*.py' -o -name '*.pyi' -o -name '*.c' -o -name '*.h' -o -name py.typed \))
HOST_WHEEL_STAMP := build/host-wheel.stamp
ifneq ($(filter wheel release-check publish-rehearsal $(HOST_WHEEL_STAMP),$(MAKECMDGOALS)),)
HEAD_COMMIT := $(shell git rev-parse HEAD 2>/dev/null || echo none)
$(shell mkdir -p build && { [ "$$(cat build/head 2>/dev/null)" = "$(HEAD_COMMIT)" ] || echo "$(HEAD_COMMIT)" > build/head; })
endif
# make release-check without DIST: "yes" when the host wheel in dist/ is current. When it is not, the tag and
# the checkout are checked before it is rebuilt, and the wheels after.
HOST_WHEEL_CURRENT = $(if $(DIST),yes,$(shell $(MAKE) -q --no-print-directory $(HOST_WHEEL_STAMP) TOX='$(TOX)' \
	PYTHON='$(PYTHON)' && echo yes))

TARGETS := help test wheel wheels check-tag release-check conflict-check published-check github-release \
	publish-rehearsal bench lock clean
.PHONY: $(TARGETS) FORCE

# A goal that names no target (make tests, a directory here; a typo) is an error pointing to the list, not
# make's "Nothing to be done" or its bare "No rule" line. The files below are made by the targets above.
UNKNOWN_GOALS := $(filter-out $(TARGETS) $(HOST_WHEEL_STAMP) .venv/bin/tox,$(MAKECMDGOALS))
ifneq ($(UNKNOWN_GOALS),)
.PHONY: $(UNKNOWN_GOALS)
$(UNKNOWN_GOALS):
	@echo "error: no target '$@' here: expected one of the targets make lists; run make for the list (make test runs every test)" >&2; exit 2
endif

help: ## Show this list of targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

test: $(TOX) ## Run every test and lint, then the verdict; fails unless lint, tooling and a package env passed
	$(TOX) run $(if $(DISCOVER),--discover $(DISCOVER)) --result-json build/tox-result.json || failed=$$?; $(PYTHON) -m scripts test-report build/tox-result.json && exit $${failed:-0}

wheel: $(TOX) ## Build the wheel for this machine into dist/, replacing older ones
	$(TOX) run -e wheel && touch $(HOST_WHEEL_STAMP)

wheels: $(TOX) ## Build and test this OS's release wheel with cibuildwheel into dist/ (Linux: needs Docker)
	$(TOX) run -e wheels

check-tag: $(TOX) ## Check TAG against the version in pyproject.toml (publish.yml's first job)
	$(TOX) run -qq -e check-tag -- "$${TAG-}"

release-check: $(TOX) ## The release check: TAG (default v<version>), checkout, wheels in DIST (default: host wheel, rebuilt after the checkout check)
	$(TOX) run -qq -e release-check$(if $(HOST_WHEEL_CURRENT),, -- --checkout && $(MAKE) --no-print-directory $(HOST_WHEEL_STAMP) && $(TOX) run -qq -e release-check -- --wheels)

conflict-check: $(TOX) ## Check no wheel in DIST (default: host wheel in dist/) is on INDEX_URL (default PyPI) with other content
	$(TOX) run -qq -e conflict-check -- --index-url "$${INDEX_URL:-https://pypi.org/simple/}"

published-check: $(TOX) ## After the upload: INDEX_URL (default PyPI) serves each wheel in DIST (default: host wheel in dist/) byte for byte, attested; waits up to WAIT s (600)
	$(TOX) run -qq -e published-check -- --index-url "$${INDEX_URL:-https://pypi.org/simple/}" --wait "$${WAIT:-600}"

github-release: $(TOX) ## The GitHub Release of TAG with the wheels in DIST (default dist): created in one step, or its asset digests checked (needs gh, GH_TOKEN)
	$(TOX) run -qq -e github-release -- "$${TAG-}" "$${DIST:-dist}"

publish-rehearsal: $(TOX) $(if $(DIST),,$(HOST_WHEEL_STAMP)) ## Upload the wheels to a local pypiserver, install and smoke-test them
	$(TOX) run -e publish-rehearsal

bench: $(TOX) ## CRC-32C speed beside every other CRC-32C package, per size, kernel and thread count (BENCH="--rounds 5 --sizes 1KiB,1MiB")
	$(TOX) run -e bench -- $${BENCH-}

lock: $(TOX) ## Recompile requirements/release.txt (the locked release toolchain) from release.in
	$(TOX) run -e lock

clean: ## Remove what make made: build/, dist/, .tox/, .venv/ (tox), *.egg-info, the in-tree extension
	rm -rf build dist .tox .venv src/*.egg-info src/castagnoli/_crc32c.*.so src/castagnoli/_crc32c.pyd

$(HOST_WHEEL_STAMP): $(WHEEL_INPUTS) $(if $(wildcard dist/castagnoli-*.whl),,FORCE) | $(TOX)
	$(TOX) run -e wheel && touch $@

.venv/bin/tox: Makefile .venv/python-$(PYTHON_VERSION)
	.venv/bin/python -m pip install --quiet $(TOX_BOOTSTRAP)
	touch $@

.venv/python-$(PYTHON_VERSION):
	@$(PYTHON) -c '$(PYTHON_OK)' 2>/dev/null || { \
	  runs=$$(for p in $(PYTHON_CANDIDATES); do $$p -c '$(PYTHON_OK)' 2>/dev/null && echo "$$p"; done | paste -sd' '); \
	  fix="none runs here: install CPython 3.11 or newer (pyenv install 3.12)"; \
	  [[ -z $$runs ]] || fix="these run here: $$runs; pass one, e.g. make $(or $(MAKECMDGOALS),help) PYTHON=$${runs%% *}"; \
	  echo "error: PYTHON=$(PYTHON) is $(or $(PYTHON_VERSION),not a Python that runs here): expected Python 3.11 or newer; $$fix" >&2; exit 1; }
	rm -rf .venv
	$(PYTHON) -m venv .venv
	touch $@
