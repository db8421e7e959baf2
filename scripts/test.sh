#!/usr/bin/env bash
# The test command: installs the servers the tests start (when run as root), then runs every
# unit test (*Test, Surefire) and integration test against real servers (*IT, Failsafe).
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$root"

packages=(postgresql redis-server pgbackrest prometheus prometheus-alertmanager victoria-metrics poppler-utils python3-aiosmtpd fonts-dejavu-core npm)
need() { # the package's binary is what the tests look for
  case "$1" in
    postgresql) [ -x /usr/lib/postgresql/15/bin/pg_basebackup ] || ls /usr/lib/postgresql/*/bin/pg_basebackup >/dev/null 2>&1 ;;
    redis-server) command -v redis-server >/dev/null ;;
    pgbackrest) command -v pgbackrest >/dev/null ;;
    prometheus) command -v promtool >/dev/null ;;
    prometheus-alertmanager) command -v prometheus-alertmanager >/dev/null ;;
    victoria-metrics) command -v victoria-metrics >/dev/null ;;
    poppler-utils) command -v pdftoppm >/dev/null ;;
    python3-aiosmtpd) /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ;;
    fonts-dejavu-core) [ -r /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] ;;
    npm) command -v npm >/dev/null && command -v node >/dev/null ;;
  esac
}
missing=()
for p in "${packages[@]}"; do need "$p" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "test.sh: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "test.sh: missing ${missing[*]}; run as root once, or: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
# Debian's packages may start their services: tests start their own servers on free ports
for svc in redis-server prometheus prometheus-alertmanager victoria-metrics; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" || true
  fi
done

. "$root/scripts/jdk.sh"
tillwatch_find_jdk
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
exec ./mvnw -B verify -Dtillwatch.pg.bin="$pg_bin" "$@"
