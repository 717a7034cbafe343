#!/usr/bin/env bash
# The release as a portal administrator meets it (part of `make test`):
#   1. build the sdist and, from it, the wheel (python -m build);
#   2. check that the wheel carries every file of the package (templates, assets,
#      migrations, compiled translations, ...) and the licence;
#   3. install the wheel -- not this checkout -- into a clean virtualenv with CKAN
#      (the wheel names ckanext-scheming, never CKAN: the portal brings its own);
#   4. on an empty database: core's tables, then `ckan db upgrade -p datathon`,
#      which must reach the wheel's alembic head;
#   5. serve it with gunicorn and smoke-test it over HTTP (scripts/release/smoke.py):
#      status, a challenge page, translated pages, a team's project form.
#   CKAN_VERSION=2.11.6 scripts/wheel-check.sh
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_DIR"

export CKAN_VERSION="${CKAN_VERSION:-2.12.0}"
DEV_VENV="$REPO_DIR/.venv/ckan-$CKAN_VERSION"
WHEEL_VENV="$REPO_DIR/.venv/wheel-$CKAN_VERSION"
WORK="$REPO_DIR/.artifacts/wheel-$CKAN_VERSION"
DB=ckan_datathon_wheel
# the tests' Solr core: the wheel check runs after the suite and empties it first
SOLR_CORE=ckan_test
PG_PORT="${DATATHON_PG_PORT:-5433}"
REDIS_PORT="${DATATHON_REDIS_PORT:-6380}"
SOLR_PORT="${SOLR_PORT:-8983}"
export PIP_DISABLE_PIP_VERSION_CHECK=1
export CKAN_PYTHON="$DEV_VENV/bin/python"  # the services copy Solr's schema from its ckan

say() { printf 'wheel-check: %s\n' "$*"; }
cleanup() {
    local rc=$?
    if [ -f "$WORK/gunicorn.pid" ]; then
        kill "$(cat "$WORK/gunicorn.pid")" 2>/dev/null || true
    fi
    if [ "$rc" -ne 0 ] && [ -f "$WORK/ckan.log" ]; then
        echo "wheel-check: the server's logs ($WORK):" >&2
        tail -n 40 "$WORK/ckan.log" "$WORK/gunicorn.log" >&2 || true
    fi
    if [ "${CI:-}" = true ]; then
        # nothing survives a CI job (as scripts/test.sh)
        bash "$REPO_DIR/scripts/services.sh" stop >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
die() { printf 'wheel-check: FAIL %s\n' "$*" >&2; exit 1; }
start=$SECONDS

bash scripts/install.sh >/dev/null
bash scripts/services.sh start >/dev/null

rm -rf "$WORK"
mkdir -p "$WORK/dist" "$WORK/storage"

say "building the sdist and the wheel (python -m build)"
"$DEV_VENV/bin/python" -m build --outdir "$WORK/dist" "$REPO_DIR" > "$WORK/build.log" 2>&1 \
    || { tail -n 40 "$WORK/build.log" >&2; die "python -m build failed (log: $WORK/build.log)"; }
wheel="$(ls "$WORK"/dist/ckanext_datathon-*.whl)"
sdist="$(ls "$WORK"/dist/ckanext_datathon-*.tar.gz)"
say "built $(basename "$sdist") and $(basename "$wheel")"

say "checking what the wheel carries"
git ls-files ckanext/datathon > "$WORK/tracked.txt"
"$DEV_VENV/bin/python" - "$wheel" "$WORK/tracked.txt" <<'PY'
import sys, zipfile
wheel, tracked = sys.argv[1], sys.argv[2]
names = set(zipfile.ZipFile(wheel).namelist())
files = [line.strip() for line in open(tracked) if line.strip()]
missing = [f for f in files if f not in names]
if missing:
    sys.exit("wheel-check: FAIL the wheel lacks tracked files:\n  " + "\n  ".join(missing))
mo = sorted(n for n in names if n.endswith(".mo"))
for locale in ("es", "pt_BR"):
    want = f"ckanext/datathon/i18n/{locale}/LC_MESSAGES/ckanext-datathon.mo"
    if want not in names:
        sys.exit(f"wheel-check: FAIL no {want} in the wheel")
if not any(n.endswith("licenses/LICENSE") or n.endswith(".dist-info/LICENSE") for n in names):
    sys.exit("wheel-check: FAIL the wheel carries no LICENSE")
meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
requires = [l for l in zipfile.ZipFile(wheel).read(meta).decode().splitlines() if l.startswith("Requires-Dist:")]
if any(l.split()[1].lower() in ("ckan", "ckan[requirements]") for l in requires):
    sys.exit("wheel-check: FAIL the wheel requires CKAN itself")
print(f"wheel-check: the wheel has all {len(files)} tracked files of the package, "
      f"{len(mo)} compiled catalogues, the licence; requires: "
      + ", ".join(l.split(":", 1)[1].strip() for l in requires))
PY

say "a clean virtualenv with CKAN $CKAN_VERSION and the wheel ($WHEEL_VENV)"
rm -rf "$WHEEL_VENV"
python3 -m venv "$WHEEL_VENV"
"$WHEEL_VENV/bin/python" -m pip install -q "pip==26.3" "setuptools==84.2.1" "wheel==0.48.0"
"$WHEEL_VENV/bin/python" -m pip install -q "ckan[requirements]==$CKAN_VERSION" "gunicorn==23.0.0" "$wheel" \
    > "$WORK/pip.log" 2>&1 || { tail -n 40 "$WORK/pip.log" >&2; die "pip install failed"; }
# run from $WORK so that nothing can import the checkout
cd "$WORK"
where="$("$WHEEL_VENV/bin/python" -c 'import ckanext.datathon as d; print(d.__file__)')"
case "$where" in
    "$WHEEL_VENV"/*) say "ckanext.datathon imports from the wheel: $where" ;;
    *) die "ckanext.datathon imports from $where, not from the wheel's virtualenv" ;;
esac

say "configuration and an empty database ($DB)"
bash "$REPO_DIR/scripts/services/postgres.sh" recreate-db "$DB" >/dev/null
curl -fsS -o /dev/null "http://127.0.0.1:$SOLR_PORT/solr/$SOLR_CORE/update?commit=true" \
    -H 'Content-Type: text/xml' --data-binary '<delete><query>*:*</query></delete>'
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
INI="$WORK/ckan.ini"
ckan() { "$WHEEL_VENV/bin/ckan" -c "$INI" "$@" 2>>"$WORK/ckan-cli.log"; }
"$WHEEL_VENV/bin/ckan" generate config "$INI" >/dev/null 2>>"$WORK/ckan-cli.log"
"$WHEEL_VENV/bin/ckan" config-tool "$INI" 2>>"$WORK/ckan-cli.log" \
    "sqlalchemy.url = postgresql://ckan_datathon:ckan_datathon@127.0.0.1:$PG_PORT/$DB" \
    "solr_url = http://127.0.0.1:$SOLR_PORT/solr/$SOLR_CORE" \
    "ckan.redis.url = redis://127.0.0.1:$REDIS_PORT/10" \
    "ckan.site_url = http://127.0.0.1:$port" \
    "ckan.storage_path = $WORK/storage" \
    "ckan.plugins = datathon scheming_datasets activity" \
    "scheming.dataset_schemas = ckanext.scheming:ckan_dataset.yaml ckanext.datathon:schemas/project.yaml" \
    "scheming.dataset_fallback = true" \
    "ckan.auth.allow_dataset_collaborators = true" \
    "ckan.locales_offered = en es pt_BR" \
    "ckan.csrf_protection.ignore_extensions = false" >/dev/null
ckan db upgrade --skip-plugins >/dev/null
ckan db upgrade -p activity >/dev/null
ckan db upgrade -p datathon >/dev/null
head="$("$WHEEL_VENV/bin/python" - <<'PY'
import os
from alembic.config import Config
from alembic.script import ScriptDirectory
import ckanext.datathon
location = os.path.join(os.path.dirname(ckanext.datathon.__file__), "migration", "datathon")
config = Config(os.path.join(location, "alembic.ini"))
config.set_main_option("script_location", location)
print(ScriptDirectory.from_config(config).get_current_head())
PY
)"
stored="$(PGPASSWORD=ckan_datathon psql -h 127.0.0.1 -p "$PG_PORT" -U ckan_datathon -d "$DB" -tAc \
    'SELECT version_num FROM datathon_alembic_version')"
[ "$stored" = "$head" ] || die "db upgrade -p datathon left version '$stored', the wheel's head is '$head'"
say "db upgrade -p datathon reached the wheel's head $head"

say "users and API tokens"
ckan user add wheel-admin email=wheel-admin@example.org password=Wheel-Check-2026 >/dev/null
ckan sysadmin add wheel-admin >/dev/null
ckan user add wheel-team email=wheel-team@example.org password=Wheel-Check-2026 >/dev/null
token() { ckan user token add "$1" wheel-check | tail -n 1 | tr -d '[:space:]'; }
admin_token="$(token wheel-admin)"
team_token="$(token wheel-team)"

say "serving the wheel's portal on 127.0.0.1:$port"
cp "$REPO_DIR/scripts/wsgi.py" "$WORK/wsgi.py"
touch "$WORK/ckan.log" "$WORK/access.log" "$WORK/gunicorn.log"
CKAN_INI="$INI" "$WHEEL_VENV/bin/gunicorn" --chdir "$WORK" wsgi:application \
    --bind "127.0.0.1:$port" --workers 1 --timeout 120 --pid "$WORK/gunicorn.pid" --daemon \
    --capture-output --error-logfile "$WORK/gunicorn.log" --access-logfile "$WORK/access.log" \
    --env "CKAN_INI=$INI" --env "DATATHON_LOG_DIR=$WORK"
for _ in $(seq 240); do
    curl -fsS -m 5 "http://127.0.0.1:$port/api/3/action/status_show" >/dev/null 2>&1 && break
    sleep 0.5
done

python3 "$REPO_DIR/scripts/release/smoke.py" "http://127.0.0.1:$port" "$admin_token" "$team_token"
say "passed in $((SECONDS - start))s (CKAN $CKAN_VERSION)"
