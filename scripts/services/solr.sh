#!/usr/bin/env bash
# Local Apache Solr 9 for CKAN: a real Solr (org.apache.solr:solr-test-framework's
# JettySolrRunner, jars from Maven Central) serving CKAN's own schema in several cores:
#   http://127.0.0.1:$SOLR_PORT/solr/ckan        the demo portal
#   http://127.0.0.1:$SOLR_PORT/solr/ckan_test   the test suite (emptied by tests)
#   http://127.0.0.1:$SOLR_PORT/solr/ckan_bench  the benchmarks
#   http://127.0.0.1:$SOLR_PORT/solr/ckan_test_gw<n>  the test suite's pytest-xdist workers
#
# Usage: scripts/services/solr.sh start|stop|status
#
# Environment:
#   DATATHON_SERVICES_DIR  state root (default: <repo>/.services); everything lives in
#                          $DATATHON_SERVICES_DIR/solr/: lib/ (jars), home/ (solr home),
#                          solr.log, solr.pid
#   SOLR_PORT              port on 127.0.0.1 (default 8983)
#   SOLR_CORES             cores to serve (default "ckan ckan_test ckan_bench ckan_test_gw0
#                          ckan_test_gw1": demo, tests, benchmarks, two test workers), all
#                          with CKAN's schema
#   CKAN_PYTHON            (start only, required) python of the virtualenv with ckan installed;
#                          ckan/config/solr/schema.xml is copied from that package
#   SOLR_START_TIMEOUT     seconds to wait for the core to answer (default 120)
#   SOLR_HEAP              JVM max heap (default 512m)
#   SOLR_TEST_INDEX_IN_MEMORY  1 (default): the index of each ckan_test* core lives in
#                          /dev/shm (tmpfs), so the suite's thousands of commits do not
#                          wait for the disk; the same Solr, schema and config, and the
#                          tests empty those cores anyway.  0: on disk like the others.
#   SOLR_JAVA              java binary, JDK 17 (default: java)
#   SOLR_MVN               maven binary (default: mvn)
#
# Needs: java 17 (source-file mode), mvn (first start only, or when scripts/solr/pom.xml
# changes), curl. Self-contained on purpose (does not source scripts/services/lib.sh).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"
SOLR_SRC_DIR="$REPO_DIR/scripts/solr"

SERVICES_DIR="${DATATHON_SERVICES_DIR:-$REPO_DIR/.services}"
SOLR_PORT="${SOLR_PORT:-8983}"
SOLR_CORES="${SOLR_CORES:-ckan ckan_test ckan_bench ckan_test_gw0 ckan_test_gw1}"
FIRST_CORE="${SOLR_CORES%% *}"
SOLR_START_TIMEOUT="${SOLR_START_TIMEOUT:-120}"
SOLR_HEAP="${SOLR_HEAP:-512m}"
SOLR_JAVA="${SOLR_JAVA:-java}"
SOLR_MVN="${SOLR_MVN:-mvn}"
STOP_TIMEOUT=30

mkdir -p "$SERVICES_DIR"
SERVICES_DIR="$(cd "$SERVICES_DIR" && pwd)"
STATE_DIR="$SERVICES_DIR/solr"
LIB_DIR="$STATE_DIR/lib"
LIB_MARKER="$LIB_DIR/.complete"
SOLR_HOME_DIR="$STATE_DIR/home"
CORE_DIR="$SOLR_HOME_DIR/$FIRST_CORE"
LOG_FILE="$STATE_DIR/solr.log"
PID_FILE="$STATE_DIR/solr.pid"
MVN_LOG="$STATE_DIR/maven.log"

BASE_URL="http://127.0.0.1:$SOLR_PORT/solr"
CORE_URL="$BASE_URL/$FIRST_CORE"

say() { printf 'solr: %s\n' "$*"; }
die() { printf 'solr: %s\n' "$*" >&2; exit 1; }

now() { date +%s; }

# --- process helpers ---------------------------------------------------------------

# pid from our pidfile, empty if none
read_pid() {
    local pid=""
    if [[ -f "$PID_FILE" ]]; then
        pid="$(tr -dc '0-9' < "$PID_FILE" || true)"
    fi
    printf '%s' "$pid"
}

# true if $1 is alive and is our launcher for this solr home (guards against pid reuse)
is_our_solr() {
    local pid="$1" args
    [[ -n "$pid" ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    args="$(ps -o args= -p "$pid" 2>/dev/null || true)"
    [[ "$args" == *SolrLauncher.java*"$SOLR_HOME_DIR"* ]]
}

# port given on the command line of our launcher (last argument)
pid_port() {
    local args
    args="$(ps -o args= -p "$1" 2>/dev/null || true)"
    printf '%s' "${args##* }"
}

# true if something accepts TCP connections on 127.0.0.1:$SOLR_PORT
port_busy() {
    (exec 3<>"/dev/tcp/127.0.0.1/$SOLR_PORT") 2>/dev/null
}

# --- solr checks -------------------------------------------------------------------

# every core answers /select with HTTP 200
core_ready() {
    local code core
    for core in $SOLR_CORES; do
        code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
            "$BASE_URL/$core/select?q=*:*&rows=0&wt=json" 2>/dev/null || true)"
        [[ "$code" == 200 ]] || return 1
    done
}

# schema name attribute (e.g. ckan-2.12) from a schema.xml on stdin
schema_name() {
    sed -n 's/.*<schema[^>]*[[:space:]]name="\([^"]*\)".*/\1/p' | head -n 1
}

live_schema_name() {
    curl -sf --max-time 10 "$CORE_URL/schema?wt=schema.xml" 2>/dev/null | schema_name || true
}

# --- start pieces ------------------------------------------------------------------

installed_schema_path() {
    [[ -n "${CKAN_PYTHON:-}" ]] || die "CKAN_PYTHON is not set (path to the python of the virtualenv with ckan installed)"
    [[ -x "$CKAN_PYTHON" ]] || command -v "$CKAN_PYTHON" >/dev/null 2>&1 \
        || die "CKAN_PYTHON=$CKAN_PYTHON is not executable"
    local path
    path="$("$CKAN_PYTHON" -c "import ckan,os;print(os.path.join(os.path.dirname(ckan.__file__),'config/solr/schema.xml'))")" \
        || die "cannot import ckan with CKAN_PYTHON=$CKAN_PYTHON"
    [[ -f "$path" ]] || die "ckan's Solr schema not found at $path"
    printf '%s' "$path"
}

# download the jars into lib/ unless lib/.complete matches the current pom.xml
resolve_jars() {
    local pom="$SOLR_SRC_DIR/pom.xml" want have="" tmp t0
    want="$(sha256sum "$pom" | cut -d' ' -f1)"
    [[ -f "$LIB_MARKER" ]] && have="$(cat "$LIB_MARKER")"
    if [[ "$have" == "$want" ]]; then
        return 0
    fi
    command -v "$SOLR_MVN" >/dev/null 2>&1 || die "'$SOLR_MVN' (Maven) not found; needed once to fetch the Solr jars"
    say "resolving Solr jars from Maven Central into $LIB_DIR ..."
    t0="$(now)"
    tmp="$STATE_DIR/lib.tmp"
    rm -rf "$tmp"
    if ! "$SOLR_MVN" -B -q -f "$pom" dependency:copy-dependencies \
            -DoutputDirectory="$tmp" > "$MVN_LOG" 2>&1 9>&-; then
        tail -n 40 "$MVN_LOG" >&2 || true
        rm -rf "$tmp"
        die "maven failed to resolve the Solr jars, see $MVN_LOG"
    fi
    ls "$tmp"/solr-test-framework-*.jar >/dev/null 2>&1 || die "no solr-test-framework jar in $tmp, see $MVN_LOG"
    printf '%s\n' "$want" > "$tmp/.complete"
    rm -rf "$LIB_DIR"
    mv "$tmp" "$LIB_DIR"
    say "jars resolved in $(( $(now) - t0 ))s ($(du -sh "$LIB_DIR" | cut -f1))"
}

# The index of a test core (ckan_test, ckan_test_gw<n>) in /dev/shm: data/ is a link
# to a directory there, made again after a reboot emptied /dev/shm.  Measured here
# under load: an add with commit=true took 300-420 ms on disk and 75-120 ms in
# /dev/shm (the commit's fsync).
test_index_in_memory() {
    local core="$1" dir="$2" mem
    [[ "$core" == ckan_test* ]] || return 0
    [[ "${SOLR_TEST_INDEX_IN_MEMORY:-1}" == 1 ]] || { [[ -L "$dir/data" ]] && rm -f "$dir/data"; return 0; }
    [[ -d /dev/shm && -w /dev/shm ]] || return 0
    mem="/dev/shm/ckanext-datathon-solr-$(printf '%s' "$SOLR_HOME_DIR" | sha256sum | cut -c1-12)/$core"
    mkdir -p "$mem"
    if [[ ! -L "$dir/data" ]] || [[ "$(readlink "$dir/data")" != "$mem" ]]; then
        rm -rf "$dir/data"
        ln -s "$mem" "$dir/data"
    fi
}

# (re)build home/<core>/conf of every core from scratch; wipe an index whose schema changed
build_home() {
    local schema="$1" core dir
    cp "$SOLR_SRC_DIR/solr.xml" "$SOLR_HOME_DIR/solr.xml" 2>/dev/null \
        || { mkdir -p "$SOLR_HOME_DIR"; cp "$SOLR_SRC_DIR/solr.xml" "$SOLR_HOME_DIR/solr.xml"; }
    for core in $SOLR_CORES; do
        [[ "$core" =~ ^[a-z0-9_]+$ ]] || die "bad core name: $core"
        dir="$SOLR_HOME_DIR/$core"
        mkdir -p "$dir"
        test_index_in_memory "$core" "$dir"
        if [[ -d "$dir/data" ]] && ! cmp -s "$schema" "$dir/conf/schema.xml"; then
            say "schema of core $core changed (now $(schema_name < "$schema")), wiping its index"
            if [[ -L "$dir/data" ]]; then
                find "$dir/data/" -mindepth 1 -delete
            else
                rm -rf "$dir/data"
            fi
        fi
        rm -rf "$dir/conf"
        mkdir -p "$dir/conf"
        cp "$SOLR_SRC_DIR/solrconfig.xml" "$dir/conf/solrconfig.xml"
        cp "$schema" "$dir/conf/schema.xml"
        # referenced by CKAN's schema (SynonymGraphFilterFactory, SnowballPorterFilterFactory)
        printf '# no synonyms\n' > "$dir/conf/synonyms.txt"
        printf '# no protected words\n' > "$dir/conf/protwords.txt"
        printf 'name=%s\n' "$core" > "$dir/core.properties"
    done
}

# wait until the core answers /select with HTTP 200.
# returns 0 ready, 1 timeout, 2 process exited
wait_ready() {
    local pid="$1" deadline="$2"
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            return 2
        fi
        if core_ready; then
            return 0
        fi
        if (( $(now) >= deadline )); then
            return 1
        fi
        sleep 0.5
    done
}

stop_pid() {
    local pid="$1" waited=0
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
        if (( waited >= STOP_TIMEOUT * 10 )); then
            say "pid $pid still alive after ${STOP_TIMEOUT}s, sending SIGKILL" >&2
            kill -KILL "$pid" 2>/dev/null || true
            sleep 1
            break
        fi
        sleep 0.1
        waited=$(( waited + 1 ))
    done
    rm -f "$PID_FILE"
}

# --- subcommands -------------------------------------------------------------------

cmd_start() {
    local schema expected pid t_launch rc
    schema="$(installed_schema_path)"
    expected="$(schema_name < "$schema")"
    [[ -n "$expected" ]] || die "no name attribute in $schema"
    command -v curl >/dev/null 2>&1 || die "curl not found"

    pid="$(read_pid)"
    if is_our_solr "$pid"; then
        if [[ "$(pid_port "$pid")" == "$SOLR_PORT" ]]; then
            # start/stop are serialised by the lock, so a live instance has finished its
            # own start; a short grace period is enough
            if wait_ready "$pid" $(( $(now) + 10 )) \
                    && [[ "$(live_schema_name)" == "$expected" ]] \
                    && cmp -s "$schema" "$CORE_DIR/conf/schema.xml"; then
                say "already running (pid $pid, $CORE_URL, schema $expected)"
                return 0
            fi
            say "running instance (pid $pid) does not serve schema $expected, restarting"
        else
            say "running instance (pid $pid) uses port $(pid_port "$pid"), restarting on $SOLR_PORT"
        fi
        stop_pid "$pid"
    elif [[ -f "$PID_FILE" ]]; then
        rm -f "$PID_FILE"   # stale
    fi

    if port_busy; then
        local what="another process"
        if core_ready; then what="another Solr (not started by this script from $STATE_DIR)"; fi
        die "port $SOLR_PORT on 127.0.0.1 is already in use by $what; stop it or set SOLR_PORT"
    fi

    command -v "$SOLR_JAVA" >/dev/null 2>&1 || die "'$SOLR_JAVA' not found (JDK 17 needed)"
    resolve_jars
    build_home "$schema"

    [[ -f "$LOG_FILE" ]] && mv -f "$LOG_FILE" "$LOG_FILE.prev"
    local -a launcher=(
        "$SOLR_JAVA" "-Xmx$SOLR_HEAP"
        "-Dsolr.log.dir=$STATE_DIR"
        "-Dsolr.lock.type=single"
        -cp "$LIB_DIR/*"
        "$SOLR_SRC_DIR/SolrLauncher.java" "$SOLR_HOME_DIR" "$SOLR_PORT"
    )
    # own session (setsid) + nohup: survives this script and Ctrl-C in the caller's terminal.
    # Without job control a background child is not a group leader, so setsid execs
    # in place and $! is the java pid itself. fd 9 (the start/stop lock) is closed so
    # Solr does not hold the lock for its whole life.
    if command -v setsid >/dev/null 2>&1; then
        (cd "$STATE_DIR" && exec setsid nohup "${launcher[@]}" > "$LOG_FILE" 2>&1 < /dev/null 9>&-) &
    else
        (cd "$STATE_DIR" && exec nohup "${launcher[@]}" > "$LOG_FILE" 2>&1 < /dev/null 9>&-) &
    fi
    pid=$!
    printf '%s\n' "$pid" > "$PID_FILE"
    t_launch="$(now)"

    rc=0
    wait_ready "$pid" $(( t_launch + SOLR_START_TIMEOUT )) || rc=$?
    if (( rc == 0 )); then
        local live
        live="$(live_schema_name)"
        if [[ "$live" == "$expected" ]]; then
            say "started (pid $pid, $CORE_URL, schema $expected) in $(( $(now) - t_launch ))s"
            return 0
        fi
        printf 'solr: core serves schema "%s", expected "%s", see %s\n' "$live" "$expected" "$LOG_FILE" >&2
        stop_pid "$pid"
    elif (( rc == 2 )); then
        rm -f "$PID_FILE"
        printf 'solr: failed to start (process exited after %ss), see %s\n' "$(( $(now) - t_launch ))" "$LOG_FILE" >&2
    else
        printf 'solr: failed to start within %ss, see %s\n' "$SOLR_START_TIMEOUT" "$LOG_FILE" >&2
        stop_pid "$pid"
    fi
    printf -- '--- last 40 lines of %s ---\n' "$LOG_FILE" >&2
    tail -n 40 "$LOG_FILE" >&2 || true
    exit 1
}

cmd_stop() {
    local pid
    pid="$(read_pid)"
    if ! is_our_solr "$pid"; then
        rm -f "$PID_FILE"
        say "not running"
        return 0
    fi
    stop_pid "$pid"
    say "stopped (pid $pid)"
}

cmd_status() {
    local pid name
    pid="$(read_pid)"
    if is_our_solr "$pid"; then
        if core_ready; then
            name="$(live_schema_name)"
            say "running (pid $pid, $CORE_URL, schema ${name:-unknown})"
        else
            say "running (pid $pid), core $CORE_URL not answering yet"
        fi
        return 0
    fi
    if port_busy; then
        say "not running (port $SOLR_PORT is used by another process)"
    else
        say "not running"
    fi
    return 3
}

main() {
    local cmd="${1:-}"
    case "$cmd" in
        start|stop)
            mkdir -p "$STATE_DIR"
            # serialise start/stop on the same services dir
            if command -v flock >/dev/null 2>&1; then
                exec 9> "$STATE_DIR/.lock"
                flock 9
            fi
            "cmd_$cmd"
            ;;
        status)
            cmd_status
            ;;
        *)
            printf 'usage: %s start|stop|status\n' "$(basename "$0")" >&2
            exit 2
            ;;
    esac
}

main "$@"
