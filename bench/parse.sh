#!/usr/bin/env bash
# JMH: exposition parsing (ns per sample) against a byte scan of the same buffer.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$root"
. scripts/jdk.sh
tillwatch_find_jdk
./mvnw -B -q -DskipTests package -pl bench -am
"$JAVA_HOME/bin/java" -cp "bench/target/classes:bench/target/lib/*" org.openjdk.jmh.Main ExpositionParseBenchmark "$@"
