#!/usr/bin/env bash
# The long fault runs of docs/reliability.md, on real servers: PostgreSQL frozen (SIGSTOP) under
# an agent's push, Alertmanager down while alerts fire. The suite runs the same tests shorter.
# and a remote-write endpoint (Prometheus) away while ingest goes on and the collector restarts.
# Usage: bench/faults.sh [freeze-seconds=120] [alertmanager-down-seconds=600] [remote-down-seconds=600]
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
cd "$root"
. scripts/jdk.sh
tillwatch_find_jdk
freeze=${1:-120}
down=${2:-600}
remote_down=${3:-600}
./mvnw -B -q -DskipTests -Dspotless.check.skip=true install -pl cli,alerting,collector -am
./mvnw -B -Dspotless.check.skip=true verify -pl cli -Dtest='!*' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test='DatabaseCrashIT#frozen*' -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dtillwatch.faults.freeze_seconds="$freeze" | grep -E "DatabaseCrashIT|Tests run|FAIL|BUILD"
./mvnw -B -Dspotless.check.skip=true verify -pl alerting -Dtest='!*' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test='AlertmanagerIT#alertsFiredWhileAlertmanagerIsDown*' -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dtillwatch.faults.alertmanager_down_seconds="$down" | grep -E "Alertmanager down|Tests run|FAIL|BUILD" 
./mvnw -B -Dspotless.check.skip=true verify -pl collector -Dtest='!*' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test='RemoteWriteIT#prometheusAway*' -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dtillwatch.faults.remote_down_seconds="$remote_down" | grep -E "remote write: Prometheus away|Tests run|FAIL|BUILD"
