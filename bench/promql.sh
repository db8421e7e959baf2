#!/usr/bin/env bash
# JMH: parsing an alert expression; evaluating sum by (tenant) (rate(x[5m])) over 1000 series.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$root"
. scripts/jdk.sh
tillwatch_find_jdk
./mvnw -B -q -DskipTests package -pl bench -am
"$JAVA_HOME/bin/java" -cp "bench/target/classes:bench/target/lib/*" org.openjdk.jmh.Main PromqlBenchmark "$@"
