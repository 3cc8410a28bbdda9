# The two commands: `make run` and `make test`. Both set the machine up first (idempotent).
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3
THREADS ?= 4

.PHONY: setup run serve demo test lint check messages

setup:
	bash scripts/setup.sh

## Install what is missing, load the demo district once, serve the app on http://$(HOST):$(PORT)
run: setup demo serve

demo:
	$(PY) manage.py load_demo
	$(PY) manage.py load_demo_plan
	$(PY) manage.py load_demo_accounts
	$(PY) manage.py load_demo_dossiers
	$(PY) manage.py load_demo_reports

serve:
	@# With --reuse-port a second server on the port would share its connections: refuse instead.
	@$(PY) scripts/port_free.py $(HOST) $(PORT)
	@echo "Serving urbanmgmt on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	@# In the background: the leaders' heat maps, recomputed once a minute when reports changed;
	@# the dossiers' daily steps (consultations deemed agreed, lateness warnings), checked hourly.
	@# --reuse-port: each worker listens on its own socket and the kernel spreads new connections
	@# over them; on one shared socket the quickest worker took most of a burst of keep-alive
	@# connections and kept them (bench/lookup.py saw passes at 60 % of the others' rate). A worker
	@# that is restarted drops the connections waiting on its own socket: workers here are only
	@# restarted when one hangs past --timeout.
	@# gunicorn's ASGI worker (urbanmgmt/asgi.py): the lookup answers on its event loop, Django
	@# runs in THREADS threads of each worker, as under a threaded WSGI server.
	$(PY) manage.py refresh_heatmaps --loop 60 -v 0 & \
	$(PY) manage.py dossiers_daily --loop 3600 -v 0 & \
	WSGI_THREADS=$(THREADS) $(VENV)/bin/gunicorn urbanmgmt.asgi:application --bind $(HOST):$(PORT) \
		--worker-class asgi --workers $(WORKERS) --reuse-port --access-logfile - --timeout 120

## The whole test suite against a real PostGIS
test: setup
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

## Refresh the Vietnamese catalogues (the project's in locale/, each app's in <app>/locale/);
## then translate the new entries and `make setup` compiles them. APP=planning limits it to one app.
messages:
ifdef APP
	cd $(APP) && ../$(PY) ../manage.py makemessages -l vi --no-wrap --no-obsolete
else
	$(PY) manage.py makemessages -l vi --no-wrap --no-obsolete \
		--ignore '$(VENV)/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'bench/*' --ignore 'fixtures/*'
endif
