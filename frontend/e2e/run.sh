#!/usr/bin/env bash
# Runs the e2e tests. With NUMO_URL set, against that server. Without it, builds the app and
# the Go binary (which embeds frontend/dist), starts `numo serve` on a temporary SQLite
# database on a free port, waits for /healthz, runs the tests and stops the server.
# NUMO_E2E_MOCK=1 uses the JavaScript stand-in (e2e/mock/server.mjs) instead of the binary.
# After the browser tests, graphql-http-audit.mjs audits /query against the GraphQL over HTTP
# specification; a check that is not ok fails the run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
frontend="$(dirname "$here")"
repo="$(dirname "$frontend")"
cd "$frontend"

# The demo admin's password, which the tests sign in with (helpers.mjs). numo starts an empty
# database with NUMO_ADMIN_PASSWORD, a one-time password: before the tests, the admin signs in
# with it and chooses this one, as the app makes every admin do. With NUMO_URL, set
# NUMO_E2E_ADMIN_PASSWORD to that server's (already chosen) password.
export NUMO_E2E_ADMIN_PASSWORD="${NUMO_E2E_ADMIN_PASSWORD:-e2e-beheer-Wachtwoord-2026}"
one_time="${NUMO_E2E_ADMIN_PASSWORD}-eenmalig"

run_tests() {
  # The files run one after the other in name order: roles.test.mjs uses what import.test.mjs imported.
  local status=0
  NUMO_URL="$1" node --test --test-concurrency=1 --test-reporter=spec "$here"/*.test.mjs || status=$?
  # Then the GraphQL over HTTP audit of graphql-http, anonymously, with an API token and with a
  # session: every check must be ok. The mock server is no GraphQL server to audit.
  if [[ "${NUMO_E2E_MOCK:-}" != "1" ]]; then
    node "$here/graphql-http-audit.mjs" "$1" || status=$?
  fi
  return $status
}

if [[ -n "${NUMO_URL:-}" ]]; then
  run_tests "$NUMO_URL"
  exit $?
fi

port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
url="http://127.0.0.1:${port}"
tmp="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

npm run build --silent >/dev/null
if [[ "${NUMO_E2E_MOCK:-}" == "1" ]]; then
  node "$here/mock/server.mjs" "$port" >"$tmp/server.log" 2>&1 &
  server_pid=$!
else
  (cd "$repo" && go build -o /tmp/numo-e2e ./cmd/numo)
  # Webhooks may reach loopback, where webhooks.test.mjs runs its receiver (over plain http).
  NUMO_WEBHOOK_ALLOW_NETS=127.0.0.1/32 NUMO_ADMIN_PASSWORD="$one_time" /tmp/numo-e2e serve --addr "127.0.0.1:${port}" --db "file:${tmp}/numo.db" >"$tmp/server.log" 2>&1 &
  server_pid=$!
fi

for _ in $(seq 1 100); do
  if curl -fsS "$url/healthz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then cat "$tmp/server.log" >&2; echo "e2e: the server did not start" >&2; exit 1; fi
  sleep 0.2
done
curl -fsS "$url/healthz" >/dev/null || { cat "$tmp/server.log" >&2; echo "e2e: no /healthz at $url" >&2; exit 1; }

if [[ "${NUMO_E2E_MOCK:-}" != "1" ]]; then
  # The first sign-in with the one-time password chooses the admin's own (the mock has no such step).
  curl -fsS -c "$tmp/cookies" -H 'Content-Type: application/json' \
    -d "$(NUMO_ONE="$one_time" node -e 'console.log(JSON.stringify({username: "beheer", password: process.env.NUMO_ONE}))')" \
    "$url/api/login" | grep -q '"mustChangePassword":true' || { echo "e2e: the first admin's password is not a one-time password" >&2; exit 1; }
  curl -fsS -b "$tmp/cookies" -H 'Content-Type: application/json' \
    -d "$(NUMO_ONE="$one_time" node -e 'console.log(JSON.stringify({query: "mutation($o: String!, $n: String!) { changePassword(oldPassword: $o, newPassword: $n) }", variables: {o: process.env.NUMO_ONE, n: process.env.NUMO_E2E_ADMIN_PASSWORD}}))')" \
    "$url/query" | grep -q '"changePassword":true' || { echo "e2e: changing the admin's one-time password failed" >&2; exit 1; }
  rm -f "$tmp/cookies"
fi

status=0
run_tests "$url" || status=$?
if [[ $status -ne 0 ]]; then
  echo "--- server log (last 40 lines) ---" >&2
  tail -40 "$tmp/server.log" >&2
fi
exit $status
