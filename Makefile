# Every target sets itself up: the Debian packages the course needs, then a local .venv with
# the project and its test extras.
PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
# nbgrader runs `alembic` by name when it first creates a gradebook, so the venv's bin/ goes on PATH.
RUN    := PATH="$(BIN):$$PATH"
STAMP  := $(VENV)/.installed
JOBS   ?=
# System programs the course runs: one line, one place (see scripts/system-packages).
DEBIAN_PACKAGES := bubblewrap chromium chromium-driver

.PHONY: setup system test demo lab notebooks release bench mutation clean

setup: $(STAMP)

system:
	@sh scripts/system-packages $(DEBIAN_PACKAGES)

$(STAMP): pyproject.toml
	@sh scripts/system-packages $(DEBIAN_PACKAGES)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

test: $(STAMP)
	$(RUN) $(BIN)/python -m pytest -q

demo: $(STAMP)
	$(RUN) $(BIN)/backprop-course demo

lab: $(STAMP)
	$(RUN) $(BIN)/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root,)

notebooks: $(STAMP)
	$(RUN) $(BIN)/backprop-course release --no-check

release: $(STAMP)
	$(RUN) $(BIN)/backprop-course release

bench: $(STAMP)
	$(RUN) $(BIN)/python benchmarks/engine.py
	$(RUN) $(BIN)/python benchmarks/autograde.py

# Mutate the engine (core.py, ops/) and list the mutants its tests leave alive ([tool.mutmut]
# in pyproject.toml names the tests it runs). Optional: installs the `mutation` extra first.
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,mutation]"
	$(RUN) $(BIN)/mutmut run
	$(RUN) $(BIN)/mutmut results

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis mutants
