#!/usr/bin/env bash
# One SLO evaluation cycle of the built-in catalogue: tillwatch against Prometheus 2.42 on the same 28 days; rollups; /api/v1/slos.
# Usage: bench/slos.sh [tenants=100] [days=28]   (JVM flags in TILLWATCH_BENCH_OPTS)
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/common.sh"
"$JAVA_HOME/bin/java" ${TILLWATCH_BENCH_OPTS:-} -Dtillwatch.pg.bin="$pg_bin" --sun-misc-unsafe-memory-access=allow \
  -cp "bench/target/classes:bench/target/lib/*" io.tillwatch.bench.SloBenchmark "$@"
