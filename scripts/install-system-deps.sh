#!/usr/bin/env bash
# Everything CI needs from Debian: TeX Live for the PDF (scripts/install-tex.sh),
# and Chromium with its driver for the browser checks of the site.
set -euo pipefail
here=$(dirname "$0")
bash "$here/install-tex.sh"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
  chromium chromium-driver
