#!/usr/bin/env bash
# Time from fault to alert at Alertmanager: tillwatch (agent -> collector -> its Alertmanager)
# against the real Prometheus (scraping the agent, the plain part of the same pack -> its own
# Alertmanager), on one sandbox estate with three faults injected at once.
# Usage: bench/alerts.sh [hold-for=pack] [interval-seconds=15] [runs=1]
#   hold-for: "pack" keeps the pack's own for: durations; e.g. 10s shortens every for: in both.
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/common.sh"
"$JAVA_HOME/bin/java" -Dtillwatch.pg.bin="$pg_bin" -cp "bench/target/classes:bench/target/lib/*" \
  io.tillwatch.bench.AlertRace "$@"
