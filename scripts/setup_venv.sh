#!/usr/bin/env bash
# Make .venv fit for the build, or say in one line why it cannot be.
#
# The Makefile runs this before every target that uses the project's Python.
#  1. $PYTHON must run and be a Python the pins support (SUPPORTED below).
#  2. .venv is made anew (rm -rf, python -m venv, the pinned pip, then
#     requirements.txt, installed by the pinned uv) when the stamp does not
#     record this interpreter, this requirements.txt, this pip pin and this
#     .venv/pyvenv.cfg; or when an executable the targets call is missing. A
#     fresh .venv is the only way a pin dropped from requirements.txt leaves
#     no package behind.
#  3. When only pyproject.toml changed, the pins are installed again in place
#     (the editable gaussml takes its new metadata).
# When .venv is fit, this costs one interpreter start-up and a few checksums.
# uv installs the pins: the same packages as pip (`pip freeze` alike), in a
# fifth of pip's CPU time (it fetches and unpacks in parallel and keeps its own
# cache, ~/.cache/uv). It lives in .venv/.uv-<version>, outside the venv's
# packages, and is not in the stamp: a venv pip made stays fit. Modules are
# compiled to bytecode at install, as pip does: where PYTHONDONTWRITEBYTECODE is
# set, Python never writes it, and every kernel would compile JAX from source.
# Settings come from the environment: PYTHON (default python3), VENV (.venv).
set -euo pipefail

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
# Each installed from requirements.txt and tested (README.md, "Set-up"):
# every pin has a wheel for these, and none for 3.10.
SUPPORTED="3.11 3.12 3.13"
PIP_VERSION=26.3
UV_VERSION=0.13.8
NEEDED="python jupyter-book pytest ruff"
STAMP=$VENV/.requirements-stamp

say() { echo "make: $*" >&2; }
accepted="Python ${SUPPORTED// /, }"
example="e.g. 'make book PYTHON=python3.11'"

probe='import os, platform, sys; print(platform.python_version(), os.path.realpath(sys.executable))'
if ! found=$("$PYTHON" -c "$probe" 2>/dev/null); then
    say "cannot run the interpreter PYTHON=$PYTHON; the pins support $accepted: choose one, $example"
    exit 1
fi
read -r version executable <<<"$found"
case " $SUPPORTED " in
    *" ${version%.*} "*) ;;
    *)
        say "Python $version (PYTHON=$PYTHON) is not supported; the pins support $accepted: choose one, $example"
        exit 1
        ;;
esac

checksum() { cksum <"$1" | cut -d' ' -f1,2; }
wanted="python $version $executable
pip $PIP_VERSION
requirements $(checksum requirements.txt)"

# Why .venv must be made anew (empty: it need not).
anew=""
if [ ! -d "$VENV" ]; then
    anew="no $VENV yet"
elif [ ! -f "$STAMP" ]; then
    anew="$VENV has no record of a finished set-up"
else
    made_with=$(sed -n 's/^python //p' "$STAMP")
    if [ -z "$made_with" ]; then
        anew="$VENV has no record of its interpreter (made before this check, or by hand)"
    elif [ "$made_with" != "$version $executable" ]; then
        anew="$VENV was made by Python $made_with, not by $version $executable"
    elif [ "$(sed -n '2,3p' "$STAMP")" != "$(sed -n '2,3p' <<<"$wanted")" ]; then
        anew="requirements.txt or the pip pin changed"
    elif [ ! -f "$VENV/pyvenv.cfg" ] || [ "$(sed -n 's/^pyvenv //p' "$STAMP")" != "$(checksum "$VENV/pyvenv.cfg")" ]; then
        anew="$VENV/pyvenv.cfg changed since the set-up (another interpreter remade $VENV)"
    else
        for exe in $NEEDED; do
            if [ ! -x "$VENV/bin/$exe" ]; then
                anew="$VENV/bin/$exe is missing"
                break
            fi
        done
    fi
fi

install_pins() {
    local uv_home=$VENV/.uv-$UV_VERSION
    if [ ! -x "$uv_home/bin/uv" ]; then
        "$VENV/bin/python" -m pip install --quiet --target "$uv_home" "uv==$UV_VERSION"
    fi
    "$uv_home/bin/uv" pip install --quiet --compile-bytecode --python "$VENV/bin/python" -r requirements.txt
}

write_stamp() {
    printf '%s\npyvenv %s\npyproject %s\n' "$wanted" "$(checksum "$VENV/pyvenv.cfg")" \
        "$(checksum pyproject.toml)" >"$STAMP.tmp"
    mv "$STAMP.tmp" "$STAMP"
}

if [ -n "$anew" ]; then
    say "$anew: making $VENV with Python $version ($executable) and the pins of requirements.txt"
    rm -rf "$VENV"
    "$executable" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet "pip==$PIP_VERSION"
    install_pins
    for exe in $NEEDED; do
        if [ ! -x "$VENV/bin/$exe" ]; then
            say "the set-up finished but $VENV/bin/$exe is missing: is it pinned in requirements.txt?"
            exit 1
        fi
    done
    write_stamp
elif [ "$(sed -n 's/^pyproject //p' "$STAMP")" != "$(checksum pyproject.toml)" ]; then
    say "pyproject.toml changed: installing the pins again"
    install_pins
    write_stamp
fi
