# iouq: make results | make report | make test | make lint | make bench | make clean
#
# Works from a fresh clone with only Python >= 3.11 and pip: the first target run creates
# .venv and installs the package (editable) with its test extras; the install is redone
# only when pyproject.toml changes (stamp file inside .venv).

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null || echo python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.iouq-install.stamp
BENCH_STAMP := $(VENV)/.iouq-bench.stamp
CORES ?= 2
SNAKEMAKE := $(BIN)/python -m snakemake

.PHONY: all install results report test test-long lint bench clean distclean

all: results

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(STAMP)

## results: run the default pipeline (config/config.yaml, bundled tables) into results/
## results CONFIG=sweep.yaml: the same, with config/sweep.yaml (or any YAML path) merged over the default
CONFIG ?=
CONFIG_FILE := $(if $(CONFIG),$(if $(wildcard $(CONFIG)),$(CONFIG),config/$(CONFIG)))
results: $(STAMP)
	$(SNAKEMAKE) --cores $(CORES) $(if $(CONFIG_FILE),--configfile $(CONFIG_FILE))

## report: self-contained HTML report of the results (runs the pipeline first if needed)
report: results
	$(SNAKEMAKE) --report results/report.html

## test: unit, CLI and workflow tests
test: $(STAMP)
	$(BIN)/python -m pytest

## test-long: the property suite (hypothesis) with many more random tables (minutes)
test-long: $(STAMP)
	HYPOTHESIS_PROFILE=long HYPOTHESIS_LIMITS_EXAMPLES=100 $(BIN)/python -m pytest tests/test_properties.py

## lint: Snakemake best-practice checks on the default configuration
lint: $(STAMP)
	$(SNAKEMAKE) --lint

$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $@

## bench: run every benchmarks/*.py (results under benchmarks/out/)
bench: $(BENCH_STAMP)
	@set -e; found=0; for f in benchmarks/*.py; do \
		[ -e "$$f" ] || continue; found=1; \
		echo "== $$f"; $(BIN)/python "$$f"; \
	done; [ $$found = 1 ] || echo "no benchmarks/*.py to run"

## clean: remove results, logs and caches (keeps .venv and results/.gitkeep)
clean:
	find results -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +
	rm -rf logs .snakemake .pytest_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

## distclean: clean, and remove the virtual environment
distclean: clean
	rm -rf $(VENV)
