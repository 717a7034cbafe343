#!/usr/bin/env bash
# The demo's mail catcher: scripts/mail_catcher.py (aiosmtpd) on
# 127.0.0.1:$DATATHON_SMTP_PORT (default 8025), keeping every message it
# receives as one file under .services/mail/ (nothing is relayed).
#   CKAN_PYTHON=... mail.sh start|stop|status
set -euo pipefail
SERVICE=mail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SMTP_PORT="${DATATHON_SMTP_PORT:-8025}"
STATE="$DATATHON_SERVICES_DIR/mail-catcher"
MAILDIR="$DATATHON_SERVICES_DIR/mail"
PIDFILE="$STATE/catcher.pid"
LOG="$STATE/catcher.log"

ready() { port_in_use "$SMTP_PORT"; }

start() {
    : "${CKAN_PYTHON:?CKAN_PYTHON must name the python of the virtualenv (aiosmtpd is installed there)}"
    mkdir -p "$STATE" "$MAILDIR"
    if pid_alive "$PIDFILE"; then
        if grep -q -- "--port $SMTP_PORT" "$STATE/port" 2>/dev/null; then
            say "already running on 127.0.0.1:$SMTP_PORT (mail: $MAILDIR)"
            return
        fi
        # started for another DATATHON_SMTP_PORT: the portal would mail nowhere
        say "running on another port: restarting on 127.0.0.1:$SMTP_PORT"
        stop_pidfile "$PIDFILE" 30 >/dev/null
    fi
    if port_in_use "$SMTP_PORT"; then
        say "port $SMTP_PORT is busy (not our catcher): not started; set DATATHON_SMTP_PORT"
        return
    fi
    nohup "$CKAN_PYTHON" "$REPO_DIR/scripts/mail_catcher.py" --port "$SMTP_PORT" --dir "$MAILDIR" \
        >"$LOG" 2>&1 &
    echo $! >"$PIDFILE"
    echo "--port $SMTP_PORT" >"$STATE/port"
    wait_until "${DATATHON_MAIL_START_TIMEOUT:-30}" "$LOG" ready
    say "catching mail on 127.0.0.1:$SMTP_PORT, one file per message in $MAILDIR"
}

status() {
    if pid_alive "$PIDFILE" && ready; then
        say "catching mail on 127.0.0.1:$SMTP_PORT ($(find "$MAILDIR" -name '*.eml' 2>/dev/null | wc -l) messages in $MAILDIR)"
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
