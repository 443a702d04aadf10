# Every target sets itself up: the Debian packages the course needs, then a local .venv with
# the project and its test extras.
PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
# nbgrader runs `alembic` by name when it first creates a gradebook, so the venv's bin/ goes on PATH.
RUN    := PATH="$(BIN):$$PATH"
STAMP  := $(VENV)/.installed
JOBS   ?=
# `make lab PORT=8931`: JupyterLab on that port (on a shared server, pick one nobody uses);
# empty: JUPYTER_PORT if set, else 8888 or the next free one.
PORT   ?=
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

# Lab serves the repository and opens on notebooks/; it starts in course/ so that formgrader
# (nbgrader reads the nbgrader_config.py of the folder it starts in) finds the course.
lab: $(STAMP)
	cd course && $(RUN) $(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) --LabApp.default_url=/lab/tree/notebooks \
		$(if $(PORT),--port=$(PORT) --port-retries=0,) \
		$(if $(filter 0,$(shell id -u)),--allow-root,)

notebooks: $(STAMP)
	$(RUN) $(BIN)/backprop-course release --no-check

release: $(STAMP)
	$(RUN) $(BIN)/backprop-course release

bench: $(STAMP)
	$(RUN) $(BIN)/python benchmarks/engine.py
	$(RUN) $(BIN)/python benchmarks/autograde.py

# Mutate the engine (core, ops, numeric, gates, forward mode, nodes, nn, stages, ...: [tool.mutmut]
# in pyproject.toml names the files and the tests it runs) and list the mutants the tests leave
# alive. Optional: installs the `mutation` extra first. A first run tries all ~1900 mutants
# (about 6 minutes on 2 cores). mutmut keeps its verdicts in mutants/ and later retries only the
# mutants of functions that changed, so after changing tests delete mutants/, or retry some by
# name: `make mutation MUTANTS='autograd_ref.gates.* autograd_ref.nn.*'` (mutmut's name globs).
MUTANTS ?=
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,mutation]"
	$(RUN) $(BIN)/mutmut run $(foreach name,$(MUTANTS),'$(name)')
	$(RUN) $(BIN)/mutmut results

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis mutants
