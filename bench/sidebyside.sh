#!/usr/bin/env bash
# The agent against Debian's prometheus-postgres-exporter + prometheus-redis-exporter on the same
# PostgreSQL and Redis: CPU seconds per 1000 scrape cycles and RSS.
# Usage: bench/sidebyside.sh [cycles=1000] [cycle-millis=100]
set -euo pipefail
need=()
[ -x /usr/bin/prometheus-postgres-exporter ] || need+=(prometheus-postgres-exporter)
[ -x /usr/bin/prometheus-redis-exporter ] || need+=(prometheus-redis-exporter)
command -v redis-server >/dev/null || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "sidebyside.sh: needs ${need[*]}: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
for svc in prometheus-postgres-exporter prometheus-redis-exporter; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
  fi
done
. "$(dirname "$(readlink -f "$0")")/common.sh"
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" -Dtillwatch.pg.bin="$pg_bin" -cp "bench/target/classes:bench/target/lib/*" \
  io.tillwatch.bench.SideBySide cli/target/tillwatch.jar "${1:-1000}" "${2:-100}" $opts
