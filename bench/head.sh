#!/usr/bin/env bash
# The collector head's memory: bytes per sample and per series for a full 3-hour window.
# Usage: bench/head.sh [series=10000]
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/common.sh"
"$JAVA_HOME/bin/java" -Xms2g -Xmx2g -XX:+UseSerialGC -cp "bench/target/classes:bench/target/lib/*" \
  io.tillwatch.bench.HeadFootprint "$@"
