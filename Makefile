# The front door: every target is a thin wrapper over a tox env (see tox.ini).
# `make` alone prints this list.

.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
# tox from PATH, else bootstrapped into .venv/ on first use.
TOX ?= $(or $(shell command -v tox 2>/dev/null),.venv/bin/tox)

# Variables the checks read (README "The two commands"): TAG, DIST, INDEX_URL,
# PLAN_DIR. Given on the command line (make release-check TAG=v1.2.3) or in the
# environment, make passes them on; unset, they stay unset.

# What the host wheel is built from: when any of these is newer than dist/,
# `make release-check` rebuilds it.
WHEEL_INPUTS := pyproject.toml setup.cfg CMakeLists.txt README.md LICENSE \
	$(shell find src -name '*.py' -o -name '*.c' -o -name '*.h' -o -name py.typed)

.PHONY: help test wheel wheels check-tag release-check publish-rehearsal publish-plan bench clean

help: ## Show this list of targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

test: $(TOX) ## Run every test and lint (tox env_list: lint, py310-py314, tooling)
	$(TOX) run

wheel: $(TOX) ## Build the wheel for this machine into dist/ (python -m build --wheel + auditwheel repair)
	$(TOX) run -e wheel

wheels: $(TOX) ## Build and test this OS's release wheel with cibuildwheel into dist/ (needs Docker on Linux)
	$(TOX) run -e wheels

check-tag: $(TOX) ## Check TAG against the version in pyproject.toml (publish.yml's first job)
	$(TOX) run -e check-tag

release-check: $(TOX) $(if $(DIST),,dist) ## Validate TAG (default v<version>) and the wheels in DIST (default: host wheel)
	$(TOX) run -e release-check

publish-rehearsal: $(TOX) $(if $(DIST),,dist) ## Upload the wheels to a local pypiserver, install and smoke-test them
	$(TOX) run -e publish-rehearsal

publish-plan: $(TOX) ## Plan the PyPI upload of DIST: which wheels INDEX_URL does not have yet
	$(TOX) run -e publish-plan

bench: $(TOX) ## Print CRC-32C throughput and release-check timings side by side with ratios
	$(TOX) run -e bench

clean: ## Remove build outputs: build/, dist/, .tox/, *.egg-info, the in-tree native library
	rm -rf build dist .tox src/*.egg-info src/castagnoli/libcastagnoli.so src/castagnoli/castagnoli.dll src/castagnoli/libcastagnoli.dylib

# The host wheel, rebuilt by Make's own timestamp check when a source changed.
dist: $(WHEEL_INPUTS) | $(TOX)
	$(TOX) run -e wheel
	touch $@

.venv/bin/tox:
	$(PYTHON) -m venv .venv
	.venv/bin/python -m pip install --quiet 'tox>=4.20'
