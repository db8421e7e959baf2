#!/usr/bin/env bash
# What remote write costs Prometheus 2.42 itself (CPU per 1,000 samples with and without), for the
# side by side with the collector's forwarding (bench/ingest.sh 200 5000 1 remote).
# Usage: bench/remotewrite.sh [series=10000] [seconds=60]
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/common.sh"
"$JAVA_HOME/bin/java" --sun-misc-unsafe-memory-access=allow \
  -cp "bench/target/classes:bench/target/lib/*" io.tillwatch.bench.PrometheusRemoteWriteCost "$@"
