# Every target that runs the project's Python first runs scripts/setup_venv.sh:
# it checks the interpreter (PYTHON: a version the pins support) and makes .venv
# fit, anew when the pins or the interpreter change or an executable is missing.
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

.PHONY: all book pdf handout test serve clean distclean venv check-tex $(STAMP)

venv: $(STAMP)

# Always run: quick when .venv is fit (see the script's header).
$(STAMP):
	@PYTHON='$(PYTHON)' VENV='$(VENV)' bash scripts/setup_venv.sh

# `make pdf` and `make handout` check TeX before any Python set-up.
ifneq ($(filter pdf handout,$(MAKECMDGOALS)),)
$(STAMP): check-tex
endif

book: $(STAMP)
	GAUSSML_FIGURE_FORMATS=svg $(JB) build . $(JB_FLAGS)
	$(BIN)/python scripts/prune_stale_pages.py _build
	@echo "The site is in $(CURDIR)/_build/html (open index.html, or run 'make serve')"

pdf: check-tex $(STAMP)
	GAUSSML_FIGURE_FORMATS=pdf $(JB) build . --builder pdflatex $(JB_FLAGS)
	@echo "The PDF is $(CURDIR)/_build/latex/gaussml-book.pdf"

handout: check-tex $(STAMP)
	$(BIN)/python scripts/handout_config.py _build/handout-config/_config.yml
	GAUSSML_FIGURE_FORMATS=pdf $(JB) build . --builder pdflatex --config _build/handout-config/_config.yml --path-output _build/handout $(JB_FLAGS)
	@echo "The handout is $(CURDIR)/_build/handout/_build/latex/gaussml-handout.pdf"

test: $(STAMP)
	$(BIN)/python -m pytest -n 2

# The PDFs first: the site then links them (book/_ext/pdf_links.py).
all:
	$(MAKE) pdf
	$(MAKE) handout
	$(MAKE) book

serve:
	@test -f _build/html/index.html || { echo "no site yet: run 'make book' first" >&2; exit 1; }
	$(PYTHON) scripts/serve.py $(PORT) _build/html

clean:  # keeps .venv
	rm -rf _build .pytest_cache .hypothesis

distclean: clean
	rm -rf $(VENV)

# xelatex, latexmk, bbm.sty (texlive-fonts-extra) and FreeSerif (fonts-freefont-otf).
check-tex:
	@missing=""; \
	for tool in xelatex latexmk kpsewhich; do command -v $$tool >/dev/null || missing="$$missing $$tool"; done; \
	command -v kpsewhich >/dev/null && { [ -n "$$(kpsewhich bbm.sty)" ] || missing="$$missing bbm.sty"; }; \
	command -v fc-list >/dev/null && { [ -n "$$(fc-list FreeSerif)" ] || missing="$$missing FreeSerif"; }; \
	[ -z "$$missing" ] || { echo "make: TeX Live is incomplete (missing:$$missing): run 'sudo bash scripts/install-tex.sh'" >&2; exit 1; }

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

# The code cells of the chapters listed here are formatted and linted like
# src/, at 79 characters (scripts/lint_chapters.py; `--fix` formats them in
# place). A chapter is listed once its cells pass.
LINT_CHAPTERS := book/chapters/02_highdim.md book/chapters/03_regression.md book/chapters/04_autodiff_nn.md

lint: $(STAMP)
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/ruff check src tests scripts
	$(BIN)/python scripts/lint_chapters.py $(LINT_CHAPTERS)
