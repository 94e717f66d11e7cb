# partytrack — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-fast install install-dev syscheck syscheck-test lint migrate demo messages clean

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Cần $(PYTHON) (Python 3.11). Needs Python 3.11."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# WeasyPrint needs Pango from the system and the PDFs need a Times-compatible serif font that has
# the Vietnamese letters (Liberation Serif 2, Debian's fonts-liberation2: version 1 lacks ộ, ướ...).
# The browser journeys of `make test` drive Debian's Chromium.
APT_RUN := libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation2
APT_TEST := $(APT_RUN) chromium
define check_packages
	@missing=""; \
	PATH="$$PATH:/sbin:/usr/sbin" ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so' || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	fc-list ':charset=1ed9' family 2>/dev/null | grep -qi 'Liberation Serif' || missing="$$missing fonts-liberation2"; \
	$(if $(1),[ -x /usr/bin/chromium ] || missing="$$missing chromium";) \
	if [ -n "$$missing" ]; then \
	  echo "Thiếu gói hệ thống:$$missing"; \
	  echo "Missing system packages:$$missing. Install them with:"; \
	  echo "  sudo apt-get install -y $(if $(1),$(APT_TEST),$(APT_RUN))"; \
	  exit 1; \
	fi
endef

syscheck:
	$(call check_packages,)

syscheck-test:
	$(call check_packages,test)

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: syscheck $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	@echo ""
	@echo "partytrack: http://$(HOST):$(PORT)/  — đăng nhập bằng một tài khoản demo ở trên."
	@# The report worker builds large PDF/Excel reports in the background; it stops with the server.
	@$(PY) manage.py report_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

test: syscheck-test $(VENV)/.installed-dev
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The inner loop, under 90 s: all but the browser journeys, the fuzzers and the PostgreSQL-only tests,
# on two processes (pytest-xdist). `make test` above still runs everything, in one process.
test-fast: $(VENV)/.installed-dev
	$(VENV)/bin/pytest -m "not browser and not fuzz and not postgres" -n 2 $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=staticfiles
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
