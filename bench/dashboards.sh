#!/usr/bin/env bash
# The estate overview dashboard loaded as Grafana loads it: tillwatch against Prometheus 2.42, same samples.
# Usage: bench/dashboards.sh [tenants=100] [days=7]   (JVM flags in TILLWATCH_BENCH_OPTS)
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/common.sh"
"$JAVA_HOME/bin/java" ${TILLWATCH_BENCH_OPTS:-} -Dtillwatch.pg.bin="$pg_bin" --sun-misc-unsafe-memory-access=allow \
  -cp "bench/target/classes:bench/target/lib/*" io.tillwatch.bench.DashboardBenchmark "$@"
