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

# Keep compiled bytecode (and pytest's rewritten test modules) between runs and
# processes: each pytest worker and e2e server imports all of CKAN.
unset PYTHONDONTWRITEBYTECODE

# pytest-xdist workers (DATATHON_TEST_WORKERS=1: one process, no xdist).  Worker
# gw<n> uses database ckan_datathon_test_gw<n> (a copy of the freshly initialised
# ckan_datathon_test), Solr core ckan_test_gw<n> and Redis database 2+n
# (tests/conftest.py, pytest_configure).
WORKERS="${DATATHON_TEST_WORKERS:-2}"
[[ "$WORKERS" =~ ^[1-9][0-9]?$ ]] || { echo "test: DATATHON_TEST_WORKERS must be 1-99" >&2; exit 2; }
if [ "$WORKERS" -gt 1 ]; then
    cores="ckan ckan_test ckan_bench"
    for ((i = 0; i < WORKERS; i++)); do cores+=" ckan_test_gw$i"; done
    export SOLR_CORES="${SOLR_CORES:-$cores}"
fi

# Each phase is timed; the table is printed at the end, failure or not.
PHASES=()
PHASE=""
PHASE_START=$SECONDS
RUN_START=$SECONDS
end_phase() {
    [ -n "$PHASE" ] && PHASES+=("$(printf '%5ss  %s' "$((SECONDS - PHASE_START))" "$PHASE")")
    PHASE=""
}
step() {
    end_phase
    PHASE="$*"
    PHASE_START=$SECONDS
    printf '\n==> %s\n' "$*"
}
report() {
    local rc=$?
    end_phase
    printf '\n==> time of each phase (CKAN %s)\n' "$CKAN_VERSION"
    printf '%s\n' "${PHASES[@]}"
    printf '%5ss  total (exit status %s)\n' "$((SECONDS - RUN_START))" "$rc"
    if [ -n "${DATATHON_TIMES_FILE:-}" ]; then
        printf '%s\t%s\t%s\n' "$CKAN_VERSION" "$((SECONDS - RUN_START))" "$rc" >> "$DATATHON_TIMES_FILE"
    fi
    if [ "${CI:-}" = true ]; then
        # Nothing survives a CI job: leave the machine as we found it.
        bash scripts/services.sh stop >/dev/null 2>&1 || true
    fi
}
trap report EXIT

step "Debian packages"
WITH_BROWSER="${WITH_BROWSER:-1}" bash scripts/bootstrap.sh
step "virtualenv for CKAN $CKAN_VERSION"
bash scripts/install.sh
step "services"
bash scripts/services.sh start

step "lint (ruff, import contracts, mypy)"
"$VENV/bin/ruff" format --check .
"$VENV/bin/ruff" check .
# pyproject.toml [tool.importlinter]: the layers, and pages that reach data only
# through actions (about a second)
"$VENV/bin/lint-imports" --no-cache
# strict type check of the layers typed so far (pyproject.toml [tool.mypy])
"$VENV/bin/mypy" -p ckanext.datathon.lib

step "test database"
bash scripts/services/postgres.sh recreate-db ckan_datathon_test
"$VENV/bin/ckan" -c test.ini db init >/dev/null
xdist=()
if [ "$WORKERS" -gt 1 ]; then
    for ((i = 0; i < WORKERS; i++)); do
        bash scripts/services/postgres.sh copy-db "ckan_datathon_test_gw$i" ckan_datathon_test
    done
    # a module's tests stay together: module-scoped data and servers are built once
    xdist=(-n "$WORKERS" --dist loadfile)
fi

step "pytest (CKAN $CKAN_VERSION)"
# pytest exits non-zero on any failure and with 5 when no test was collected.
# --durations: the slowest tests, in every log (where the next minute of the budget is)
"$VENV/bin/python" -m pytest "${xdist[@]}" --durations=25 --durations-min=2 "$@"
