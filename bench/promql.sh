#!/usr/bin/env bash
# JMH: parsing an alert expression; evaluating sum by (tenant) (rate(x[5m])) over 1000 series.
exec "$(dirname "$(readlink -f "$0")")/jmh.sh" PromqlBenchmark "$@"
