#!/usr/bin/env bash
# Collector ingest (samples/s through /v1/metrics) against a plain binary COPY of the same rows.
# Usage: bench/ingest.sh [requests=400] [samples-per-request=5000] [senders=4]
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/common.sh"
"$JAVA_HOME/bin/java" -Dtillwatch.pg.bin="$pg_bin" --sun-misc-unsafe-memory-access=allow \
  -cp "bench/target/classes:bench/target/lib/*" io.tillwatch.bench.IngestBenchmark "$@"
