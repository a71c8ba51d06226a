#!/usr/bin/env bash
# Debian/Ubuntu packages the test suite needs: bubblewrap (the sandbox), chromium (browser tests).
# Installs them when run as root with apt-get; otherwise says what to install.
set -euo pipefail
missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
# Chromium: the browser tests (tests/test_browser.py) drive it with Playwright.
[ -x "${AUTOGRADER_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "system packages missing: ${missing[*]} — install them (e.g. sudo apt-get install ${missing[*]})" >&2
fi
