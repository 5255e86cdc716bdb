# Set-up is part of every target: a fresh clone needs only `make run` or `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint bench screenshot check-sample clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.app-installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# The tests also install the optional Ray extra: they train through a local Ray cluster.
$(VENV)/.dev-installed: requirements.txt requirements-dev.txt requirements-ray.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt -r requirements-ray.txt
	touch $(VENV)/.app-installed $@

$(CHROMIUM):
	@if [ "$$(id -u)" = "0" ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji; \
	else \
		echo "Chromium is missing: run 'sudo apt-get install chromium' (Debian) and 'make test' again." >&2; exit 1; \
	fi

run: $(VENV)/.app-installed
	$(BIN)/streamlit run app.py --server.port $(PORT)

# Two workers, one a core (TensorFlow runs one thread an op here), for everything but the browser tests, a file's
# tests on one worker so its module fixtures train once, the longest files first (tests/conftest.py; xdist would
# otherwise order files by their number of tests); then the browser tests on their own: they wait on a live
# server's training, and beside the other tests on the same cores both sides ran about twice as slowly. They run on
# two workers too, each with its own server and Chromium: one test alone left a core idle while it waited on
# training or the page (248 s instead of 290 s, the machine 94 % busy instead of 76 %).
# The browser phase collects only its own folder (the whole suite's collection took 5 s more).
# bench/suite_cpu.py runs these two phases with the same arguments (keep them alike) and sums their CPU by process.
test: $(VENV)/.dev-installed $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder -m "not browser"
	$(BIN)/python -m pytest -n 2 --dist load -m browser tests/browser

# The README's picture: the browser test that frames a default run, writing docs/screenshot.png.
screenshot: $(VENV)/.dev-installed $(CHROMIUM)
	LSTM_PLAYGROUND_SCREENSHOT=docs/screenshot.png $(BIN)/python -m pytest tests/browser/test_browser_playground.py \
		-k readme_screenshot -q
	LSTM_PLAYGROUND_INSIDE_SCREENSHOT=docs/inside.png $(BIN)/python -m pytest tests/browser/test_browser_inside.py \
		-k readme_picture -q

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .

bench: $(VENV)/.dev-installed
	$(BIN)/python bench/train_speed.py
	$(BIN)/python bench/monitor_cost.py
	$(BIN)/python bench/checks_speed.py
	$(BIN)/python bench/window_speed.py
	$(BIN)/python bench/first_paint.py
	$(BIN)/python bench/page_load.py
	$(BIN)/python bench/rerun_gc.py
	$(BIN)/python bench/lr_find_speed.py
	$(BIN)/python bench/first_point.py
	$(BIN)/python bench/compile_once.py
	$(BIN)/python bench/first_trace.py
	$(BIN)/python bench/xla_choice.py
	$(BIN)/python bench/worker_start.py
	$(BIN)/python bench/validation_cost.py
	$(BIN)/python bench/memory.py
	$(BIN)/python bench/sweep_speed.py
	$(BIN)/python bench/ets_cache.py
	$(BIN)/python bench/whole_run.py
	$(BIN)/python bench/inside_paint.py
	$(BIN)/python bench/text_classify_speed.py
	$(BIN)/python bench/text_lm_speed.py
	$(BIN)/python bench/forecast_baselines.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
