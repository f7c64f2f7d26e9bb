# driftsim — `make help` lists the targets. `make run` and `make test` bootstrap .venv on first use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXTRAS ?= dev,mlflow,notebooks

.DEFAULT_GOAL := help

$(STAMP): pyproject.toml Makefile
	@echo ">> bootstrapping $(VENV) (first use, or pyproject.toml changed)"
	@# uv resolves and installs in seconds; a fresh machine gets it from PyPI into the venv.
	@if command -v uv >/dev/null 2>&1; then \
		uv venv --allow-existing --python $(PYTHON) $(VENV); \
	else \
		$(PYTHON) -m venv $(VENV) && $(PY) -m pip install -q --upgrade pip uv; \
	fi
	@# Bytecode is compiled once here: uv does not by default, and where
	@# PYTHONDONTWRITEBYTECODE is set every interpreter (each sweep worker, each test
	@# subprocess) would otherwise compile scikit-learn, SciPy and Hydra from source again
	@# (~6 s of start-up instead of ~2 s).
	@UV=$$(command -v uv || echo $(VENV)/bin/uv); \
		$$UV pip install --compile-bytecode --python $(PY) -e ".[$(EXTRAS)]"
	@touch $(STAMP)

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z][a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: install
install: $(STAMP) ## create .venv and install driftsim (editable) with the dev extra

.PHONY: run
run: $(STAMP) ## the main job: detectors and policies compared on Iris; tables, figures, HTML report
	MPLBACKEND=Agg $(PY) -m experiments.main

.PHONY: test
test: $(STAMP) ## run the test suite (unit, property, doctests); benchmarks excluded
	$(PY) -m ruff check .
	$(PY) -m pytest -q

.PHONY: demo
demo: $(STAMP) ## a drifting Iris stream and a frozen model's accuracy, as one figure
	MPLBACKEND=Agg $(PY) -m simulator.demo

.PHONY: notebooks
notebooks: $(STAMP) ## build notebooks/*.ipynb from the jupytext .py sources (not committed)
	$(PY) -m jupytext --to ipynb notebooks/[0-9]*.py

.PHONY: benchmark
benchmark: $(STAMP) ## the standard detector benchmark sweeps: 5 datasets x 13 scenarios x 5 seeds, then the literature track (10 generator scenarios x 5 seeds)
	MPLBACKEND=Agg $(PY) -m experiments.run -m experiment=benchmark
	MPLBACKEND=Agg $(PY) -m experiments.run -m experiment=benchmark_literature

.PHONY: bench
bench: $(STAMP) ## run the pytest-benchmark suites in tests/benchmarks/; print their tables and the driftsim-vs-river/scipy ratio table
	$(PY) -m pytest tests/benchmarks -q --benchmark-enable --benchmark-only --override-ini="addopts=-p no:cacheprovider" --benchmark-columns=min,mean,median,ops,rounds --benchmark-sort=name -s

.PHONY: lint
lint: $(STAMP) ## ruff check
	$(PY) -m ruff check .

.PHONY: clean
clean: ## remove the virtual environment and outputs
	rm -rf $(VENV) outputs multirun .benchmarks
