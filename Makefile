# Quick start: `make run` serves the demo, `make test` runs the whole suite.
# Another Python: `make test PYTHON=python3.13 VENV=.venv-3.13`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint check clean bench messages audio

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed: make PYTHON=python3.12 ..."; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { echo "Could not make a virtual environment: on Debian or Ubuntu, apt-get install python3-venv"; exit 1; }
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $@

# The easy-read form's spoken audio (docs/audio.md), made again when a questionnaire,
# a translation or the voice changes. Without espeak-ng and lame the form still works
# (the device's own voice reads it, where it has one), so setup never fails here.
AUDIO_STAMP := generated/.audio-built
setup: $(VENV)/.installed $(AUDIO_STAMP)

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
bench: setup
	$(PY) -m bench.run

# After changing a marked text: extract every text into locale/cy/LC_MESSAGES/*.po, fill in
# the Welsh (docs/languages.md), then run this again to compile. Needs GNU gettext.
MESSAGES_IGNORE := --ignore='.venv*' --ignore=staticfiles --ignore=build --ignore=tests --ignore=bench --ignore=scripts --ignore=static/vendor --ignore=test-artifacts --ignore=generated
messages: setup
	$(PY) manage.py makemessages -l cy -d django -e html,txt,py --no-location --no-obsolete $(MESSAGES_IGNORE)
	$(PY) manage.py makemessages -l cy -d djangojs --no-location --no-obsolete $(MESSAGES_IGNORE)
	$(PY) manage.py compilemessages -l cy --ignore='.venv*'

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles .pytest_cache generated
