#!/usr/bin/env bash
# Debian packages the portal, its services and its tests need.  Installs only
# what is missing (apt-get update once, when something is), so a second run
# costs a few dpkg queries.  Needs root on a fresh machine.
set -euo pipefail

PACKAGES=(
    # Python, and what psycopg2 and python-magic build or load against
    python3 python3-venv python3-dev build-essential libpq-dev libmagic1
    # services
    postgresql redis-server
    # Solr 9 runs on a JDK 17 and its jars come from Maven Central
    openjdk-17-jdk-headless maven
    # tools the scripts use
    curl git ca-certificates
)
# Browser tests drive Debian's Chromium; `make test` asks for them.
if [ "${WITH_BROWSER:-0}" = 1 ]; then
    PACKAGES+=(chromium chromium-driver fonts-dejavu-core)
    # axe-core (accessibility checks) comes from npm; keep a node that is already
    # there (a NodeSource nodejs conflicts with Debian's npm package)
    command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
    echo "bootstrap: Debian packages present"
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "bootstrap: ERROR: missing Debian packages (${missing[*]}); run as root or install them" >&2
    exit 1
fi
echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# A Debian package may try to start its service through invoke-rc.d; ours are
# started by scripts/services/*.sh on their own ports, so block that.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod +x "$policy"
    created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "bootstrap: done"
