#!/usr/bin/env bash
# The whole test suite: Debian packages, virtualenv, services, lint, pytest.
#   CKAN_VERSION=2.11.6 scripts/test.sh [pytest args...]
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_DIR"

export CKAN_VERSION="${CKAN_VERSION:-2.12.0}"
export VENV="$REPO_DIR/.venv/ckan-$CKAN_VERSION"
export CKAN_PYTHON="$VENV/bin/python"

# test.ini names the default ports; these follow DATATHON_PG_PORT, DATATHON_REDIS_PORT
# and SOLR_PORT when a second checkout runs its services beside the first.
export CKAN_SQLALCHEMY_URL="postgresql://ckan_datathon:ckan_datathon@127.0.0.1:${DATATHON_PG_PORT:-5433}/ckan_datathon_test"
export CKAN_SOLR_URL="http://127.0.0.1:${SOLR_PORT:-8983}/solr/ckan_test"
export CKAN_REDIS_URL="redis://127.0.0.1:${DATATHON_REDIS_PORT:-6380}/1"

step() { printf '\n==> %s\n' "$*"; }

step "Debian packages"
WITH_BROWSER="${WITH_BROWSER:-1}" bash scripts/bootstrap.sh
step "virtualenv for CKAN $CKAN_VERSION"
bash scripts/install.sh
step "services"
bash scripts/services.sh start
if [ "${CI:-}" = true ]; then
    # Nothing survives a CI job: leave the machine as we found it.
    trap 'bash scripts/services.sh stop >/dev/null 2>&1 || true' EXIT
fi

step "lint (ruff)"
"$VENV/bin/ruff" format --check .
"$VENV/bin/ruff" check .

step "test database"
bash scripts/services/postgres.sh recreate-db ckan_datathon_test
"$VENV/bin/ckan" -c test.ini db init >/dev/null

step "pytest (CKAN $CKAN_VERSION)"
# pytest exits non-zero on any failure and with 5 when no test was collected.
"$VENV/bin/python" -m pytest "$@"
