# Quick start: `make run` serves the demo, `make test` runs the whole suite.
# Another Python: `make test PYTHON=python3.13 VENV=.venv-3.13`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint check clean bench messages audio lock

# Every install comes from the lock files, each download checked against its hash
# (docs/dependencies.md). The venv's own pip, which came with Python, does it; the project
# itself is built with the locked setuptools (build isolation would fetch an unpinned one).
LOCKS := requirements/runtime.txt requirements/dev.txt
PIP := $(VENV)/bin/pip --quiet --disable-pip-version-check
$(VENV)/.installed: pyproject.toml $(LOCKS)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed: make PYTHON=python3.12 ..."; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "Could not make a virtual environment: on Debian or Ubuntu, apt-get install python3-venv"; exit 1; }
	$(PIP) install --require-hashes -r requirements/dev.txt
	$(PIP) install --no-deps --no-build-isolation -e .
	touch $@

# The lock files again from pyproject.toml, for Python 3.11 and every newer one at once, with
# hashes: after changing a dependency or its bounds, or `make lock UPGRADE=1` for the newest
# versions the bounds allow (LOCK_ARGS="--upgrade-package Django" for one). Then make test,
# and commit pyproject.toml with requirements/. Needs uv (pipx install uv). dev.txt keeps
# runtime.txt's pins (-c) and adds the dev extra and the build backend ([build-system] requires).
UV ?= uv
LOCK_FLAGS = --universal --python-version 3.11 --generate-hashes --quiet --custom-compile-command "make lock" $(if $(UPGRADE),--upgrade) $(LOCK_ARGS)
lock:
	@command -v $(UV) >/dev/null || { echo "make lock needs uv: pipx install uv (or pip install uv into any venv; make lock UV=/path/to/uv)"; exit 1; }
	$(UV) pip compile pyproject.toml $(LOCK_FLAGS) -o requirements/runtime.txt
	$(PYTHON) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")' \
		| $(UV) pip compile pyproject.toml - --extra dev -c requirements/runtime.txt $(LOCK_FLAGS) -o requirements/dev.txt

# The easy-read form's spoken audio (docs/audio.md), made again when a questionnaire,
# a translation or the voice changes. Without espeak-ng and lame the form still works
# (the device's own voice reads it, where it has one), so setup never fails here.
AUDIO_STAMP := generated/.audio-built
setup: $(VENV)/.installed $(AUDIO_STAMP)

# Commands that serve no page still load the settings, which refuse to start without a
# SECRET_KEY when DEBUG is off (peersurvey/settings.py): they get a throwaway one unless the
# environment has its own. The test run sets its own (peersurvey/pytest_plugin.py).
check audio messages $(AUDIO_STAMP): export SECRET_KEY ?= make-tools-only-never-serves-a-page

$(AUDIO_STAMP): $(VENV)/.installed surveys/audio.py surveys/recorded-audio.toml $(wildcard surveys/questionnaires/*.toml surveys/questionnaires/*/*.toml)
	@if command -v espeak-ng >/dev/null && command -v lame >/dev/null; then \
		$(PY) manage.py build_audio --prune && touch $@ || echo "The read-aloud audio was not made (above); the form works without it."; \
	else \
		echo "No espeak-ng or lame, so no read-aloud audio. To make it: apt-get install espeak-ng lame, then make audio"; \
	fi

audio: $(VENV)/.installed
	$(PY) manage.py build_audio --prune
	@touch $(AUDIO_STAMP)

run: setup
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py demo --base-url http://$(HOST):$(PORT)
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: setup
	$(VENV)/bin/pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: setup
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# PostgreSQL at 127.0.0.1:5432 (user postgres); drops and re-creates the database
# peersurvey_bench. BENCH_SIZES=1000 for a quick run; see bench/run.py.
# Then the page weight (bench/page_weight.py): a first visit's bytes on the wire and the time
# until the dashboard's charts are drawn, in headless Chromium against a gunicorn of its own
# (SQLite, demo data; 2-4 min, most of it collectstatic and the demo). BENCH_PAGE_WEIGHT=0
# skips it; under CI (CI=true) it is skipped unless BENCH_PAGE_WEIGHT=1.
BENCH_PAGE_WEIGHT ?= $(if $(CI),0,1)
bench: setup
	$(PY) -m bench.run
	@if [ "$(BENCH_PAGE_WEIGHT)" = 1 ]; then $(PY) -m bench.page_weight; \
	else echo "page weight skipped (BENCH_PAGE_WEIGHT=$(BENCH_PAGE_WEIGHT)); run: $(PY) -m bench.page_weight"; fi

# After changing a marked text: extract every text into locale/cy/LC_MESSAGES/*.po, fill in
# the Welsh (docs/languages.md), then run this again to compile. Needs GNU gettext.
MESSAGES_IGNORE := --ignore='.venv*' --ignore=staticfiles --ignore=build --ignore=tests --ignore=bench --ignore=scripts --ignore=static/vendor --ignore=test-artifacts --ignore=generated
messages: setup
	$(PY) manage.py makemessages -l cy -d django -e html,txt,py --no-location --no-obsolete $(MESSAGES_IGNORE)
	$(PY) manage.py makemessages -l cy -d djangojs --no-location --no-obsolete $(MESSAGES_IGNORE)
	$(PY) manage.py compilemessages -l cy --ignore='.venv*'

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles .pytest_cache generated
