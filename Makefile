# Two commands do everything: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEMO_CLIENTS ?= 10000
DEMO_SEED ?= 42
DEMO_DATA := data/synthetic
# The demo's training budget, scaled to its size (a few CPU minutes); `make train TRAIN_ARGS=`
# (empty) runs the full search: 5 folds, 30 Hyperopt evaluations, every imbalance strategy.
DEMO_FOLDS ?= 2
DEMO_EVALS ?= 2
DEMO_SAMPLE ?= 4000
DEMO_STRATEGIES ?= none,class_weight
TRAIN_ARGS ?= --folds $(DEMO_FOLDS) --max-evals $(DEMO_EVALS) --sample $(DEMO_SAMPLE) \
	--strategies $(DEMO_STRATEGIES) --compare-rows $(DEMO_SAMPLE) --no-policy-cost
WEB_PORT ?= 5006
API_PORT ?= 8000
DASHBOARD_PORT ?= 5006
MONITOR_OUT ?= data/monitoring
# Models are signed at training and verified before every load (docs/operations.md, "Model signing"). With no
# key configured (MODEL_SIGNING_KEY, MODEL_SIGNING_KEY_FILE, here or in .env), the demo uses its own key: random,
# made once on this machine in a git-ignored file, for demo models only.
DEMO_SIGNING_KEY := data/demo-model-signing.key
ifeq ($(strip $(MODEL_SIGNING_KEY)$(MODEL_SIGNING_KEY_FILE)$(shell grep -s '^MODEL_SIGNING_KEY' .env)),)
export MODEL_SIGNING_KEY_FILE := $(CURDIR)/$(DEMO_SIGNING_KEY)
endif
# Decided on the file, not on the variable being empty: `make demo` runs load and train in sub-makes, which
# inherit the variable exported above and must still make the key.
ifeq ($(MODEL_SIGNING_KEY_FILE),$(CURDIR)/$(DEMO_SIGNING_KEY))
SIGNING_KEY := $(DEMO_SIGNING_KEY)
endif

.PHONY: demo test venv data load train scores monitor serve sign lint docs clean help

help:  ## List the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

venv: $(VENV)/.installed  ## Create the virtualenv and install the pinned dependencies

$(VENV)/.installed: requirements.txt requirements-train.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

data: venv $(DEMO_DATA)/.done  ## Generate the synthetic Home Credit files (DEMO_CLIENTS clients)

$(DEMO_DATA)/.done:
	$(PY) -m database.synthetic --clients $(DEMO_CLIENTS) --seed $(DEMO_SEED) --out $(DEMO_DATA)
	touch $@

$(DEMO_SIGNING_KEY):
	@mkdir -p $(@D)
	@umask 077 && $(PY) -c "import secrets; print(secrets.token_urlsafe(32))" > $@.tmp && mv $@.tmp $@
	@echo "made the demo's model-signing key in $@ (this machine's demo models only)"

load: data $(SIGNING_KEY)  ## Load the generated files into the database (SQLite data/homecredit.db by default), then monitor
	$(PY) -m database load --source $(DEMO_DATA)
	@if [ -e $${MODEL_DIR:-models}/latest ]; then $(MAKE) --no-print-directory monitor; fi

train: venv $(SIGNING_KEY)  ## Train a model on the database with the demo budget (TRAIN_ARGS; empty = the full search)
	$(PY) -m modeling train $(TRAIN_ARGS) --true-pd $(DEMO_DATA)/true_pd.csv

scores: venv $(SIGNING_KEY)  ## Score and explain every client into the batch score store (served until the next load)
	$(PY) -m modeling predict --store

monitor: venv $(SIGNING_KEY)  ## Drift (PSI/CSI) and back-testing of the database's clients against the model; report in MONITOR_OUT
	$(PY) -m modeling monitor --out $(MONITOR_OUT)

serve: venv $(SIGNING_KEY)  ## Run the API (port API_PORT) and the dashboard (port DASHBOARD_PORT) until Ctrl-C
	@DEMO_DATA=$(DEMO_DATA) API_PORT=$(API_PORT) DASHBOARD_PORT=$(DASHBOARD_PORT) PY=$(PY) sh bin/serve-demo

sign: venv $(SIGNING_KEY)  ## Sign the latest model with the configured key (a model trained before signing)
	$(PY) -m modeling sign $${MODEL_DIR:-models}/latest

.PHONY: web
web: venv $(SIGNING_KEY)  ## Run the dashboard (/) and the API (/api/) on one port (WEB_PORT), as deployed
	PORT=$(WEB_PORT) WEB_HOST=127.0.0.1 $(PY) -m webapp serve

demo: venv  ## Synthetic data -> database -> model (reused when present) -> batch scores -> API and dashboard
	@$(MAKE) --no-print-directory load
	@test -e $${MODEL_DIR:-models}/latest || $(MAKE) --no-print-directory train
	@$(MAKE) --no-print-directory scores
	@$(MAKE) --no-print-directory serve

TEST_WORKERS ?= 2
test: venv  ## Run the test suite on TEST_WORKERS processes (each test file kept on one)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

PM_DOCS := docs/gestion-projet
docs: venv  ## Regenerate the project-management documents and deck (TESTS=run reruns the suite; BUSINESS_MODEL=dir BUSINESS_SOURCE=dir redoes the business case)
ifeq ($(TESTS),run)
	# documents first, so that the run's check of the documents against their sources sees them current
	$(PY) -m pm all
	-$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile -q -p no:cacheprovider --junitxml=$(PM_DOCS)/junit.xml
endif
ifneq ($(BUSINESS_MODEL),)
	$(PY) -m pm business --model $(BUSINESS_MODEL) --source $(BUSINESS_SOURCE)
endif
	$(PY) -m pm all
	@if command -v pdftoppm >/dev/null; then \
		pdftoppm -r 60 -png -f 16 -l 16 -singlefile $(PM_DOCS)/soutenance.pdf docs/img/soutenance-valeur-acquise; \
	else echo "pdftoppm not found (apt-get install poppler-utils): docs/img/soutenance-valeur-acquise.png not refreshed"; fi

lint: venv  ## Check the code style
	$(PY) -m ruff check .

clean:  ## Remove generated data and models (keeps the virtualenv)
	rm -rf data models
