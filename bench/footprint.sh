#!/usr/bin/env bash
# Agent footprint with N PostgreSQL targets: time to first /metrics and RSS while idle.
# Usage: bench/footprint.sh [targets=50] [idle-seconds=60]
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$root"
. scripts/jdk.sh
tillwatch_find_jdk
./mvnw -B -q -DskipTests package -pl cli,bench -am
opts=$(sed -n 's/^agent_opts="\(.*\)"$/\1/p' tillwatch)  # the flags ./tillwatch agent uses
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
"$JAVA_HOME/bin/java" -Dtillwatch.pg.bin="$pg_bin" -cp "bench/target/classes:bench/target/lib/*" \
  io.tillwatch.bench.AgentFootprint cli/target/tillwatch.jar "${1:-50}" "${2:-60}" $opts
