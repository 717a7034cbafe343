#!/usr/bin/env bash
# Serve CKAN with gunicorn on 127.0.0.1:$CKAN_PORT (default 5000).
#   CKAN_INI=... VENV=... scripts/serve.sh start|stop|status
set -euo pipefail
SERVICE=ckan
# shellcheck source=services/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/services/lib.sh"

CKAN_PORT="${CKAN_PORT:-5000}"
STATE="$DATATHON_SERVICES_DIR/ckan"
PIDFILE="$STATE/gunicorn.pid"
LOG="$STATE/gunicorn.log"
URL="http://127.0.0.1:$CKAN_PORT/api/3/action/status_show"

ready() { curl -fsS -m 5 "$URL" | grep -q '"success": *true'; }

start() {
    : "${CKAN_INI:?CKAN_INI must name the config file}" "${VENV:?VENV must name the virtualenv}"
    mkdir -p "$STATE"
    if pid_alive "$PIDFILE"; then
        say "restarting (pid $(cat "$PIDFILE")) to load the current code and config"
        stop_pidfile "$PIDFILE" 30 >/dev/null
    fi
    port_in_use "$CKAN_PORT" && die "port $CKAN_PORT is busy (not our CKAN); set CKAN_PORT"
    # Logs (mode 0600: access logs carry password-reset keys): gunicorn.log
    # (server, and whatever the workers write to stderr), access.log (every
    # request), ckan.log (the application: every error with its traceback).
    for f in "$LOG" "$STATE/access.log" "$STATE/ckan.log"; do
        touch "$f" && chmod 600 "$f"
    done
    CKAN_INI="$CKAN_INI" "$VENV/bin/gunicorn" --chdir "$REPO_DIR/scripts" wsgi:application \
        --bind "127.0.0.1:$CKAN_PORT" --workers "${CKAN_WORKERS:-2}" --timeout 120 \
        --pid "$PIDFILE" --daemon --umask 0077 --capture-output \
        --error-logfile "$LOG" --access-logfile "$STATE/access.log" \
        --env "CKAN_INI=$CKAN_INI" --env "DATATHON_LOG_DIR=$STATE"
    wait_until "${CKAN_START_TIMEOUT:-120}" "$LOG" ready
    say "serving http://127.0.0.1:$CKAN_PORT (logs: $STATE/ckan.log, access.log, gunicorn.log)"
}

status() {
    if pid_alive "$PIDFILE" && ready; then
        say "serving http://127.0.0.1:$CKAN_PORT"
    else
        say "not running"
        exit 3
    fi
}

case "${1:-}" in
    start) start ;;
    stop) stop_pidfile "$PIDFILE" ;;
    status) status ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
