#!/usr/bin/env bash
# Redis for ckanext-datathon: Debian's redis-server on 127.0.0.1:$DATATHON_REDIS_PORT,
# state under .services/redis.  Usage: redis.sh start|stop|status
set -euo pipefail
SERVICE=redis
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REDIS_PORT="${DATATHON_REDIS_PORT:-6380}"
STATE="$DATATHON_SERVICES_DIR/redis"
PIDFILE="$STATE/redis.pid"
LOG="$STATE/redis.log"

ready() { [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

start() {
    command -v redis-server >/dev/null || apt_install redis-server
    mkdir -p "$STATE"
    if pid_alive "$PIDFILE"; then
        wait_until "${DATATHON_REDIS_START_TIMEOUT:-30}" "$LOG" ready
        say "already running on 127.0.0.1:$REDIS_PORT"
        return
    fi
    port_in_use "$REDIS_PORT" && die "port $REDIS_PORT is busy (not our Redis); set DATATHON_REDIS_PORT"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --protected-mode yes \
        --daemonize yes --pidfile "$PIDFILE" --logfile "$LOG" --dir "$STATE" \
        --save "" --appendonly no >/dev/null \
        || die "redis-server did not start, see $LOG"
    wait_until "${DATATHON_REDIS_START_TIMEOUT:-30}" "$LOG" ready
    say "started on 127.0.0.1:$REDIS_PORT (log: $LOG)"
}

status() {
    if pid_alive "$PIDFILE" && ready; then
        say "running on 127.0.0.1:$REDIS_PORT"
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
