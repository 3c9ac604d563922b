#!/usr/bin/env bash
# Every test of Numo accounts, as `make test` and CI run them: static checks, the frontend's
# unit tests and build, the Go tests against SQLite and a real PostgreSQL (installed and started
# here, stopped at the end), and the browser tests in Debian's Chromium against a real numo.
set -euo pipefail
cd "$(dirname "$0")/.."
export NUMO_PG_STATE=${NUMO_PG_STATE:-$(mktemp -u /tmp/numo-pg-test.XXXXXX)}
export NUMO_PG_PORT=${NUMO_PG_PORT:-54329}

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

step() { printf '\n== %s\n' "$*"; }

step "system packages (PostgreSQL, Chromium)"
missing=()
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  sudo_if_needed apt-get update -qq
  sudo_if_needed apt-get install -y -qq "${missing[@]}" >/dev/null
fi

step "frontend: install, generated types current, unit tests, build"
(cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run --silent codegen:check && npm test && npm run --silent build)
(cd graphiql && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)  # GraphiQL's files for /graphiql

step "go vet and gofmt"
go vet ./...
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './frontend/node_modules/*'))
if [ -n "$unformatted" ]; then echo "gofmt would change: $unformatted"; exit 1; fi

step "PostgreSQL"
trap './scripts/postgres.sh stop' EXIT
NUMO_TEST_DATABASE_URL=$(./scripts/postgres.sh start)
export NUMO_TEST_DATABASE_URL NUMO_TEST_REQUIRE_POSTGRES=1

step "go test (SQLite and PostgreSQL)"
go test -count=1 -timeout 30m ./... 2>&1 | tee /tmp/numo-go-test.log
grep -E '^(ok|FAIL|---)' /tmp/numo-go-test.log | grep -c '^ok' | xargs echo "go packages ok:"

step "browser tests (Chromium against a real numo serve)"
(cd frontend && npm run --silent e2e)
