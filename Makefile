# SageMaker MLOps: set-up, demo and tests. See README.md.
#   make demo   installs everything, starts the seeded devstack and two JupyterLabs with the extension
#               (the data scientist's on 8888, the approver's on 8889)
#   make test   installs everything and runs every test suite (jest, pytest, Galata, wheel check)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
STATE := $(CURDIR)/.devstack
ENV_FILE := $(STATE)/env
export PATH := $(BIN):$(PATH)

.PHONY: help install system python node build demo test test-unit test-python test-e2e bench clean

help:
	@echo "make demo    install everything, start the seeded devstack and JupyterLab as the data scientist"
	@echo "             (http://localhost:8888/lab) and as the approver (http://localhost:8889/lab)"
	@echo "make test    install everything and run all tests"

install: system python node build

## Debian packages: Chromium for the UI tests, git for the CodeCommit stand-in.
system:
	@need=""; for p in chromium git; do command -v $$p >/dev/null || need="$$need $$p"; done; \
	if [ -n "$$need" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need chromium-driver >/dev/null; \
	  else echo "Please install:$$need (sudo apt-get install$$need)"; exit 1; fi; fi

## Python: one virtualenv with JupyterLab, the devstack and the server extension (editable).
python: $(BIN)/.deps
$(BIN)/.deps: devstack/pyproject.toml python-server/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q "jupyterlab>=4.5,<5" build -e "./devstack[test]"
	touch $@

## Node: the extension's and the UI tests' packages, as locked. (`npm install`, not `npm ci`: npm cannot
## record rspack's optional per-platform bindings in the lock file, which makes `npm ci` refuse it.)
node: node_modules/.deps ui-tests/node_modules/.deps
node_modules/.deps: package.json package-lock.json
	npm install --no-audit --no-fund --no-save
	touch $@
ui-tests/node_modules/.deps: ui-tests/package.json ui-tests/package-lock.json
	cd ui-tests && npm install --no-audit --no-fund --no-save
	touch $@

## The labextension (prebuilt into python-server/), then the server extension on top of it.
build: python node
	npm run build:prod
	$(BIN)/pip install -q -e "./python-server[test]"
	$(BIN)/jupyter labextension develop --overwrite ./python-server >/dev/null
	$(BIN)/jupyter server extension list 2>&1 | grep "sagemaker_mlops.*OK" >/dev/null

demo: install
	bash .ci/demo.sh

test: install
	bash .ci/test.sh

bench: install
	bash .ci/bench.sh

clean:
	rm -rf lib node_modules ui-tests/node_modules python-server/sagemaker_mlops/labextension $(VENV) $(STATE)
