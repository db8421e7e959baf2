#!/usr/bin/env bash
# Ingest while tenants send hostile queries: samples/s alone and under attack, each query's answers.
# Usage: bench/hostile.sh [seconds per phase=20] [senders=2] [attackers=4]
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/common.sh"
"$JAVA_HOME/bin/java" -Dtillwatch.pg.bin="$pg_bin" --sun-misc-unsafe-memory-access=allow \
  -cp "bench/target/classes:bench/target/lib/*" io.tillwatch.bench.HostileQueryBenchmark "$@"
