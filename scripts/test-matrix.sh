#!/usr/bin/env bash
# `make test`: the whole suite (scripts/test.sh) on each CKAN of the matrix, one
# after the other, then one table of their times.  Stops at the first version
# that fails.
#   scripts/test-matrix.sh "2.12.0 2.11.6" [pytest args...]
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_DIR"

versions="${1:?CKAN versions, e.g. \"2.12.0 2.11.6\"}"
shift
times="$(mktemp)"
trap 'rm -f "$times"' EXIT
start=$SECONDS
rc=0
for version in $versions; do
    printf '\n######## CKAN %s ########\n' "$version"
    if ! CKAN_VERSION="$version" DATATHON_TIMES_FILE="$times" bash scripts/test.sh "$@"; then
        rc=1
        break
    fi
done
printf '\n==> make test: CKAN version, seconds, exit status\n'
cat "$times"
printf 'all: %ss\n' "$((SECONDS - start))"
exit "$rc"
