#!/usr/bin/env bash
# Runs JMH benchmarks of bench/ by name: bench/jmh.sh ExpositionParseBenchmark [JMH options]
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$root"
. scripts/jdk.sh
tillwatch_find_jdk
./mvnw -B -q -DskipTests package -pl bench -am
"$JAVA_HOME/bin/java" -cp "bench/target/classes:bench/target/lib/*" org.openjdk.jmh.Main "$@"
