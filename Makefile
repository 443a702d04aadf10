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

.PHONY: setup system test demo lab notebooks release bench clean

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
		$(if $(filter 0,$(shell id -u)),--allow-root,)

notebooks: $(STAMP)
	$(RUN) $(BIN)/backprop-course release --no-check

release: $(STAMP)
	$(RUN) $(BIN)/backprop-course release

bench: $(STAMP)
	$(RUN) $(BIN)/python benchmarks/engine.py
	$(RUN) $(BIN)/python benchmarks/autograde.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
