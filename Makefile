# Numo accounts. `make run` builds everything and serves on http://localhost:8080;
# `make test` runs every test (it installs and starts PostgreSQL and Chromium itself).
.PHONY: run build frontend test test-go generate bench bench-api fuzz clean

GO ?= go

run: build
	./bin/numo serve

build: frontend
	$(GO) build -o bin/numo ./cmd/numo

frontend:
	cd frontend && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run build
	cd graphiql && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run --silent build

test:
	./scripts/test.sh

# Go tests only, against SQLite and (when NUMO_TEST_DATABASE_URL is set) PostgreSQL.
test-go:
	$(GO) test -count=1 ./...

generate:
	$(GO) generate ./...

bench:
	./scripts/bench.sh

# Roster reads against PostGraphile 5 on the same tables (installs wrk, Node 22 and PostGraphile
# into a temporary folder); not part of `make test`.
bench-api:
	./scripts/bench-api.sh

fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzParse -fuzztime=60s ./internal/importer/

clean:
	rm -rf bin frontend/node_modules
