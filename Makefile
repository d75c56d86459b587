# Every target that runs the project's Python first runs scripts/setup_venv.sh:
# it checks the interpreter (PYTHON: a version the pins support) and makes .venv
# fit, anew when the pins or the interpreter change or an executable is missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-stamp
# The strict build (-W -n --keep-going), pages executed two at a time, outputs
# cached under a key of src/gaussml, the pins and src/bookkit/sphinx (bookkit.build):
# a prose edit re-executes nothing, a package edit re-executes every page.
BUILD := $(BIN)/python -m bookkit.build
JOBS ?= 2
PORT ?= 8000
# This clone's own packages (gaussml, bookkit) before the installed ones: the venv's
# editable install may point at another clone (a copy the tests build in shares it).
export PYTHONPATH := $(CURDIR)/src$(if $(PYTHONPATH),:$(PYTHONPATH))

.PHONY: all book pdf handout handouts test serve clean distclean venv check-tex $(STAMP)

venv: $(STAMP)

# Always run: quick when .venv is fit (see the script's header).
$(STAMP):
	@PYTHON='$(PYTHON)' VENV='$(VENV)' bash scripts/setup_venv.sh

# `make pdf`, `make handout` and `make handouts` check TeX before any Python set-up.
ifneq ($(filter pdf handout handouts,$(MAKECMDGOALS)),)
$(STAMP): check-tex
endif

book: $(STAMP)
	$(BUILD) --jobs $(JOBS) --report _build/bench/make-book.json
	$(BIN)/python -m bookkit.prune_stale_pages _build
	@echo "The site is in $(CURDIR)/_build/html (open index.html, or run 'make serve')"

pdf: check-tex $(STAMP)
	$(BUILD) --jobs $(JOBS) --builder pdflatex --report _build/bench/make-pdf.json
	@echo "The PDF is $(CURDIR)/_build/latex/gaussml-book.pdf"

# The student handout: no solution, and without the appendices for teachers (the
# verification report, the execution statistics, the API reference); FULL=1 keeps them.
handout: check-tex $(STAMP)
	$(BIN)/python -m bookkit.handout_config $(if $(FULL),--teacher) _build/handout-config/_config.yml
	$(BUILD) --jobs $(JOBS) --builder pdflatex --config _build/handout-config/_config.yml --toc _build/handout-config/_toc.yml --path-output _build/handout --caches _build/.jupyter_cache
	@echo "The handout is $(CURDIR)/_build/handout/_build/latex/gaussml-handout.pdf"

# One student handout per chapter, cut from the handout's LaTeX (bookkit.chapter_handouts).
handouts: handout
	$(BIN)/python -m bookkit.chapter_handouts
	@echo "The chapter handouts are in $(CURDIR)/_build/handouts"

test: $(STAMP)
	$(BIN)/python -m pytest -n 2

# The PDFs first: the site then links them (bookkit.sphinx.pdf_links).
all:
	$(MAKE) pdf
	$(MAKE) handouts
	$(MAKE) book

# bookkit.serve needs only the standard library (and bookkit's __init__): no .venv.
serve:
	@test -f _build/html/index.html || { echo "no site yet: run 'make book' first" >&2; exit 1; }
	$(PYTHON) -m bookkit.serve $(PORT) _build/html

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

# --- quality gates (tests/build/test_build_gates.py, tests/site/test_site_browser.py, src/bookkit/) ---
.PHONY: test-slow test-seeds check-links check-reproducible bench lint verify mutants check-numbers

# Every claim and its binding to the displayed LaTeX, without building; what
# _build/claims/results.json holds (gaussml.derivations._results: keyed on each
# claim's code and displayed LaTeX) does not run again, here or in the build.
verify: $(STAMP)
	$(BIN)/python -m bookkit.verify

mutants: $(STAMP)  # small edits to every numbered equation must each fail verify (checked afresh)
	$(BIN)/python -m bookkit.equation_mutants

# PYTEST_ARGS: e.g. .ci/run deselects the mutation test, which `make mutants` ran.
test-slow: $(STAMP)  # the failure gates: each builds a reduced book in a temporary copy
	$(BIN)/python -m pytest -n 2 --slow -m "slow and not seeds" $(PYTEST_ARGS)

# Every chapter executed 21 times (bookkit.seed_robustness), two at a time:
# each assertion must hold on the published seed and on 19 of 20 shifted ones.
test-seeds: $(STAMP)
	$(BIN)/python -m pytest -n 2 --slow -m seeds tests/build/test_seed_robustness.py $(PYTEST_ARGS)

check-links: $(STAMP)  # after `make book`
	$(BIN)/python -m bookkit.check_links _build/html

# Two fresh builds; AGAINST=_build compares one with the last `make book`; PLAIN=1 makes the
# fresh build(s) with plain `jupyter-book build` (no cache, pages in sequence).
check-reproducible: $(STAMP)
	$(BIN)/python -m bookkit.check_reproducible $(if $(AGAINST),--against $(AGAINST)) $(if $(PLAIN),--plain)

# BENCH_ARGS: e.g. .ci/run's --goals-only (not the package's own benchmarks).
bench: $(STAMP)
	$(BIN)/python -m bookkit.bench $(BENCH_ARGS)

# The code cells of the chapters listed here are formatted and linted like
# src/, at 79 characters (bookkit.lint_chapters; `--fix` formats them in
# place). Every chapter.
LINT_CHAPTERS := $(wildcard book/chapters/*.md)

lint: $(STAMP)
	$(BIN)/ruff format --check src tests
	$(BIN)/ruff check src tests
	$(BIN)/python -m bookkit.lint_chapters $(LINT_CHAPTERS)
	$(BIN)/python -m bookkit.check_numbers

# Every number the reader sees is glued, never typed (bookkit.check_numbers;
# the legitimate exceptions, each with its reason: src/bookkit/numbers_allowlist.toml).
check-numbers: $(STAMP)
	$(BIN)/python -m bookkit.check_numbers
