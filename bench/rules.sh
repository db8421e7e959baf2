#!/usr/bin/env bash
# One rule-evaluation cycle over 100 tenants: tillwatch against the real Prometheus, same rules, same samples.
# Usage: bench/rules.sh [tenants=100] [minutes=6]
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/common.sh"
"$JAVA_HOME/bin/java" -cp "bench/target/classes:bench/target/lib/*" io.tillwatch.bench.RuleEvalBenchmark "$@"
