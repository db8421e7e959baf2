#!/usr/bin/env bash
# The weekly SLO report: one tenant's, and the estate's for all tenants, in a 256 MB heap.
# Usage: bench/reports.sh [tenants=100]   (JVM flags in TILLWATCH_BENCH_OPTS)
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/common.sh"
"$JAVA_HOME/bin/java" -Xmx256m -Djava.awt.headless=true ${TILLWATCH_BENCH_OPTS:-} -Dtillwatch.pg.bin="$pg_bin" --sun-misc-unsafe-memory-access=allow \
  -cp "bench/target/classes:bench/target/lib/*" io.tillwatch.bench.ReportBenchmark "$@"
