#!/usr/bin/env bash
# Agent footprint with N PostgreSQL targets: time to first /metrics and RSS while idle.
# Usage: bench/footprint.sh [targets=50] [idle-seconds=60]
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/common.sh"
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" -Dtillwatch.pg.bin="$pg_bin" -cp "bench/target/classes:bench/target/lib/*" \
  io.tillwatch.bench.AgentFootprint cli/target/tillwatch.jar "${1:-50}" "${2:-60}" $opts
