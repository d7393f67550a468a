# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Every install comes from these, with hashes (pip-compile output; see `make lock`):
# requirements.lock for the image, requirements-dev.lock (the same pins plus the
# dev extra and the build backend) for .venv.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
# The resolver `make lock` runs, pinned so that every update resolves the same way.
PIP_TOOLS := pip-tools==7.6.2 pip==26.3
PIP_COMPILE_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links

.PHONY: run test image-test lint format demo lock lock-upgrade

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Comradarr needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the lock (or pyproject.toml) changes. The lock replaces the
# setuptools that `venv` seeds (65.x on Python 3.11, with known CVEs); the project
# itself is installed without its dependencies and without build isolation, so
# nothing unpinned is downloaded.
$(STAMP): $(DEV_LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python scripts/check_lock.py $(DEV_LOCK) dev
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

## run: install, migrate, create the admin user and serve on http://HOST:PORT (default 0.0.0.0:3000)
run: $(STAMP)
	$(BIN)/python manage.py serve

## test: lint, format check and the whole test suite on a real PostgreSQL
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

## image-test: build the Docker image with buildah (no Docker engine) and run its serve
##             as uid 1000 (root, buildah and debootstrap needed; skipped elsewhere, not under CI=true)
image-test:
	$(PYTHON) scripts/image_test.py

## demo: a simulated Sonarr and Radarr (tests/fakearr) as connectors, then serve on 127.0.0.1:3000
demo: $(STAMP)
	$(BIN)/python scripts/demo.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## lock: after editing dependencies in pyproject.toml, re-resolve both lock files
##       (unchanged pins are kept); `make lock-upgrade` moves every pin to the newest release
# Resolved by Python 3.11 on Linux, the platform of the image and of CI; the hashes
# cover every file of each pinned release, so other architectures install too.
# PIP_CONFIG_FILE=/dev/null and no PIP_FIND_LINKS: a local wheel folder or extra
# index from this machine's pip configuration must not leak into the lock.
lock:
	@set -e; tools=$$(mktemp -d); trap 'rm -rf "$$tools"' EXIT; \
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11) and sys.platform == "linux", "make lock needs Python 3.11 on Linux (PYTHON=...)"'; \
	$(PYTHON) -m venv "$$tools"; \
	export PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND="make lock"; \
	unset PIP_FIND_LINKS PIP_EXTRA_INDEX_URL PIP_CONSTRAINT; \
	"$$tools/bin/python" -m pip install --quiet $(PIP_TOOLS); \
	echo "resolving $(DEV_LOCK)"; \
	"$$tools/bin/pip-compile" $(PIP_COMPILE_FLAGS) $(LOCK_FLAGS) --extra dev --all-build-deps \
		-o $(DEV_LOCK) pyproject.toml; \
	echo "resolving $(LOCK) (constrained to the same pins)"; \
	"$$tools/bin/pip-compile" $(PIP_COMPILE_FLAGS) -c $(DEV_LOCK) -o $(LOCK) pyproject.toml

lock-upgrade:
	$(MAKE) lock LOCK_FLAGS=--upgrade
