#!/usr/bin/env bash
# TeX Live and fonts for `make pdf` (xelatex), from Debian's packages.
# texlive-fonts-extra is needed: without it the build stops on a missing bbm.sty.
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  texlive-latex-recommended texlive-latex-extra texlive-fonts-recommended \
  texlive-fonts-extra texlive-xetex latexmk xindy cm-super dvipng \
  fonts-freefont-otf texlive-plain-generic poppler-utils
