#!/usr/bin/env bash
# Range and instant queries over storage: the collector against Prometheus with the same samples.
# Usage: bench/queries.sh [tenants=100] [days=28]   (JVM flags in TILLWATCH_BENCH_OPTS, e.g. -Xmx1g)
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/common.sh"
"$JAVA_HOME/bin/java" ${TILLWATCH_BENCH_OPTS:-} -Dtillwatch.pg.bin="$pg_bin" --sun-misc-unsafe-memory-access=allow \
  -cp "bench/target/classes:bench/target/lib/*" io.tillwatch.bench.QueryRangeBenchmark "$@"
