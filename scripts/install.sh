#!/usr/bin/env bash
# Creates .venv/ckan-$CKAN_VERSION and installs CKAN, the pinned requirements
# and this extension (editable) into it.  Idempotent: a stamp records what was
# installed, and nothing is reinstalled while the inputs are unchanged.
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_DIR"

CKAN_VERSION="${CKAN_VERSION:-2.12.0}"
PYTHON="${PYTHON:-python3}"
VENV="${VENV:-$REPO_DIR/.venv/ckan-$CKAN_VERSION}"

[[ "$CKAN_VERSION" =~ ^2\.1[12]\.[0-9]+$ ]] \
    || { echo "install: ERROR: CKAN_VERSION must be 2.11.x or 2.12.x, not '$CKAN_VERSION'" >&2; exit 1; }
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
    || { echo "install: ERROR: $PYTHON is older than Python 3.10" >&2; exit 1; }

mkdir -p "$VENV"
LOCK="$VENV/requirements.lock"
# requirements.txt pins CKAN 2.12.0; other versions of the matrix replace that one line.
sed -E "s/^ckan\[requirements\]==[^ ]+/ckan[requirements]==$CKAN_VERSION/" requirements.txt > "$LOCK.new"
grep -q "^ckan\[requirements\]==$CKAN_VERSION" "$LOCK.new" \
    || { echo "install: ERROR: requirements.txt has no 'ckan[requirements]==' line" >&2; exit 1; }
# Another CKAN version pins its own mypy in ckan[requirements] (2.11.6: mypy 1.10.1):
# ours gives way there (make lint's strict check passes with both).
if ! grep -qx "ckan\[requirements\]==$CKAN_VERSION" requirements.txt; then
    sed -i -E '/^mypy==/d' "$LOCK.new"
fi

# JavaScript for the browser tests (axe-core, package.json): npm ci when
# node_modules/ is missing or older than the lock file.
node_modules() {
    [ -f package.json ] || return 0
    if ! command -v npm >/dev/null 2>&1; then
        echo "install: WARNING: npm is missing; the browser tests need node_modules/ (axe-core)" >&2
        return 0
    fi
    local stamp=node_modules/.package-lock.json
    if [ -f "$stamp" ] && [ ! package.json -nt "$stamp" ] && [ ! package-lock.json -nt "$stamp" ]; then
        return 0
    fi
    echo "install: npm packages for the browser tests"
    if [ -f package-lock.json ]; then
        npm ci --no-audit --no-fund --loglevel=error
    else
        npm install --no-audit --no-fund --loglevel=error
    fi
}

stamp_value="$(cat "$LOCK.new" setup.py | sha256sum | cut -c1-16)-$("$PYTHON" -V 2>&1)"
if [ -x "$VENV/bin/ckan" ] && [ -f "$VENV/.installed" ] \
        && [ "$(cat "$VENV/.installed")" = "$stamp_value" ]; then
    rm -f "$LOCK.new"
    echo "install: $VENV is up to date (CKAN $CKAN_VERSION)"
    node_modules
    exit 0
fi

echo "install: building $VENV (CKAN $CKAN_VERSION)"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
mv "$LOCK.new" "$LOCK"
export PIP_DISABLE_PIP_VERSION_CHECK=1
"$VENV/bin/python" -m pip install -q "pip==26.3" "setuptools==84.2.1" "wheel==0.48.0"
"$VENV/bin/python" -m pip install -q -r "$LOCK"
"$VENV/bin/python" -m pip install -q --no-deps -e "$REPO_DIR"
"$VENV/bin/python" -c "import ckan, ckanext.datathon, ckanext.scheming; print('install: CKAN', ckan.__version__, 'ready in $VENV')"
echo "$stamp_value" > "$VENV/.installed"
node_modules
