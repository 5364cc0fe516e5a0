#!/usr/bin/env bash
# Make sure what the tests need is there: Python's venv, a PostgreSQL server, Debian's Chromium,
# and shellcheck (deploy/check.sh, part of `make check`).
# Where they are missing and we are root (CI, a fresh Debian machine), install and start them
# with apt; otherwise fail loudly with what to do. Never skip.
set -euo pipefail

PG_URL=${KIOSK_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/postgres}
PG_HOST=127.0.0.1
PG_PORT=5432

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; else echo "need root for: $*" >&2; return 1; fi
}

apt_install() {
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! python3 -c "import ensurepip, venv" 2>/dev/null; then
  echo "Python cannot make virtual environments here; installing python3-venv."
  apt_install python3-venv || { echo "FAILED: install python3-venv." >&2; exit 1; }
fi

postgres_ready() {
  command -v pg_isready >/dev/null && pg_isready -q -h "$PG_HOST" -p "$PG_PORT"
}

if [[ -z ${KIOSK_TEST_POSTGRES_URL:-} ]] && ! postgres_ready; then
  echo "PostgreSQL is not answering on $PG_HOST:$PG_PORT; installing and starting it."
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  version=$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
  hba=/etc/postgresql/$version/main/pg_hba.conf
  # Tests connect as postgres over TCP on loopback only, without a password.
  if ! grep -q '^host all postgres 127.0.0.1/32 trust' "$hba"; then
    as_root sed -i '1i host all postgres 127.0.0.1/32 trust' "$hba"
  fi
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start \
    || as_root pg_ctlcluster --skip-systemctl-redirect "$version" main reload
  for _ in $(seq 1 30); do postgres_ready && break; sleep 1; done
fi
if [[ -z ${KIOSK_TEST_POSTGRES_URL:-} ]] && ! postgres_ready; then
  echo "FAILED: no PostgreSQL at $PG_HOST:$PG_PORT. Start one, or set KIOSK_TEST_POSTGRES_URL." >&2
  exit 1
fi
echo "PostgreSQL: ${PG_URL}"

if [[ ! -x /usr/bin/chromium ]]; then
  echo "Debian's chromium is missing; installing it (browser tests need it)."
  apt_install chromium fonts-noto-color-emoji || {
    echo "FAILED: install Debian's chromium package (/usr/bin/chromium)." >&2
    exit 1
  }
fi
echo "Chromium: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"

if ! ldconfig -p | grep -q 'libzbar\.so\.0'; then
  echo "libzbar0 is missing; installing it (tests decode posters' QR codes with zbar)."
  apt_install libzbar0 || {
    echo "FAILED: install Debian's libzbar0 package." >&2
    exit 1
  }
fi
echo "zbar: $(ldconfig -p | grep -m1 'libzbar\.so\.0' | sed 's/.*=> //')"

if ! ldconfig -p | grep -q 'libfribidi\.so\.0'; then
  echo "libfribidi0 is missing; installing it (posters lay out Arabic right to left with it)."
  apt_install libfribidi0 || {
    echo "FAILED: install Debian's libfribidi0 package." >&2
    exit 1
  }
fi
echo "fribidi: $(ldconfig -p | grep -m1 'libfribidi\.so\.0' | sed 's/.*=> //')"

if ! command -v shellcheck >/dev/null; then
  echo "shellcheck is missing; installing it (deploy/check.sh needs it)."
  apt_install shellcheck || {
    echo "FAILED: install Debian's shellcheck package." >&2
    exit 1
  }
fi
echo "shellcheck: $(shellcheck --version | sed -n 's/^version: //p')"
