#!/usr/bin/env bash
# PostgreSQL for ckanext-datathon: a private cluster of Debian's PostgreSQL,
# listening on 127.0.0.1:$DATATHON_PG_PORT only (TCP, no unix socket), with
# the role and databases CKAN needs.
# Usage: postgres.sh start|stop|status|recreate-db NAME|ensure-db NAME|copy-db NAME TEMPLATE
set -euo pipefail
SERVICE=postgres
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_PORT="${DATATHON_PG_PORT:-5433}"
PG_DB_USER="${DATATHON_PG_USER:-ckan_datathon}"
PG_DB_PASSWORD="${DATATHON_PG_PASSWORD:-ckan_datathon}"
PG_DATABASES="${DATATHON_PG_DATABASES:-ckan_datathon ckan_datathon_test}"
STATE="$DATATHON_SERVICES_DIR/postgres"
LOG="$STATE/postgres.log"
SUPERPW_FILE="$STATE/superuser.password"

pg_bin() {
    local bin
    bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
    [ -n "$bin" ] && [ -x "$bin/pg_ctl" ] && printf '%s' "$bin"
}

as_postgres() { (cd / && runuser -u postgres -- "$@"); }

# The server runs as the unprivileged "postgres" user, which must be able to
# reach its data directory.  When the clone lives where that user cannot go
# (e.g. under /root or a mode-700 temporary folder), keep the cluster in
# /var/lib and link it from .services.  Prints the real (resolved) path.
data_dir() {
    local wanted="$STATE/data"
    if [ -L "$wanted" ] || as_postgres test -x "$STATE" 2>/dev/null; then
        [ -L "$wanted" ] && mkdir -p "$(readlink "$wanted")"
        readlink -f "$wanted"
        return
    fi
    local key
    key="$(printf '%s' "$REPO_DIR" | sha1sum | cut -c1-12)"
    local real="/var/lib/ckanext-datathon/$key/postgres-data"
    mkdir -p "$real"
    chmod 755 /var/lib/ckanext-datathon "$(dirname "$real")"
    ln -sfn "$real" "$wanted"
    printf '%s' "$real"
}

psql_super() {
    PGPASSWORD="$(cat "$SUPERPW_FILE")" "$BIN/psql" -X -q -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"
}

ready() { "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; }

ensure_role_and_databases() {
    local exists
    exists="$(psql_super -tA -c "SELECT 1 FROM pg_roles WHERE rolname = '$PG_DB_USER'")"
    if [ "$exists" != 1 ]; then
        psql_super -c "CREATE ROLE \"$PG_DB_USER\" LOGIN PASSWORD '$PG_DB_PASSWORD'"
        say "created role $PG_DB_USER"
    fi
    for db in $PG_DATABASES; do
        exists="$(psql_super -tA -c "SELECT 1 FROM pg_database WHERE datname = '$db'")"
        if [ "$exists" != 1 ]; then
            psql_super -c "CREATE DATABASE \"$db\" OWNER \"$PG_DB_USER\" ENCODING 'UTF8' TEMPLATE template0"
            say "created database $db"
        fi
    done
}

start() {
    BIN="$(pg_bin)" || { apt_install postgresql; BIN="$(pg_bin)" || die "PostgreSQL binaries not found after install"; }
    mkdir -p "$STATE"
    chmod 755 "$STATE"
    local data
    data="$(data_dir)"
    if [ ! -s "$data/PG_VERSION" ]; then
        say "initialising a new cluster in $data"
        mkdir -p "$data"
        chown postgres:postgres "$data"
        chmod 700 "$data"
        [ -s "$SUPERPW_FILE" ] || (umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$SUPERPW_FILE")
        local pwtmp
        pwtmp="$(mktemp)"
        cp "$SUPERPW_FILE" "$pwtmp"
        chown postgres "$pwtmp"
        as_postgres "$BIN/initdb" -D "$data" -U postgres --pwfile="$pwtmp" \
            --auth-host=scram-sha-256 --auth-local=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
            >"$STATE/initdb.log" 2>&1 || { rm -f "$pwtmp"; cat "$STATE/initdb.log" >&2; die "initdb failed, see $STATE/initdb.log"; }
        rm -f "$pwtmp"
    fi
    if ready; then
        if [ -s "$data/postmaster.pid" ]; then
            say "already running on 127.0.0.1:$PG_PORT"
        else
            die "port $PG_PORT is used by a PostgreSQL that is not ours; set DATATHON_PG_PORT"
        fi
    else
        port_in_use "$PG_PORT" && die "port $PG_PORT is busy (not our PostgreSQL); set DATATHON_PG_PORT"
        # the server writes its log beside its data (where the postgres user can)
        LOG="$(dirname "$data")/postgres.log"
        [ "$LOG" = "$STATE/postgres.log" ] || ln -sfn "$LOG" "$STATE/postgres.log"
        touch "$LOG"
        chown postgres "$LOG"
        as_postgres "$BIN/pg_ctl" -D "$data" -l "$LOG" -s -o \
            "-c listen_addresses=127.0.0.1 -p $PG_PORT -c unix_socket_directories='' -c fsync=${DATATHON_PG_FSYNC:-on} -c max_connections=200" \
            start >/dev/null 2>&1 || true
        wait_until "${DATATHON_PG_START_TIMEOUT:-60}" "$LOG" ready
        say "started on 127.0.0.1:$PG_PORT (data: $data, log: $LOG)"
    fi
    ensure_role_and_databases
}

stop() {
    BIN="$(pg_bin)" || { say "not installed"; return 0; }
    local data
    data="$(readlink -f "$STATE/data")"
    if [ -s "$data/postmaster.pid" ]; then
        as_postgres "$BIN/pg_ctl" -D "$data" -m fast -s -w stop || die "pg_ctl stop failed, see $LOG"
        say "stopped"
    else
        say "not running"
    fi
}

status() {
    BIN="$(pg_bin)" || { say "not installed"; exit 3; }
    if [ -s "$STATE/data/postmaster.pid" ] && ready; then
        say "running on 127.0.0.1:$PG_PORT"
    else
        say "not running"
        exit 3
    fi
}

# recreate_db NAME : drop (closing its connections) and create NAME afresh.
recreate_db() {
    BIN="$(pg_bin)" || die "not installed"
    [[ "$1" =~ ^[a-z0-9_]+$ ]] || die "bad database name: $1"
    psql_super -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)"
    PG_DATABASES="$1" ensure_role_and_databases
}

# ensure_db NAME : create NAME when it does not exist yet.
ensure_db() {
    BIN="$(pg_bin)" || die "not installed"
    [[ "$1" =~ ^[a-z0-9_]+$ ]] || die "bad database name: $1"
    PG_DATABASES="$1" ensure_role_and_databases
}

# copy_db NAME TEMPLATE : drop NAME and create it as a copy of TEMPLATE (a file
# copy: much faster than running the migrations again).
copy_db() {
    BIN="$(pg_bin)" || die "not installed"
    [[ "$1" =~ ^[a-z0-9_]+$ ]] || die "bad database name: $1"
    [[ "$2" =~ ^[a-z0-9_]+$ ]] || die "bad database name: $2"
    psql_super -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)"
    psql_super -c "CREATE DATABASE \"$1\" TEMPLATE \"$2\" OWNER \"$PG_DB_USER\"" >/dev/null
    say "created database $1 (copy of $2)"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    status) status ;;
    recreate-db) recreate_db "${2:?database name}" ;;
    ensure-db) ensure_db "${2:?database name}" ;;
    copy-db) copy_db "${2:?database name}" "${3:?template database name}" ;;
    *) echo "usage: $0 start|stop|status|recreate-db NAME|ensure-db NAME|copy-db NAME TEMPLATE" >&2; exit 2 ;;
esac
