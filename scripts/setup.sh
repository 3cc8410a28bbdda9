#!/usr/bin/env bash
# Bring this machine to the point where urbanmgmt runs: Debian packages, the virtualenv,
# a running PostgreSQL with PostGIS, the role and database, migrations, translations and
# static files. Every step checks first and does nothing when it is already done, so a
# second run takes seconds.
#
# DATABASE_URL=postgis://user:pass@host:port/db points everything at another PostGIS; then
# this script neither starts nor configures a local server, and only checks that it answers.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

PYTHON=${PYTHON:-python3}
VENV=${VENV:-.venv}
APT_PACKAGES=(
  postgresql postgresql-15-postgis-3 postgresql-contrib
  gdal-bin libgdal32 libgeos-c1v5 libproj25 proj-bin
  libturbojpeg0
  gettext python3-venv python3-dev build-essential
  chromium
)

# --- 1. Debian packages --------------------------------------------------------------
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "These packages are missing and installing them needs root: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# --- 2. The virtualenv from the pinned requirements -----------------------------------
req_sum=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ]; then
  say "Creating the virtualenv in $VENV"
  "$PYTHON" -m venv "$VENV"
fi
if [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" != "$req_sum" ]; then
  say "Installing Python requirements"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q -r requirements.txt
  echo "$req_sum" > "$VENV/.requirements.sha256"
fi
PY="$VENV/bin/python"

# --- 3. PostgreSQL with PostGIS ---------------------------------------------------------
as_postgres() {
  # Run psql as the cluster's superuser: over the socket as the postgres system user
  # (Debian's peer authentication), else over TCP as the postgres role.
  if command -v runuser >/dev/null && id postgres >/dev/null 2>&1 \
     && runuser -u postgres -- psql -XtAq -c 'select 1' >/dev/null 2>&1; then
    runuser -u postgres -- psql -XtAq -v ON_ERROR_STOP=1 "$@"
  else
    psql -XtAq -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres "$@"
  fi
}

if [ -z "${DATABASE_URL:-}" ]; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    cluster=$(pg_lsclusters -h 2>/dev/null | awk '$2=="main"{print $1; exit}')
    if [ -z "$cluster" ]; then
      version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
      say "Creating PostgreSQL $version cluster 'main'"
      pg_createcluster "$version" main
      cluster=$version
    fi
    say "Starting PostgreSQL $cluster/main"
    pg_ctlcluster --skip-systemctl-redirect "$cluster" main start || pg_ctlcluster "$cluster" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    pg_isready -h 127.0.0.1 -p 5432
  fi
  if [ "$(as_postgres -c "select 1 from pg_roles where rolname='urbanmgmt'")" != "1" ]; then
    say "Creating the database role urbanmgmt"
    # Superuser so that the test runner can create its own PostGIS database.
    as_postgres -c "create role urbanmgmt login superuser password 'urbanmgmt'"
  fi
  if [ "$(as_postgres -c "select 1 from pg_database where datname='urbanmgmt'")" != "1" ]; then
    say "Creating the database urbanmgmt"
    as_postgres -c "create database urbanmgmt owner urbanmgmt encoding 'UTF8' template template0"
  fi
  as_postgres -d urbanmgmt -c "set client_min_messages to warning" -c "create extension if not exists postgis"
else
  say "Using DATABASE_URL"
fi
"$PY" - <<'EOF'
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urbanmgmt.settings")
import django
django.setup()
from django.db import connection
try:
    with connection.cursor() as c:
        c.execute("set client_min_messages to warning")
        c.execute("create extension if not exists postgis")
        c.execute("select postgis_lib_version()")
        print("PostGIS", c.fetchone()[0], "on", connection.settings_dict["HOST"] or "socket")
except Exception as exc:  # a clear message instead of a traceback
    sys.exit(f"Cannot reach a PostGIS database: {exc}")
EOF

# --- 4. Schema, translations, static files ------------------------------------------------
"$PY" manage.py migrate --noinput -v 0
"$PY" manage.py compilemessages --ignore "$VENV" -v 0
"$PY" manage.py collectstatic --noinput -v 0
say "Set-up done"
