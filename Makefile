# The front door: every target is a thin wrapper over a tox env (see tox.ini).
# `make` alone prints this list.

.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
# tox, bootstrapped into .venv/ on first use.
TOX := .venv/bin/tox
TOX_BOOTSTRAP := 'tox>=4.20'
# `make test` offers tox every pyenv-installed CPython 3.11+ (tox --discover),
# besides those on PATH, so each gets its package tests.
DISCOVER := $(wildcard $(shell pyenv root 2>/dev/null)/versions/3.1[1-9]*/bin/python3)


# Variables the checks read (RELEASING.md): TAG, DIST, INDEX_URL. Given on the
# command line (make release-check TAG=v1.2.3) or in the environment, they reach
# the scripts exactly as typed: make never expands a `$` in them.
$(foreach var,TAG DIST INDEX_URL,$(if $(filter command line,$(origin $(var))),$(eval override export $(var) := $$(value $(var)))))
VERSION := $(shell sed -n 's/^version = "\(.*\)"$$/\1/p' pyproject.toml)

# The host wheel is rebuilt when a source changed or was added or removed (a
# directory's time changes), or when no wheel of this version is in dist/.
WHEEL_INPUTS := pyproject.toml setup.cfg CMakeLists.txt README.md LICENSE requirements/release.txt \
	$(shell find src -type d -o -type f \( -name '*.py' -o -name '*.pyi' -o -name '*.c' -o -name '*.h' -o -name py.typed \))
HOST_WHEEL_STAMP := build/host-wheel-$(VERSION).stamp

.PHONY: help test wheel wheels check-tag release-check conflict-check publish-rehearsal bench lock clean FORCE

help: ## Show this list of targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

test: $(TOX) ## Run every test and lint; fails unless lint, tooling and a package env ran
	$(TOX) run $(if $(DISCOVER),--discover $(DISCOVER)) --result-json build/tox-result.json && $(PYTHON) scripts/test_report.py build/tox-result.json

wheel: $(TOX) ## Build the wheel for this machine into dist/, replacing older ones
	$(TOX) run -e wheel

wheels: $(TOX) ## Build and test this OS's release wheel with cibuildwheel into dist/ (Linux: needs Docker)
	$(TOX) run -e wheels

check-tag: $(TOX) ## Check TAG against the version in pyproject.toml (publish.yml's first job)
	$(TOX) run -e check-tag -- "$${TAG-}"

release-check: $(TOX) $(if $(DIST),,$(HOST_WHEEL_STAMP)) ## The release check: TAG (default v<version>), checkout, wheels in DIST (default: host wheel)
	$(TOX) run -e release-check

conflict-check: $(TOX) ## Check no wheel in DIST (default dist) is on INDEX_URL (default PyPI) with other content
	$(TOX) run -e conflict-check -- "$${DIST:-dist}" --index-url "$${INDEX_URL:-https://pypi.org/simple/}"

publish-rehearsal: $(TOX) $(if $(DIST),,$(HOST_WHEEL_STAMP)) ## Upload the wheels to a local pypiserver, install and smoke-test them
	$(TOX) run -e publish-rehearsal

bench: $(TOX) ## CRC-32C speed beside google-crc32c, crc32c and zlib.crc32, per size and kernel
	$(TOX) run -e bench

lock: $(TOX) ## Recompile requirements/release.txt (the locked release toolchain) from release.in
	$(TOX) run -e lock

clean: ## Remove build outputs: build/, dist/, .tox/, *.egg-info, the in-tree extension
	rm -rf build dist .tox src/*.egg-info src/castagnoli/_crc32c.*.so src/castagnoli/_crc32c.pyd

$(HOST_WHEEL_STAMP): $(WHEEL_INPUTS) $(if $(wildcard dist/castagnoli-$(VERSION)-*.whl),,FORCE) | $(TOX)
	$(TOX) run -e wheel
	mkdir -p build && touch $@

.venv/bin/tox: Makefile
	$(PYTHON) -m venv .venv
	.venv/bin/python -m pip install --quiet $(TOX_BOOTSTRAP)
	touch $@
