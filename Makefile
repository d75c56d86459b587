# Every target sets up its own environment: a .venv with the pinned requirements,
# rebuilt when requirements.txt or pyproject.toml change.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-stamp
JB := $(BIN)/jupyter-book
# --all: Sphinx re-reads (so re-executes) every page; without it, a page whose
# source did not change would keep output computed by an older src/gaussml.
JB_FLAGS := --all -W -n --keep-going
PORT ?= 8000

.PHONY: book pdf handout test serve clean venv

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

book: $(STAMP)
	GAUSSML_FIGURE_FORMATS=svg $(JB) build . $(JB_FLAGS)
	@echo "The site is in $(CURDIR)/_build/html (open index.html, or run 'make serve')"

pdf: $(STAMP)
	@command -v xelatex >/dev/null || { echo "xelatex not found: run 'sudo bash scripts/install-tex.sh' first" >&2; exit 1; }
	GAUSSML_FIGURE_FORMATS=pdf $(JB) build . --builder pdflatex $(JB_FLAGS)
	@echo "The PDF is $(CURDIR)/_build/latex/gaussml-book.pdf"

handout: $(STAMP)
	@command -v xelatex >/dev/null || { echo "xelatex not found: run 'sudo bash scripts/install-tex.sh' first" >&2; exit 1; }
	$(BIN)/python scripts/handout_config.py _build/handout-config/_config.yml
	GAUSSML_FIGURE_FORMATS=pdf $(JB) build . --builder pdflatex --config _build/handout-config/_config.yml --path-output _build/handout $(JB_FLAGS)
	@echo "The handout is $(CURDIR)/_build/handout/_build/latex/gaussml-handout.pdf"

test: $(STAMP)
	$(BIN)/python -m pytest -n 2

serve:
	@test -f _build/html/index.html || { echo "no site yet: run 'make book' first" >&2; exit 1; }
	$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

clean:
	rm -rf _build .pytest_cache .hypothesis

# --- quality gates (tests/test_build_gates.py, tests/test_site_browser.py, scripts/) ---
.PHONY: test-slow check-links check-reproducible bench lint verify mutants

verify: $(STAMP)  # every claim and its binding to the displayed LaTeX, without building
	$(BIN)/python -m gaussml verify

mutants: $(STAMP)  # small edits to every numbered equation must each fail verify
	$(BIN)/python scripts/equation_mutants.py

test-slow: $(STAMP)  # the failure gates: each builds the book in a temporary copy
	$(BIN)/python -m pytest -n 2 --slow -m slow

check-links: $(STAMP)  # after `make book`
	$(BIN)/python scripts/check_links.py _build/html

check-reproducible: $(STAMP)  # two fresh builds; AGAINST=_build compares one with the last `make book`
	$(BIN)/python scripts/check_reproducible.py $(if $(AGAINST),--against $(AGAINST))

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

lint: $(STAMP)
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/ruff check src tests scripts
