# Shared helpers for the service scripts (sourced, not executed).
# Everything these scripts start is bound to 127.0.0.1 and keeps its state under
# $DATATHON_SERVICES_DIR (default: <repo>/.services, ignored by git).

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATATHON_SERVICES_DIR="${DATATHON_SERVICES_DIR:-$REPO_DIR/.services}"
export DATATHON_SERVICES_DIR

say() { printf '%s: %s\n' "$SERVICE" "$*"; }
die() { printf '%s: ERROR: %s\n' "$SERVICE" "$*" >&2; exit 1; }

# apt_install PKG... : install Debian packages when their binaries are missing.
apt_install() {
    if [ "$(id -u)" != 0 ]; then
        die "packages $* are missing and installing them needs root (apt-get install $*)"
    fi
    say "installing Debian packages: $*"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1; then
        apt-get update -q >/dev/null 2>&1 || true
        apt-get install -y -q --no-install-recommends "$@" >/dev/null \
            || die "apt-get install $* failed"
    fi
}

# pid_alive PIDFILE : true when the pid file names a live process.
pid_alive() {
    [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

# port_in_use PORT : true when something listens on 127.0.0.1:PORT.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# wait_until TIMEOUT LOG CMD... : poll CMD every half second until it succeeds;
# on timeout print the tail of LOG and fail naming the service.
wait_until() {
    local timeout="$1" log="$2"
    shift 2
    local deadline=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            printf '%s: ERROR: not healthy after %ss; log: %s\n' "$SERVICE" "$timeout" "$log" >&2
            [ -f "$log" ] && tail -n 40 "$log" >&2
            exit 1
        fi
        sleep 0.5
    done
}

# stop_pidfile PIDFILE [TIMEOUT] : SIGTERM the process of PIDFILE and wait for it.
stop_pidfile() {
    local pidfile="$1" timeout="${2:-30}" pid
    if ! pid_alive "$pidfile"; then
        rm -f "$pidfile"
        say "not running"
        return 0
    fi
    pid="$(cat "$pidfile")"
    kill -TERM "$pid"
    local deadline=$((SECONDS + timeout))
    while kill -0 "$pid" 2>/dev/null; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            die "process $pid did not stop within ${timeout}s"
        fi
        sleep 0.3
    done
    rm -f "$pidfile"
    say "stopped (pid $pid)"
}
