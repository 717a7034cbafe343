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
# its own database, Solr core (one of the test cores scripts/services/solr.sh
# serves, index in memory) and Redis database: targeted tests may run meanwhile
DB=ckan_datathon_compat
export CKAN_SQLALCHEMY_URL="postgresql://ckan_datathon:ckan_datathon@127.0.0.1:${DATATHON_PG_PORT:-5433}/$DB"
export CKAN_SOLR_URL="http://127.0.0.1:${SOLR_PORT:-8983}/solr/${CORE_COMPAT_SOLR_CORE:-ckan_test_gw1}"
export CKAN_REDIS_URL="redis://127.0.0.1:${DATATHON_REDIS_PORT:-6380}/9"
unset PYTHONDONTWRITEBYTECODE

bash scripts/bootstrap.sh
bash scripts/install.sh
bash scripts/services.sh start

HERE="$REPO_DIR/scripts/core-compat"
OUT="$REPO_DIR/.artifacts/core-compat"
mkdir -p "$OUT"
TESTS="$("$CKAN_PYTHON" -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "tests", "logic"))')"

# datathon first: its code is imported when the run starts
for run in datathon companions; do
    printf '\n==> CKAN %s core tests, %s\n' "$CKAN_VERSION" "$run"
    bash scripts/services/postgres.sh recreate-db "$DB"
    "$VENV/bin/ckan" -c "$HERE/$run.ini" db init >/dev/null
    start=$SECONDS
    # pytest's own status is not the verdict (the base set fails): compare.py is
    "$CKAN_PYTHON" -m pytest -c "$HERE/pytest.ini" --rootdir "$HERE" \
        --ckan-ini "$HERE/$run.ini" --compat-report "$OUT/$CKAN_VERSION-$run.json" \
        "$TESTS/action" "$TESTS/auth" "$@" > "$OUT/$CKAN_VERSION-$run.log" 2>&1 || true
    tail -n 3 "$OUT/$CKAN_VERSION-$run.log"
    printf '%ss\n' "$((SECONDS - start))"
done

update=()
[ "${CORE_COMPAT_UPDATE:-}" = 1 ] && update=(--update)
"$CKAN_PYTHON" "$HERE/compare.py" "$OUT/$CKAN_VERSION-companions.json" \
    "$OUT/$CKAN_VERSION-datathon.json" "$HERE/base-failures-$CKAN_VERSION.txt" "${update[@]}"
