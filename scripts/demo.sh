#!/usr/bin/env bash
# A working demo portal at http://127.0.0.1:5000 with the datathon plugin.
#   CKAN_VERSION=2.11.6 scripts/demo.sh
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_DIR"

export CKAN_VERSION="${CKAN_VERSION:-2.12.0}"
export VENV="$REPO_DIR/.venv/ckan-$CKAN_VERSION"
export CKAN_PYTHON="$VENV/bin/python"
export DATATHON_SERVICES_DIR="${DATATHON_SERVICES_DIR:-$REPO_DIR/.services}"
STATE="$DATATHON_SERVICES_DIR/ckan"
mkdir -p "$STATE"
export CKAN_INI="$STATE/ckan-$CKAN_VERSION.ini"
CKAN_PORT="${CKAN_PORT:-5000}"
DB="ckan_datathon"
[ "$CKAN_VERSION" = 2.12.0 ] || DB="ckan_datathon_${CKAN_VERSION//./_}"
ADMIN="${DEMO_ADMIN:-admin}"

step() { printf '\n==> %s\n' "$*"; }
SETUP_LOG="$STATE/setup.log"
# CKAN's commands log at INFO on stderr: keep that in a file, show it on failure.
ckan() { "$VENV/bin/ckan" -c "$CKAN_INI" "$@" 2>>"$SETUP_LOG"; }
trap 'rc=$?; [ $rc -ne 0 ] && [ -f "$SETUP_LOG" ] && tail -n 30 "$SETUP_LOG" >&2; exit $rc' EXIT

step "Debian packages"
bash scripts/bootstrap.sh
step "virtualenv for CKAN $CKAN_VERSION"
bash scripts/install.sh
step "services"
bash scripts/services.sh start
bash scripts/services/postgres.sh ensure-db "$DB"

step "configuration ($CKAN_INI)"
mkdir -p "$STATE/storage"
if [ ! -f "$CKAN_INI" ]; then
    "$VENV/bin/ckan" generate config "$CKAN_INI" >/dev/null 2>>"$SETUP_LOG"
fi
"$VENV/bin/ckan" config-tool "$CKAN_INI" 2>>"$SETUP_LOG" \
    "sqlalchemy.url = postgresql://ckan_datathon:ckan_datathon@127.0.0.1:${DATATHON_PG_PORT:-5433}/$DB" \
    "solr_url = http://127.0.0.1:${SOLR_PORT:-8983}/solr/ckan" \
    "ckan.redis.url = redis://127.0.0.1:${DATATHON_REDIS_PORT:-6380}/0" \
    "ckan.site_url = http://127.0.0.1:$CKAN_PORT" \
    "ckan.site_title = Datathon demo portal" \
    "ckan.storage_path = $STATE/storage" \
    "ckan.plugins = datathon scheming_datasets activity image_view text_view datatables_view" \
    "scheming.dataset_schemas = ckanext.scheming:ckan_dataset.yaml ckanext.datathon:schemas/project.yaml" \
    "scheming.dataset_fallback = true" \
    "ckan.auth.allow_dataset_collaborators = true" \
    "ckan.locales_offered = en es pt_BR" \
    "ckan.locale_order = en es pt_BR" \
    "ckan.csrf_protection.ignore_extensions = false" \
    "smtp.server = 127.0.0.1:${DATATHON_SMTP_PORT:-8025}" \
    "smtp.mail_from = portal@datathon.example.org" >/dev/null

step "database"
ckan db init >/dev/null
ckan db upgrade -p datathon >/dev/null

step "sysadmin account"
PWFILE="$STATE/admin.password"
[ -s "$PWFILE" ] || (umask 077; printf 'Demo-%s' "$(head -c 12 /dev/urandom | base64 | tr -d '/+=')" > "$PWFILE")
if ! ckan user show "$ADMIN" 2>/dev/null | grep -q "name=$ADMIN"; then
    ckan user add "$ADMIN" email="$ADMIN@datathon.example.org" password="$(cat "$PWFILE")" >/dev/null
fi
ckan sysadmin add "$ADMIN" >/dev/null

step "demo content (ckan datathon seed-demo)"
ckan datathon seed-demo | grep -v "^  challenge" || { echo "seed-demo failed, see $SETUP_LOG" >&2; exit 1; }

step "search index"
# Solr's index is rebuilt when its schema changes (e.g. after a CKAN 2.11 test run):
# index whatever the database has and Solr lacks.
ckan search-index rebuild --only-missing --quiet >/dev/null

step "translations of the JavaScript modules"
# ckan run builds them at start; gunicorn does not (the extension's .pot says
# which strings its JavaScript uses)
ckan translation js >/dev/null

step "background jobs worker (mail: ckan jobs worker datathon)"
bash scripts/services/worker.sh start

step "CKAN"
CKAN_PORT="$CKAN_PORT" bash scripts/serve.sh start

cat <<INFO

The demo portal is up: http://127.0.0.1:$CKAN_PORT
  sysadmin   $ADMIN / $(cat "$PWFILE")
  config     $CKAN_INI
  mail       every message the portal sends is kept in $DATATHON_SERVICES_DIR/mail/ (one .eml file each)
  stop with  make stop
INFO
