#!/usr/bin/env bash
# Start, stop or report every service of the portal, in dependency order.
#   scripts/services.sh start     PostgreSQL, Redis, Solr, the mail catcher (needs CKAN_PYTHON)
#   scripts/services.sh stop      the demo CKAN server and worker, the mail catcher, Solr, Redis, PostgreSQL
#   scripts/services.sh status
# Each service script only touches processes it started (pid files under
# .services/), so a system PostgreSQL or Redis on their usual ports is left alone.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

case "${1:-}" in
    start)
        bash "$HERE/services/postgres.sh" start
        bash "$HERE/services/redis.sh" start
        bash "$HERE/services/solr.sh" start
        bash "$HERE/services/mail.sh" start
        ;;
    stop)
        rc=0
        bash "$HERE/serve.sh" stop || rc=1
        bash "$HERE/services/worker.sh" stop || rc=1
        bash "$HERE/services/mail.sh" stop || rc=1
        bash "$HERE/services/solr.sh" stop || rc=1
        bash "$HERE/services/redis.sh" stop || rc=1
        bash "$HERE/services/postgres.sh" stop || rc=1
        exit "$rc"
        ;;
    status)
        rc=0
        for s in postgres redis solr mail worker; do
            bash "$HERE/services/$s.sh" status || rc=3
        done
        bash "$HERE/serve.sh" status || rc=3
        exit "$rc"
        ;;
    *)
        echo "usage: $0 start|stop|status" >&2
        exit 2
        ;;
esac
