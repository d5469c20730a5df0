# Setu: `make run` to chat, `make test` to test. Everything lives in .venv.
PY := .venv/bin/python
PIP := .venv/bin/pip
STAMP := .venv/.installed

.PHONY: install run index test bench clean

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

test: install
	$(PY) -m pytest -q

bench: install
	$(PY) bench/run.py

clean:
	rm -rf .venv index test-artifacts
