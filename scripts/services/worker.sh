#!/usr/bin/env bash
# The demo's background-job worker: `ckan jobs worker datathon` (CKAN's RQ
# worker on the plugin's mail queue), state under .services/worker.
#   CKAN_INI=... VENV=... worker.sh start|stop|status
# In production run it under systemd instead (README, "Mail").
set -euo pipefail
SERVICE=worker
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STATE="$DATATHON_SERVICES_DIR/worker"
PIDFILE="$STATE/worker.pid"
LOG="$STATE/worker.log"
QUEUE="${DATATHON_MAIL_QUEUE:-datathon}"

start() {
    : "${CKAN_INI:?CKAN_INI must name the config file}" "${VENV:?VENV must name the virtualenv}"
    mkdir -p "$STATE"
    if pid_alive "$PIDFILE"; then
        say "restarting (pid $(cat "$PIDFILE")) to load the current code and config"
        stop_pidfile "$PIDFILE" 30 >/dev/null
    fi
    nohup "$VENV/bin/ckan" -c "$CKAN_INI" jobs worker "$QUEUE" >"$LOG" 2>&1 &
    echo $! >"$PIDFILE"
    wait_until "${DATATHON_WORKER_START_TIMEOUT:-60}" "$LOG" \
        grep -qE "has started on queue|Listening on|Scheduler for .* started" "$LOG"
    say "working on queue $QUEUE (log: $LOG)"
}

status() {
    if pid_alive "$PIDFILE"; then
        say "working on queue $QUEUE (pid $(cat "$PIDFILE"))"
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
