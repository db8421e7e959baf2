#!/usr/bin/env bash
# JMH: exposition parsing (ns per sample) against a byte scan of the same buffer.
exec "$(dirname "$(readlink -f "$0")")/jmh.sh" ExpositionParseBenchmark "$@"
