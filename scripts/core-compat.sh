#!/usr/bin/env bash
# `make core-compat` (issue 17 §8): CKAN core's own logic/action and logic/auth
# tests, from the installed ckan package, run twice against this repository's
# services with CKAN's test settings: with the companions only (scheming,
# activity), then with datathon added.  Fails if a test passes without the
# plugin and fails with it, or if the set that fails without it is not
# scripts/core-compat/base-failures-$CKAN_VERSION.txt (CORE_COMPAT_UPDATE=1
# rewrites that file).  Not part of `make test`: about 17 minutes per version.
#   CKAN_VERSION=2.11.6 scripts/core-compat.sh [pytest args...]
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_DIR"

export CKAN_VERSION="${CKAN_VERSION:-2.12.0}"
VENV="$REPO_DIR/.venv/ckan-$CKAN_VERSION"
export CKAN_PYTHON="$VENV/bin/python"
# each run has its own database, Solr core (test cores scripts/services/solr.sh
# serves, index in memory) and Redis database; the two runs go side by side
PG="postgresql://ckan_datathon:ckan_datathon@127.0.0.1:${DATATHON_PG_PORT:-5433}"
SOLR="http://127.0.0.1:${SOLR_PORT:-8983}/solr"
REDIS="redis://127.0.0.1:${DATATHON_REDIS_PORT:-6380}"
bash scripts/bootstrap.sh
bash scripts/install.sh
bash scripts/services.sh start

HERE="$REPO_DIR/scripts/core-compat"
OUT="$REPO_DIR/.artifacts/core-compat"
mkdir -p "$OUT"
TESTS="$("$CKAN_PYTHON" -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "tests", "logic"))')"

run() {
    local run="$1" n="$2" db="ckan_datathon_compat$2"
    export CKAN_SQLALCHEMY_URL="$PG/$db" CKAN_SOLR_URL="$SOLR/ckan_test_gw$n" CKAN_REDIS_URL="$REDIS/$((8 + n))"
    bash scripts/services/postgres.sh recreate-db "$db" >/dev/null
    "$VENV/bin/ckan" -c "$HERE/$run.ini" db init >/dev/null
    local start=$SECONDS
    # pytest's own status is not the verdict (the base set fails): compare.py is
    "$CKAN_PYTHON" -m pytest -c "$HERE/pytest.ini" --rootdir "$HERE" \
        --ckan-ini "$HERE/$run.ini" --compat-report "$OUT/$CKAN_VERSION-$run.json" \
        "$TESTS/action" "$TESTS/auth" "${@:3}" > "$OUT/$CKAN_VERSION-$run.log" 2>&1 || true
    printf '==> CKAN %s core tests, %s: %s (%ss)\n' "$CKAN_VERSION" "$run" \
        "$(tail -n 1 "$OUT/$CKAN_VERSION-$run.log")" "$((SECONDS - start))"
}
rm -f "$OUT/$CKAN_VERSION"-*.json
run companions 0 "$@" &
run datathon 1 "$@" &
wait

update=()
[ "${CORE_COMPAT_UPDATE:-}" = 1 ] && update=(--update)
"$CKAN_PYTHON" "$HERE/compare.py" "$OUT/$CKAN_VERSION-companions.json" \
    "$OUT/$CKAN_VERSION-datathon.json" "$HERE/base-failures-$CKAN_VERSION.txt" "${update[@]}"
