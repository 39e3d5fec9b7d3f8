# Two commands do everything: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEMO_CLIENTS ?= 20000
DEMO_SEED ?= 42
DEMO_DATA := data/synthetic
export DATABASE_URL ?=

.PHONY: demo test venv data load train serve lint clean help

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

venv: $(VENV)/.installed  ## Create the virtualenv and install the pinned dependencies

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

data: venv  ## Generate the synthetic Home Credit files (DEMO_CLIENTS clients)
	$(PY) -m database.synthetic --clients $(DEMO_CLIENTS) --seed $(DEMO_SEED) --out $(DEMO_DATA)

load: venv  ## Load the generated files into the database (SQLite data/homecredit.db by default)
	$(PY) -m database load --source $(DEMO_DATA)

demo: data load  ## Generate synthetic data, load it, train the model and run the product

test: venv  ## Run the test suite
	$(PY) -m pytest

lint: venv  ## Check the code style
	$(PY) -m ruff check .

clean:  ## Remove generated data and models (keeps the virtualenv)
	rm -rf data models
