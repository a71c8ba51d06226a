#!/usr/bin/env bash
# Debian/Ubuntu packages the test suite needs: bubblewrap (the sandbox), chromium (browser tests),
# nodejs/npm (configurable-http-proxy, JupyterHub's proxy), acl (setfacl: make hub lets its accounts
# reach a Python installed under a private folder such as /root/.pyenv), passwd (useradd) and
# libpam (PAM logins on the hub).
# postgresql (the PostgreSQL gradebook tests start their own throw-away server, tests/pgserver.py).
# Installs them when run as root with apt-get; otherwise says what to install.
set -euo pipefail
missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
# Chromium: the browser tests (tests/test_browser.py) drive it with Playwright.
[ -x "${AUTOGRADER_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
# JupyterHub (tests/test_hub*.py, make hub)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v setfacl >/dev/null 2>&1 || missing+=(acl)
command -v useradd >/dev/null 2>&1 || missing+=(passwd)
ls /lib/*/libpam.so.0 /usr/lib/*/libpam.so.0 >/dev/null 2>&1 || missing+=(libpam0g)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  if [[ " ${missing[*]} " == *" postgresql "* ]] && [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    # Only the server's programs: the package would also create and start a cluster on port 5432.
    mkdir -p /etc/postgresql-common/createcluster.d
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.d/autograder.conf
  fi
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "system packages missing: ${missing[*]} — install them (e.g. sudo apt-get install ${missing[*]})" >&2
fi
