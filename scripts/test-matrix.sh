#!/usr/bin/env bash
# `make test`: the whole suite (scripts/test.sh) on each CKAN of the matrix, one
# after the other, then the release check (scripts/wheel-check.sh: the wheel
# built, installed into a clean virtualenv and served) on the first version, then
# one table of their times.  Stops at the first step that fails.
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
if [ "$rc" -eq 0 ] && [ "${WHEEL_CHECK:-1}" = 1 ]; then
    first="${versions%% *}"
    printf '\n######## the wheel, on CKAN %s ########\n' "$first"
    wheel_start=$SECONDS
    if CKAN_VERSION="$first" bash scripts/wheel-check.sh; then
        printf 'wheel %s\t%s\t0\n' "$first" "$((SECONDS - wheel_start))" >> "$times"
    else
        printf 'wheel %s\t%s\t1\n' "$first" "$((SECONDS - wheel_start))" >> "$times"
        rc=1
    fi
fi
printf '\n==> make test: CKAN version, seconds, exit status\n'
cat "$times"
printf 'all: %ss\n' "$((SECONDS - start))"
exit "$rc"
