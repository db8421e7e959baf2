#!/usr/bin/env bash
# The collector in its own process under N tenants x M series every 15 s, with queries and the
# built-in rules and SLOs: ingest and query latency, CPU, RSS, heap, samples acknowledged = stored.
# Usage: bench/load.sh [tenants=100] [series-per-tenant=2000] [seconds=600] [hostile]
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/common.sh"
"$JAVA_HOME/bin/java" -Dtillwatch.pg.bin="$pg_bin" -Dtillwatch.jar=cli/target/tillwatch.jar \
  --sun-misc-unsafe-memory-access=allow \
  -cp "bench/target/classes:bench/target/lib/*" io.tillwatch.bench.LoadBenchmark "$@"
