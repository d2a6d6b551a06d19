# Asisten Warga — the command set. `make help` lists the targets.
# Two runtimes, two virtual environments: .venv/rasa (Python 3.10) and .venv/api (Python >= 3.11).

SHELL := /bin/bash
RASA_VENV := .venv/rasa
API_VENV  := .venv/api
DEPLOY_VENV := .venv/deploy
RASA := $(RASA_VENV)/bin
API  := $(API_VENV)/bin
ENDPOINTS ?= endpoints.yml
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
# Playwright (browser tests) drives Debian's chromium; it must never download a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export PYTHONPATH := $(CURDIR)

.PHONY: help run test setup chromium haproxy axe promtool check-deploy train shell telegram-polling validate evaluate lint lock clean bench facts \
	eval-conversations cluster test-cluster nlu-candidates

help:  ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-17s %s\n", $$1, $$2}'

run: setup train  ## Install, train if the data changed, start Rasa, actions and gateway.
	scripts/run

test: setup chromium haproxy axe promtool  ## Run the whole test suite (what CI runs).
	scripts/test

setup: $(RASA_VENV)/.installed $(API_VENV)/.installed $(DEPLOY_VENV)/.installed  ## Create the virtual environments (Rasa, gateway, deployment checks).

chromium:  ## Install Debian's chromium for the browser tests when it is missing (as root).
	scripts/ensure-chromium

$(RASA_VENV)/.installed: requirements/rasa.lock
	test -x $(RASA)/python || $$(scripts/find-python 3.10) -m venv $(RASA_VENV)
	$(RASA)/pip install -q --upgrade pip
	$(RASA)/pip install -q -r requirements/rasa.lock
	touch $@

AXE := tests/browser/axe/node_modules/.installed
axe: $(AXE)  ## Install axe-core (pinned, from the npm registry) for the accessibility checks of the browser tests.

$(AXE): tests/browser/axe/package-lock.json
	npm ci --prefix tests/browser/axe --no-audit --no-fund --loglevel=error
	touch $@

haproxy:  ## Install Debian's HAProxy (the deployment checks, the cluster) when it is missing (as root).
	scripts/ensure-haproxy

promtool:  ## Install Debian's promtool (checks the alert rules, deploy/monitoring/) when it is missing (as root).
	scripts/ensure-promtool

check-deploy: $(DEPLOY_VENV)/.installed haproxy  ## Check the container, compose and Helm files offline (deploy/check.py).
	$(DEPLOY_VENV)/bin/python deploy/check.py

$(DEPLOY_VENV)/.installed: requirements/deploy.lock
	test -x $(DEPLOY_VENV)/bin/python || $$(scripts/find-python 3.11 --min) -m venv $(DEPLOY_VENV)
	$(DEPLOY_VENV)/bin/pip install -q --upgrade pip
	$(DEPLOY_VENV)/bin/pip install -q -r requirements/deploy.lock
	touch $@

$(API_VENV)/.installed: requirements/api.lock
	test -x $(API)/python || $$(scripts/find-python 3.11 --min) -m venv $(API_VENV)
	$(API)/pip install -q --upgrade pip
	$(API)/pip install -q -r requirements/api.lock
	touch $@

train: $(RASA_VENV)/.installed  ## Train the model (skipped by Rasa when nothing changed).
	$(RASA)/rasa train --quiet --fixed-model-name asisten-warga

bench: setup train  ## Benchmarks (about 15 min): var/bench/*.json, docs/benchmarks.md and its plots.
	bench/run

lint: setup  ## ruff over the tree, mypy over each runtime (the first step of make test).
	scripts/lint

evaluate: train  ## Rasa's own evaluation on the held-out data: test stories and NLU split, into var/reports/rasa-test.
	$(RASA)/rasa test --model models/asisten-warga.tar.gz --stories tests/stories --nlu tests/nlu --out var/reports/rasa-test

CONVERSATIONS ?= tests/conversations/corpus
eval-conversations: setup train  ## Play the conversation corpus (or CONVERSATIONS=path) through the whole assistant: docs/conversations.md, var/reports/conversations.json.
	$(API)/python -m tests.conversations.harness $(CONVERSATIONS)

validate: $(RASA_VENV)/.installed  ## Check domain, stories, rules and NLU data.
	$(RASA)/rasa data validate --fail-on-warnings

shell: setup train  ## Chat in the terminal (starts the action server too).
	scripts/shell

nlu-candidates: $(API_VENV)/.installed  ## Export the questions marked in the console's dashboard to var/nlu-candidates/ for review (never into data/).
	$(API)/python -m api.analytics.candidates

telegram-polling: $(API_VENV)/.installed  ## Telegram bot by polling (AW_TELEGRAM_BOT_TOKEN; Rasa from make run).
	$(API)/python -m connectors.telegram.polling

cluster: setup haproxy train  ## The production topology on this machine: 2 gateways, 2 Rasa, 2 action servers, HAProxy, PostgreSQL, Redis, RabbitMQ (ports 18300-18399).
	scripts/cluster

test-cluster: setup haproxy train  ## Kill tests on the cluster (about 10 min; the last step of make test): replicas killed under load, bursts, analytics without identifiers.
	$(API)/python -m tests.cluster $(CLUSTER_ARGS)

AS_OF ?= $(shell date -u +%F)
facts:  ## Regenerate docs/facts.md, the fact audit, as of today (or AS_OF=YYYY-MM-DD).
	$(API)/python -m knowledge.audit --as-of $(AS_OF) > docs/facts.md.tmp && mv docs/facts.md.tmp docs/facts.md

lock:  ## Re-resolve requirements/*.in into the pinned requirements/*.lock files.
	scripts/lock

clean:  ## Remove the environments, models and local databases.
	rm -rf .venv models var
