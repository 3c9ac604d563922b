#!/usr/bin/env bash
# Runs the import benchmarks (BENCHMARKS.md) against SQLite and a throw-away PostgreSQL of its
# own, on a port and state file apart from the tests' server, and stops it again afterwards.
#   scripts/bench.sh                      every benchmark of internal/importer, 3 iterations each
#   BENCH='Plan100k' scripts/bench.sh     only those matching the pattern
#   BENCHTIME=1x scripts/bench.sh         fewer iterations
# Extra arguments go to go test, e.g. scripts/bench.sh -cpuprofile /tmp/cpu.out.
set -euo pipefail
cd "$(dirname "$0")/.."
export NUMO_PG_PORT=${NUMO_BENCH_PG_PORT:-54331}
export NUMO_PG_STATE=${NUMO_BENCH_PG_STATE:-/tmp/numo-pg-bench.state}

trap './scripts/postgres.sh stop' EXIT
NUMO_TEST_DATABASE_URL=$(./scripts/postgres.sh start)
export NUMO_TEST_DATABASE_URL NUMO_TEST_REQUIRE_POSTGRES=1

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
go test -run '^$' -bench "${BENCH:-.}" -benchtime "${BENCHTIME:-3x}" -benchmem -timeout 60m "$@" ./internal/importer/
# The GraphQL benchmarks start real numo processes: commit -> final progress event, and 2,000
# progress subscribers on one process.
go test -run '^$' -bench "${BENCH_SERVE:-.}" -benchtime 1x -timeout 30m ./cmd/numo/
