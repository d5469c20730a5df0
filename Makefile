# Setu: `make run` to chat, `make test` to test. Everything lives in .venv.
PY := .venv/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PIP := .venv/bin/pip
STAMP := .venv/.installed

.PHONY: install run index test bench clean chromium

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	# torch first, as the CPU wheel that is on disk; then the exact versions of everything else.
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -r requirements.lock
	$(PIP) install --quiet --no-deps -e .
	touch $(STAMP)

index: install
	.venv/bin/setu index || echo "Some files could not be indexed (listed above); the rest are searchable."

run: index
	$(PY) app.py

test: install chromium
	$(PY) -m pytest -q

# The browser tests drive Debian's Chromium (Playwright cannot download browsers here).
chromium:
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

bench: install
	$(PY) bench/run.py

clean:
	rm -rf .venv index test-artifacts
