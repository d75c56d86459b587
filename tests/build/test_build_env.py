"""The build survives what people do to it.

Each test drives the Makefile in a temporary copy of the project
(`bookkit.project.copy_project`). The environment tests use fake
interpreters: a `python3.x` that answers the set-up script's probe and fakes
`-m venv`, a venv `python` that records every pip call, and a `uv` (which
that pip "installs") that records its calls and "installs" each pin as a file
`.venv/lib/<name>` plus the executables the targets need. They
are unmarked (about 15 s together). The TeX tests put fake tools first on PATH (or
alone on it). The stale-page test builds a tiny two-page book with the real
environment (the clone's `.venv`, linked into the copy): marked `slow`.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bookkit.project import copy_project

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")


def script_setting(name: str) -> str:
    """A setting of scripts/setup_venv.sh, e.g. SUPPORTED."""
    text = (ROOT / "scripts" / "setup_venv.sh").read_text(encoding="utf-8")
    return re.search(rf'^{name}="?([^"\n]*)"?$', text, re.MULTILINE).group(1)


SUPPORTED = script_setting("SUPPORTED").split()
PIP_VERSION = script_setting("PIP_VERSION")
UV_VERSION = script_setting("UV_VERSION")
UV_PINS = "uv pip install --quiet --compile-bytecode --python .venv/bin/python -r requirements.txt"


# --- fakes --------------------------------------------------------------------------

FAKE_PYTHON = """#!/bin/bash
# A fake Python {version}: answers the probe of scripts/setup_venv.sh, fakes -m venv.
echo "python{version} $*" >> {log}
case "$1" in
  -c) echo "{version} $(realpath "$0")";;
  -m) [ "$2" = venv ] || exit 3
      mkdir -p "$3/bin" "$3/lib"
      cp {venv_python} "$3/bin/python"
      printf 'home = %s\\nversion = {version}\\n' "$(dirname "$0")" > "$3/pyvenv.cfg";;
  *) exit 3;;
esac
"""

# The fake venv's python: its pip "installs" the fake uv (`--target DIR uv==...`).
FAKE_VENV_PYTHON = """#!/bin/bash
echo "venv-python $*" >> {log}
[ "$1 $2 $3" = "-m pip install" ] || exit 3
if [ "$5" = --target ]; then mkdir -p "$6/bin"; cp {uv} "$6/bin/uv"; fi
"""

# The fake uv: `uv pip install --quiet --compile-bytecode --python PY -r REQ` "installs"
# each pin as a file lib/<name> beside PY's bin/.
FAKE_UV = """#!/bin/bash
echo "uv $*" >> {log}
[ "$1 $2 $4 $5 $7" = "pip install --compile-bytecode --python -r" ] || exit 3
bin=$(dirname "$6")
for exe in jupyter-book pytest ruff; do printf '#!/bin/sh\\n' > "$bin/$exe"; chmod +x "$bin/$exe"; done
sed -n 's/==.*//p' "$8" | while read -r name; do touch "$bin/../lib/$name"; done
"""


class Project:
    """A temporary copy of the project, with fake interpreters in `fakes/`."""

    def __init__(self, root: Path):
        copy_project(ROOT, root)
        self.root = root
        self.fakes = root.parent / "fakes"
        self.fakes.mkdir()
        self.log = self.fakes / "calls.log"
        self.log.touch()
        uv = self.fakes / "uv"
        uv.write_text(FAKE_UV.format(log=self.log), encoding="utf-8")
        uv.chmod(0o755)
        venv_python = self.fakes / "venv-python"
        venv_python.write_text(FAKE_VENV_PYTHON.format(log=self.log, uv=uv), encoding="utf-8")
        venv_python.chmod(0o755)

    def python(self, version: str) -> Path:
        """A fake interpreter that says it is Python `version`."""
        path = self.fakes / f"python{version}"
        path.write_text(
            FAKE_PYTHON.format(
                version=version, log=self.log, venv_python=self.fakes / "venv-python"
            ),
            encoding="utf-8",
        )
        path.chmod(0o755)
        return path

    def make(self, *args: str, path: str | None = None) -> subprocess.CompletedProcess:
        env = {**os.environ, "PATH": path if path is not None else os.environ["PATH"]}
        env.pop("MAKEFLAGS", None)
        return subprocess.run(
            [MAKE, "--no-print-directory", *args],
            cwd=self.root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def calls(self) -> list[str]:
        """The fake interpreters' calls since the last look."""
        lines = self.log.read_text(encoding="utf-8").splitlines()
        self.log.write_text("", encoding="utf-8")
        return lines

    @property
    def venv(self) -> Path:
        return self.root / ".venv"


@pytest.fixture
def project(tmp_path):
    return Project(tmp_path / "project")


def our_lines(result: subprocess.CompletedProcess) -> list[str]:
    """What the Makefile and its scripts said on stderr (make's own '***' line aside)."""
    return [line for line in result.stderr.splitlines() if "***" not in line]


# --- the interpreter ----------------------------------------------------------------


def test_an_unsupported_python_stops_everything_with_one_line(project):
    python = project.python("3.10.13")
    result = project.make("book", f"PYTHON={python}")
    assert result.returncode != 0
    [line] = our_lines(result)
    assert "Python 3.10.13" in line, line
    assert f"Python {', '.join(SUPPORTED)}" in line, line
    assert project.calls() == [f"python3.10.13 -c {_probe()}"]
    assert not project.venv.exists()


def test_a_python_that_does_not_run_is_named(project):
    result = project.make("test", "PYTHON=/nowhere/python3.12")
    assert result.returncode != 0
    [line] = our_lines(result)
    assert "cannot run the interpreter PYTHON=/nowhere/python3.12" in line, line
    assert not project.venv.exists()


def _probe() -> str:
    return re.search(r"^probe='(.*)'$", _setup_script(), re.MULTILINE).group(1)


def _setup_script() -> str:
    return (ROOT / "scripts" / "setup_venv.sh").read_text(encoding="utf-8")


def test_the_supported_pythons_are_those_the_readme_names():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert SUPPORTED[0] == "3.11"
    assert f"Python {', '.join(SUPPORTED[:-1])} or {SUPPORTED[-1]}" in readme


# --- the environment ------------------------------------------------------------------


def test_the_first_set_up_pins_pip_and_a_fit_venv_is_left_alone(project):
    python = project.python("3.12.1")
    result = project.make("venv", f"PYTHON={python}")
    assert result.returncode == 0, result.stderr
    calls = project.calls()
    assert "python3.12.1 -m venv .venv" in calls
    assert f"venv-python -m pip install --quiet pip=={PIP_VERSION}" in calls
    uv = f"venv-python -m pip install --quiet --target .venv/.uv-{UV_VERSION} uv=={UV_VERSION}"
    assert uv in calls
    assert UV_PINS in calls
    assert not any("--upgrade" in call for call in calls), calls
    # Nothing to do the second time: only the probe runs.
    again = project.make("venv", f"PYTHON={python}")
    assert again.returncode == 0, again.stderr
    assert project.calls() == [f"python3.12.1 -c {_probe()}"]
    assert again.stderr == ""


def _remade(project: Project, python: Path, reason: str) -> None:
    """Make .venv and check that it was made anew for `reason`."""
    marker = project.venv / "made-before"
    marker.touch()
    result = project.make("venv", f"PYTHON={python}")
    assert result.returncode == 0, result.stderr
    assert reason in result.stderr, result.stderr
    assert any(call.endswith("-m venv .venv") for call in project.calls())
    assert not marker.exists(), ".venv was not made anew"


def test_a_venv_made_by_another_python_is_made_anew(project):
    assert project.make("venv", f"PYTHON={project.python('3.11.7')}").returncode == 0
    project.calls()
    _remade(project, project.python("3.12.1"), "was made by Python 3.11.7")


def test_a_venv_remade_by_hand_with_another_python_is_made_anew(project):
    python = project.python("3.11.7")
    assert project.make("venv", f"PYTHON={python}").returncode == 0
    # As `python3.12 -m venv .venv` would do over an existing .venv.
    (project.venv / "pyvenv.cfg").write_text("home = /elsewhere\nversion = 3.12.1\n")
    _remade(project, python, "pyvenv.cfg changed")


def test_an_old_venv_without_a_record_is_made_anew(project):
    # As left by an interrupted set-up, or by the Makefile before this check.
    project.venv.mkdir()
    (project.venv / ".requirements-stamp").touch()
    _remade(project, project.python("3.11.7"), "has no record of its interpreter")


@pytest.mark.parametrize("executable", ["jupyter-book", "pytest", "ruff", "python"])
def test_a_missing_executable_makes_the_venv_anew(project, executable):
    python = project.python("3.11.7")
    assert project.make("venv", f"PYTHON={python}").returncode == 0
    (project.venv / "bin" / executable).unlink()
    _remade(project, python, f".venv/bin/{executable} is missing")
    assert (project.venv / "bin" / executable).exists()


def test_a_dropped_pin_leaves_no_package_behind(project):
    python = project.python("3.11.7")
    assert project.make("venv", f"PYTHON={python}").returncode == 0
    assert (project.venv / "lib" / "sympy").exists()
    requirements = project.root / "requirements.txt"
    pins = requirements.read_text(encoding="utf-8")
    requirements.write_text(re.sub(r"(?m)^sympy==.*\n", "", pins), encoding="utf-8")
    _remade(project, python, "requirements.txt or the pip pin changed")
    assert not (project.venv / "lib" / "sympy").exists()
    assert (project.venv / "lib" / "numpy").exists()


def test_a_pyproject_change_installs_the_pins_again_in_place(project):
    python = project.python("3.11.7")
    assert project.make("venv", f"PYTHON={python}").returncode == 0
    project.calls()
    marker = project.venv / "made-before"
    marker.touch()
    with (project.root / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write("\n# changed\n")
    result = project.make("venv", f"PYTHON={python}")
    assert result.returncode == 0, result.stderr
    calls = project.calls()
    assert UV_PINS in calls
    assert not any("-m venv" in call for call in calls)
    assert marker.exists()


def test_clean_keeps_the_venv_and_distclean_removes_it(project):
    python = project.python("3.11.7")
    assert project.make("venv", f"PYTHON={python}").returncode == 0
    (project.root / "_build" / "html").mkdir(parents=True)
    assert project.make("clean").returncode == 0
    assert not (project.root / "_build").exists()
    assert (project.venv / "bin" / "python").exists()
    (project.root / "_build").mkdir()
    assert project.make("distclean").returncode == 0
    assert not (project.root / "_build").exists()
    assert not project.venv.exists()


# --- TeX, before any Python set-up ------------------------------------------------------


def _tex_tools(folder: Path, *, without: str | None = None) -> Path:
    """Fake TeX tools in `folder`, `without` one of them (or a file they find)."""
    folder.mkdir()
    tools = {
        "xelatex": "",
        "latexmk": "",
        "kpsewhich": 'echo "/texmf/tex/latex/bbm-macros/$1"',
        "fc-list": 'echo "/fonts/FreeSerif.otf: FreeSerif:style=Regular"',
    }
    if without == "bbm.sty":
        tools["kpsewhich"] = ""
    elif without == "FreeSerif":
        tools["fc-list"] = ""
    elif without is not None:
        del tools[without]
    for name, body in tools.items():
        (folder / name).write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        (folder / name).chmod(0o755)
    return folder


@pytest.mark.parametrize("target", ["pdf", "handout"])
@pytest.mark.parametrize("missing", ["xelatex", "latexmk", "kpsewhich", "bbm.sty", "FreeSerif"])
def test_pdf_without_tex_says_what_to_install_before_any_set_up(project, target, missing):
    python = project.python("3.11.7")
    # Only the fake tools on PATH: the real TeX Live, if any, is out of reach.
    tools = _tex_tools(project.fakes / "tex", without=missing)
    result = project.make(target, f"PYTHON={python}", path=str(tools))
    assert result.returncode != 0
    [line] = our_lines(result)
    assert f"missing: {missing})" in line, line
    assert "run 'sudo bash scripts/install-tex.sh'" in line, line
    assert project.calls() == [], "the Python set-up ran before the TeX check"
    assert not project.venv.exists()


def test_pdf_with_tex_goes_on_to_the_python_set_up(project):
    python = project.python("3.10.13")  # stops at the probe, right after the TeX check
    tools = _tex_tools(project.fakes / "tex")
    result = project.make("pdf", f"PYTHON={python}", path=f"{tools}:{os.environ['PATH']}")
    assert result.returncode != 0
    [line] = our_lines(result)
    assert "Python 3.10.13" in line, line


# --- make serve ---------------------------------------------------------------------


def test_serve_on_a_busy_port_says_so_in_one_line(project):
    (project.root / "_build" / "html").mkdir(parents=True)
    (project.root / "_build" / "html" / "index.html").write_text("<p>site</p>", encoding="utf-8")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = project.make("serve", f"PORT={port}", f"PYTHON={sys.executable}")
    assert result.returncode != 0
    [line] = our_lines(result)
    assert line == f"make: port {port} is already in use: run 'make serve PORT={port + 1}'"
    assert "Traceback" not in result.stdout + result.stderr


# --- stale pages (slow: two builds of a tiny book) ----------------------------------------

TINY_CONFIG = """\
title: Tiny
author: tests
only_build_toc_files: true
exclude_patterns: [_build, .venv, book, src, scripts, tests, README.md, CONTRIBUTING.md]
execute:
  execute_notebooks: force
"""

TINY_PAGE = """\
---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
  display_name: Python 3
---
# {title}

```{{code-cell}} ipython3
from myst_nb import glue
glue("{name}", 2)
```
"""


def tiny_book(project: Project, pages: list[str]) -> None:
    root = project.root
    (root / "_config.yml").write_text(TINY_CONFIG, encoding="utf-8")
    chapters = "".join(f"  - file: tiny/{page}\n" for page in pages[1:])
    (root / "_toc.yml").write_text(
        f"format: jb-book\nroot: tiny/{pages[0]}\n"
        + (f"chapters:\n{chapters}" if chapters else ""),
        encoding="utf-8",
    )
    (root / "tiny").mkdir(exist_ok=True)
    for page in pages:
        (root / "tiny" / f"{page}.md").write_text(
            TINY_PAGE.format(title=page.title(), name=page), encoding="utf-8"
        )


def make_book(project: Project) -> subprocess.CompletedProcess:
    # The clone's environment, linked, as bookkit.bench does.
    if not project.venv.exists():
        project.venv.symlink_to((ROOT / ".venv").resolve())
    # -o: never set up (nor remake) the clone's environment from here.
    result = project.make("-o", ".venv/.requirements-stamp", "book")
    (project.root.parent / "build.log").write_text(result.stdout + result.stderr)
    return result


def traces_of(build: Path, page: str) -> list[str]:
    """Files of `build` named after `page`, and pages or indexes that link to it."""
    found = []
    for path in build.rglob("*"):
        if not path.is_file():
            continue
        relative = path.relative_to(build).as_posix()
        if page in path.name:
            found.append(relative)
        elif path.suffix == ".html" or path.name in {"searchindex.js", "_toc.yml"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            if f"{page}.html" in text or f"tiny/{page}" in text:
                found.append(f"{relative} (links to it)")
    return sorted(found)


@pytest.mark.slow
def test_a_removed_page_leaves_nothing_behind(project):
    tiny_book(project, ["intro", "extra"])
    first = make_book(project)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr
    build = project.root / "_build"
    assert (build / "html" / "tiny" / "extra.html").is_file()
    assert (build / "jupyter_execute" / "tiny" / "extra.ipynb").is_file()
    assert 'href="extra.html"' in (build / "html" / "tiny" / "intro.html").read_text()

    (project.root / "tiny" / "extra.md").unlink()
    tiny_book(project, ["intro"])
    second = make_book(project)
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr
    assert (build / "html" / "tiny" / "intro.html").is_file()
    assert traces_of(build, "extra") == []


# --- the machinery's size (make bench) -----------------------------------------------


def test_the_machinery_count_follows_files_that_move():
    from bookkit.bench import is_machinery

    counted = [
        "scripts/build_book.py",
        "src/bookkit/sphinx/claim_marks.py",
        "book/_ext/claim_marks.py",
        "book/_static/site_layout.js",
        "tests/test_build_gates.py",
        "tests/build/test_build_gates.py",
        "tests/conftest.py",
        "src/gaussml/__main__.py",
        "Makefile",
        ".ci/run",
    ]
    not_counted = [
        "src/gaussml/mvn.py",
        "src/gaussml/_checks.py",
        "src/gaussml/derivations/_latex.py",
        "tests/test_mvn.py",
        "tests/package/test_mvn.py",
        "tests/claims/test_binding.py",
        "book/chapters/01_univariate.md",
        "README.md",
    ]
    assert [p for p in counted if not is_machinery(p)] == []
    assert [p for p in not_counted if is_machinery(p)] == []


def test_the_ci_duration_is_a_total_only_after_the_last_step(tmp_path, monkeypatch):
    """Run from a step of .ci/run (its benchmarks), the duration is a time so far,
    with no verdict on the goal; at the end (`--ci-total`, after "done"), the total."""
    from bookkit import bench

    monkeypatch.setattr(bench, "OUT", tmp_path)
    monkeypatch.setenv("GAUSSML_CI", "1")
    steps = "0\tsystem packages\t1.0\n500\tbenchmarks\t900.0\n"
    (tmp_path / "ci-steps.tsv").write_text(steps)
    so_far = bench.ci_total(10.0)
    assert (so_far["total_s"], so_far["finished"], so_far["goal_met"]) == (510.0, False, None)
    (tmp_path / "ci-steps.tsv").write_text(steps + "800\tdone\t1500.0\n")
    total = bench.ci_total(0.0)
    assert (total["total_s"], total["finished"], total["goal_met"]) == (800.0, True, False)
    assert total["steps"][1] == {
        "start_s": 500,
        "step": "benchmarks",
        "wall_s": 300,
        "cpu_s": 600.0,
    }
