# Sourced by the macro benchmarks: builds the distribution and the benchmarks, then sets
# $opts (the JVM flags ./tillwatch agent uses) and $pg_bin (the newest PostgreSQL on the machine).
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
cd "$root"
. scripts/jdk.sh
tillwatch_find_jdk
./mvnw -B -q -DskipTests package -pl cli,bench -am
opts=$(sed -n 's/^agent_opts="\(.*\)"$/\1/p' tillwatch)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
export opts pg_bin
