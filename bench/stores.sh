#!/usr/bin/env bash
# One Odoo scrape with stores: true over a shop of 400 stores and ~2 million POS orders: the first
# scrape, the steady ones (a minute's orders of every store each) and the order rows each reads,
# then the plans of the per-store queries (auto_explain).
# Usage: bench/stores.sh [stores=400] [orders-per-till-per-day=14] [days=365] [scrapes=30]
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/common.sh"
"$JAVA_HOME/bin/java" -Dtillwatch.pg.bin="$pg_bin" -cp "bench/target/classes:bench/target/lib/*" \
  io.tillwatch.bench.StoresScrapeBenchmark "$@"
