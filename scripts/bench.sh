#!/usr/bin/env bash
# Run a benchmark script against the bench database and Solr core:
#   scripts/bench.sh scripts/bench/bench_challenge.py [args...]
# Installs and starts what is needed (wrk too), recreates the bench database,
# prints figures.  Bench services: database ckan_datathon_bench, Solr core
# ckan_bench, Redis db 7.
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_DIR"
export CKAN_VERSION="${CKAN_VERSION:-2.12.0}"
export VENV="$REPO_DIR/.venv/ckan-$CKAN_VERSION"
export CKAN_PYTHON="$VENV/bin/python"
bash scripts/bootstrap.sh
bash scripts/install.sh
bash scripts/services.sh start
[ -n "${BENCH_NO_WRK:-}" ] || command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
# BENCH_REF=<git ref>: measure that commit's plugin (e.g. HEAD, leaving out
# uncommitted edits of a shared working tree) instead of the working tree's.
if [ -n "${BENCH_REF:-}" ]; then
    tree="$REPO_DIR/.artifacts/bench/tree"
    rm -rf "$tree" && mkdir -p "$tree"
    git archive "$BENCH_REF" ckanext | tar -x -C "$tree"
    export PYTHONPATH="$tree${PYTHONPATH:+:$PYTHONPATH}"
    echo "bench: ckanext-datathon of $BENCH_REF ($(git rev-parse --short "$BENCH_REF"))"
fi
bash scripts/services/postgres.sh recreate-db ckan_datathon_bench
export CKAN_SQLALCHEMY_URL="postgresql://ckan_datathon:ckan_datathon@127.0.0.1:${DATATHON_PG_PORT:-5433}/ckan_datathon_bench"
export CKAN_SOLR_URL="http://127.0.0.1:${SOLR_PORT:-8983}/solr/ckan_bench"
export CKAN_REDIS_URL="redis://127.0.0.1:${DATATHON_REDIS_PORT:-6380}/7"
"$VENV/bin/ckan" -c test.ini db init >/dev/null
exec "$VENV/bin/python" "$@"
