#!/usr/bin/env bash
# Roster reads side by side (BENCHMARKS.md, "Roster reads against PostGraphile 5"): numo serve
# and PostGraphile 5 on the same PostgreSQL tables (a school of 100,000 pupils in 3,600 classes,
# loaded with `numo import`), wrk -t2 -c32, rounds interleaved, medians of requests/s and p99.
# Not part of `make test`. It installs what it needs that is missing: Debian's wrk, and into a
# temporary folder from the npm registry PostGraphile 5 and the Node 22 it needs (the `node`
# package), then starts a throw-away PostgreSQL of its own (port 54347) and stops it at the end.
#   scripts/bench-api.sh                          5 rounds × 10 s per server and query
#   ROUNDS=3 SECONDS_PER_RUN=5 scripts/bench-api.sh
#   NUMO_PPROF=127.0.0.1:6060 scripts/bench-api.sh   numo serves /debug/pprof/ there meanwhile
#   NUMO_BIN=/tmp/numo-new scripts/bench-api.sh   measure that binary instead of building one
#   NUMO_BASE_BIN=/tmp/numo-old scripts/bench-api.sh   also that one ("base"), interleaved too
#   KEEP=1 scripts/bench-api.sh                   leave both servers and the database running
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${ROUNDS:-5}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
CONNS=${CONNS:-32}
PUPILS=${PUPILS:-100000}
NUMO_PORT=${NUMO_PORT:-18480}
PEER_PORT=${PEER_PORT:-18481}
export NUMO_PG_PORT=${NUMO_BENCH_API_PG_PORT:-54347}
export NUMO_PG_STATE=${NUMO_BENCH_API_PG_STATE:-/tmp/numo-pg-bench-api.state}
WORK=$(mktemp -d /tmp/numo-bench-api.XXXXXX)
PEER_DIR=${PEER_DIR:-$WORK/peer}
PIDS=()

cleanup() {
  if [ -n "${KEEP:-}" ]; then
    echo "KEEP: servers ${PIDS[*]:-} and PostgreSQL ($NUMO_PG_STATE) left running; work folder $WORK" >&2
    return
  fi
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  ./scripts/postgres.sh stop || true
  rm -rf "$WORK"
}
trap cleanup EXIT

log() { echo "bench-api: $*" >&2; }

need_apt() {
  command -v "$1" >/dev/null && return 0
  log "installing Debian's $2 package"
  export DEBIAN_FRONTEND=noninteractive
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get install -y -qq "$2" >/dev/null 2>&1 || { $sudo apt-get update -qq && $sudo apt-get install -y -qq "$2" >/dev/null; }
}
need_apt wrk wrk
need_apt curl curl

# The peer: PostGraphile 5 runs on Node >= 22; the npm registry has Node builds as the `node`
# package, whose bin/node is the real binary.
if [ ! -x "$PEER_DIR/node_modules/.bin/postgraphile" ]; then
  log "installing postgraphile@5 and node@22 into $PEER_DIR"
  mkdir -p "$PEER_DIR"
  echo '{"private":true,"type":"module"}' > "$PEER_DIR/package.json"
  (cd "$PEER_DIR" && npm install --no-audit --no-fund --loglevel=error node@22 postgraphile@5 >&2)
fi
NODE22=$PEER_DIR/node_modules/.bin/node
log "peer: postgraphile $(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$PEER_DIR/node_modules/postgraphile/package.json") on node $("$NODE22" --version)"

if [ -n "${NUMO_BIN:-}" ]; then
  cp "$NUMO_BIN" "$WORK/numo"
else
  log "building numo"
  go build -o "$WORK/numo" ./cmd/numo
fi

DB=$(./scripts/postgres.sh start)
# shellcheck disable=SC1090
. "$NUMO_PG_STATE"
PSQL=("$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$DB")
command -v psql >/dev/null && PSQL=(psql -X -q -v ON_ERROR_STOP=1 "$DB")

# A Magister-like export of invented pupils (the shape of genBoardExport in
# internal/importer/bench_db_test.go): 3,600 classes such as 3HV17.
gen_csv() {
  awk -v n="$PUPILS" 'BEGIN {
    split("Daan Sem Lucas Levi Finn Noah Bram Luuk Milan Jesse Thijs Mees Sven Ruben Gijs Jurre Noël Mehmet Youssef Teun Emma Julia Mila Tess Sophie Zoë Sara Anna Evi Noor Lotte Fenna Lieke Isa Saar Hélène Joëlle Fatima Yara Chloë", first, " ")
    ninf = split(",,,,,van,de,van der,van den,van '"'"'t,in '"'"'t,den,ter,van de", infix, ",")
    split("Jansen Vries Bakker Visser Smit Meijer Mulder Bos Vos Peters Hendriks Dekker Brouwer Dijk Berg Janssen Kok Jacobs Vermeulen Hoek Çelik Yilmaz Amrani Böhm Hof Leeuwen Graaf Veen Wijk Bruijn Linden Heuvel Broek Beek Hoekstra Postma Kuipers Schouten Groot Maas", last, " ")
    split("B K GT H V HV", level, " ")
    printf "Stamnr;Roepnaam;Tussenv.;Achternaam;Klas;Studie;Leerjaar;E-mail;Gebruikersnaam\r\n"
    for (i = 0; i < n; i++) {
      c = i % 3600; year = 1 + c % 6; lv = level[1 + int(c / 6) % 6]; group = 1 + int(c / 36); key = 200000 + i
      printf "%d;%s;%s;%s;%d%s%02d;%s%d;%d;ll%d@leerling.scholengroep.nl;ll%d\r\n", key, first[1 + i % 40], infix[1 + int(i / 7) % ninf], last[1 + int(i / 3) % 40], year, lv, group, lv, year, year, key, key
    }
  }'
}
log "loading $PUPILS pupils with numo import"
gen_csv > "$WORK/pupils.csv"
export NUMO_DATABASE_URL=$DB
"$WORK/numo" school create --brin 99BM --name "Scholengroep Benchmark" >&2
"$WORK/numo" import --school 99BM --add --json "$WORK/pupils.csv" > "$WORK/import.json"
"${PSQL[@]}" -c 'VACUUM ANALYZE'

# An API token with READ_ROSTERS, stored as numo stores one (SHA-256 of the secret, the first
# 13 characters as its prefix).
TOKEN=numo_tok_bench$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$TOKEN" > "$WORK/token" # for KEEP=1
"${PSQL[@]}" -c "INSERT INTO api_tokens (created_at, updated_at, school_id, name, prefix, token_hash, scopes)
  SELECT now(), now(), id, 'bench-api', left('$TOKEN', 13), encode(sha256(convert_to('$TOKEN', 'UTF8')), 'hex'), '[\"READ_ROSTERS\"]'
  FROM schools WHERE brin = '99BM'"
# The peer reads as a role that may only SELECT.
"${PSQL[@]}" -c "CREATE ROLE peer_ro LOGIN; GRANT USAGE ON SCHEMA public TO peer_ro;
  GRANT SELECT ON schools, classes, accounts TO peer_ro"
CLASS_ID=$("${PSQL[@]}" -At -c "SELECT c.id FROM classes c JOIN schools s ON s.id = c.school_id WHERE s.brin = '99BM'
  ORDER BY c.id LIMIT 1 OFFSET 1000")
read -r NCLASSES NPUPILS < <("${PSQL[@]}" -At -F' ' -c "SELECT (SELECT count(*) FROM classes), (SELECT count(*) FROM accounts WHERE class_id IS NOT NULL)")
log "database: $NCLASSES classes, $NPUPILS pupils; class $CLASS_ID for the single-class query"

# The per-token rate limit (600 operations a minute by default) would answer most of wrk's
# requests with a fast 429: both numo servers run without it, as PostGraphile has none.
export NUMO_RATE_LIMIT_REQUESTS=0 NUMO_RATE_LIMIT_POINTS=0
log "starting numo serve on :$NUMO_PORT"
NUMO_ADDR=127.0.0.1:$NUMO_PORT NUMO_DEMO=false NUMO_LOG_LEVEL=warn NUMO_DEBUG_PPROF=${NUMO_PPROF:-} \
  "$WORK/numo" serve > "$WORK/numo.log" 2>&1 &
PIDS+=($!)
PID_numo=$!
SERVERS="numo peer"
if [ -n "${NUMO_BASE_BIN:-}" ]; then
  BASE_PORT=$((NUMO_PORT + 2))
  log "starting $NUMO_BASE_BIN serve on :$BASE_PORT (base)"
  cp "$NUMO_BASE_BIN" "$WORK/numo-base"
  NUMO_ADDR=127.0.0.1:$BASE_PORT NUMO_DEMO=false NUMO_LOG_LEVEL=warn "$WORK/numo-base" serve > "$WORK/base.log" 2>&1 &
  PIDS+=($!)
  PID_base=$!
  SERVERS="numo base peer"
fi

cat > "$PEER_DIR/graphile.config.mjs" <<'EOF'
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
// Read-only: a SELECT-only role, and no mutations in the schema.
export default {
  extends: [PostGraphileAmberPreset],
  disablePlugins: ["MutationPlugin", "PgMutationCreatePlugin", "PgMutationUpdateDeletePlugin"],
  pgServices: [makePgService({ connectionString: process.env.PEER_DATABASE_URL, schemas: ["public"] })],
  grafserv: { host: "127.0.0.1", port: Number(process.env.PEER_PORT), graphiql: false, watch: false },
  grafast: { explain: false },
};
EOF
log "starting PostGraphile on :$PEER_PORT"
(cd "$PEER_DIR" && NODE_ENV=production PEER_PORT=$PEER_PORT PEER_DATABASE_URL=${DB/postgres@/peer_ro@} \
  PATH="$PEER_DIR/node_modules/.bin:$PATH" exec "$NODE22" node_modules/.bin/postgraphile -C graphile.config.mjs \
  > "$WORK/peer.log" 2>&1) &
PIDS+=($!)
PID_peer=$!

wait_up() { # url
  for _ in $(seq 1 120); do
    curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"query":"{__typename}"}' "$1" && return 0
    sleep 0.5
  done
  log "$1 did not come up"; cat "$WORK/numo.log" "$WORK/peer.log" >&2; exit 1
}
wait_up "http://127.0.0.1:$NUMO_PORT/query"
[ -z "${BASE_PORT:-}" ] || wait_up "http://127.0.0.1:$BASE_PORT/query"
wait_up "http://127.0.0.1:$PEER_PORT/graphql"

# The same two reads for both servers: the same 6 fields of the pupils, the same page sizes,
# ordered by primary key (numo's connections default to it).
# a: 6 fields of a pupil; b: the 4 of README's integrator example.
FIELDS='externalKey firstName infix lastName email username'
FIELDS_B='externalKey firstName infix lastName'
Q_NUMO_A="query(\$id: ID!) { node(id: \$id) { ... on Class { name pupils(first: 30) { edges { node { $FIELDS } } } } } }"
Q_PEER_A="query(\$id: BigInt!) { classByRowId(rowId: \$id) { name accountsByClassId(first: 30, orderBy: PRIMARY_KEY_ASC) { edges { node { $FIELDS } } } } }"
Q_NUMO_B="{ classes(first: 50) { edges { node { name pupils(first: 40) { edges { node { $FIELDS_B } } } } } } }"
Q_PEER_B="{ allClasses(first: 50, orderBy: PRIMARY_KEY_ASC) { edges { node { name accountsByClassId(first: 40, orderBy: PRIMARY_KEY_ASC) { edges { node { $FIELDS_B } } } } } } }"
# numo's ID and PostGraphile's BigInt both take the id as a JSON string.
body() { printf '{"query":"%s","variables":{"id":"%s"}}' "$(printf '%s' "$1" | sed 's/"/\\"/g')" "$CLASS_ID"; }
body "$Q_NUMO_A" > "$WORK/numo-a.json"
body "$Q_PEER_A" > "$WORK/peer-a.json"
body "$Q_NUMO_B" > "$WORK/numo-b.json"
body "$Q_PEER_B" > "$WORK/peer-b.json"
URL_numo=http://127.0.0.1:$NUMO_PORT/query
URL_peer=http://127.0.0.1:$PEER_PORT/graphql
URL_base=http://127.0.0.1:${BASE_PORT:-0}/query

post() { # server query -> response body
  local url=URL_$1 auth=() body=$1
  [ "$1" = peer ] || auth=(-H "Authorization: Bearer $TOKEN")
  [ "$1" = base ] && body=numo
  curl -sS -X POST "${auth[@]}" -H 'Content-Type: application/json' --data-binary "@$WORK/$body-$2.json" "${!url}"
}
# Both answer the same pupils: compare the pupil fields (node and edge names aside).
for q in a b; do
  post numo $q > "$WORK/out-numo-$q.json"
  post peer $q > "$WORK/out-peer-$q.json"
  for s in numo peer; do
    if grep -q '"errors"' "$WORK/out-$s-$q.json"; then log "$s query $q answered errors:"; head -c 600 "$WORK/out-$s-$q.json" >&2; exit 1; fi
  done
  n=$(grep -o '"externalKey"' "$WORK/out-numo-$q.json" | wc -l)
  p=$(grep -o '"externalKey"' "$WORK/out-peer-$q.json" | wc -l)
  same=$(cmp -s <(grep -o '"externalKey":"[^"]*"' "$WORK/out-numo-$q.json") <(grep -o '"externalKey":"[^"]*"' "$WORK/out-peer-$q.json") && echo yes || echo no)
  log "query $q: numo $(wc -c < "$WORK/out-numo-$q.json") bytes, $n pupils; PostGraphile $(wc -c < "$WORK/out-peer-$q.json") bytes, $p pupils; same pupils in the same order: $same"
  [ "$same" = yes ] && [ "$n" -gt 0 ] || exit 1
done

cat > "$WORK/post.lua" <<'EOF'
wrk.method = "POST"
local f = assert(io.open(os.getenv("BODY"), "r"))
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("TOKEN")
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
EOF

# CPU seconds (user + system) used so far by a process, and by the PostgreSQL server's
# processes: a busy machine changes requests/s, hardly the CPU one request costs.
TICK=$(getconf CLK_TCK)
cpu_of() { awk -v t="$TICK" '{printf "%.3f\n", ($14 + $15) / t}' "/proc/$1/stat" 2>/dev/null || echo 0; }
PG_MAIN=$(head -n 1 "$PGDATA/postmaster.pid")
# PostgreSQL's CPU: a snapshot "pid seconds" of the postmaster and its backends. A backend that
# exits takes its time with it (the postmaster's cutime does not get it here), so a run counts
# the backends alive at its end, from 0 for those started during it: connections that end
# during a run (the previous run's, cancelled by wrk as it stopped) are missed, never counted
# twice.
pg_snap() {
  local p
  for p in $PG_MAIN $(pgrep -P "$PG_MAIN"); do
    awk -v t="$TICK" -v p="$p" '{printf "%s %.3f\n", p, ($14 + $15) / t}' "/proc/$p/stat" 2>/dev/null || true
  done
}
pg_delta() { # before-file after-file -> seconds
  awk 'NR == FNR {b[$1] = $2; next} {d += $2 - ($1 in b ? b[$1] : 0)} END {printf "%.3f\n", d}' "$1" "$2"
}

run_wrk() { # server query seconds -> "req/s p99ms server-cpu-ms/req pg-cpu-ms/req"
  local url=URL_$1 pid=PID_$1 tok="" body=$1 c0 c1
  [ "$1" = peer ] || tok=$TOKEN
  [ "$1" = base ] && body=numo
  c0=$(cpu_of "${!pid}"); pg_snap > "$WORK/pg0"
  BODY="$WORK/$body-$2.json" TOKEN=$tok wrk -t2 -c"$CONNS" -d"${3}s" --timeout 60s --latency -s "$WORK/post.lua" "${!url}" > "$WORK/wrk.out"
  c1=$(cpu_of "${!pid}"); pg_snap > "$WORK/pg1"
  if grep -q 'Non-2xx\|Socket errors' "$WORK/wrk.out"; then log "$1 $2: $(grep 'Non-2xx\|Socket errors' "$WORK/wrk.out" | tr '\n' ' ')"; fi
  awk -v c="$(awk -v a="$c0" -v b="$c1" 'BEGIN {print b - a}')" -v g="$(pg_delta "$WORK/pg0" "$WORK/pg1")" '
    /requests in/ {n=$1}
    /Requests\/sec/ {rps=$2}
    /^ *99%/ {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; p=v}
    END {printf "%s %.2f %.3f %.3f\n", rps, p, (n ? 1000*c/n : 0), (n ? 1000*g/n : 0)}' "$WORK/wrk.out"
}

log "warming up"
for q in a b; do for s in $SERVERS; do run_wrk $s $q 3 >/dev/null; done; done

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk -t2 -c$CONNS, $ROUNDS rounds × ${SECONDS_PER_RUN} s per server and query, interleaved"
printf '%-6s %-5s %-5s %10s %9s %12s %12s\n' round query server req/s p99_ms cpu_ms/req pg_ms/req
for r in $(seq 1 "$ROUNDS"); do
  for q in a b; do
    order=$SERVERS; [ $((r % 2)) = 0 ] && order=$(echo "$SERVERS" | tr ' ' '\n' | tac | tr '\n' ' ') # who goes first alternates
    for s in $order; do
      read -r rps p99 cpu pg < <(run_wrk $s $q "$SECONDS_PER_RUN")
      printf '%-6s %-5s %-5s %10s %9s %12s %12s\n' "$r" "$q" "$s" "$rps" "$p99" "$cpu" "$pg"
      echo "$q $s $rps $p99 $cpu $pg" >> "$WORK/results"
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -g | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }
med() { awk -v q="$1" -v s="$2" -v c="$3" '$1==q && $2==s {print $c}' "$WORK/results" | median; }
echo
echo "medians (a: one class with its 28 pupils, 6 fields; b: first 50 classes × first 40 pupils, 4 fields)"
echo "ratio = numo/PostGraphile requests/s; cpu = the server's own CPU per request, pg = PostgreSQL's"
printf '%-5s %11s %11s %6s %11s %11s %9s %9s %9s %9s\n' query numo_req/s peer_req/s ratio numo_p99ms peer_p99ms numo_cpu peer_cpu numo_pg peer_pg
for q in a b; do
  nr=$(med $q numo 3); pr=$(med $q peer 3)
  printf '%-5s %11.0f %11.0f %6.2f %11.1f %11.1f %9.3f %9.3f %9.3f %9.3f\n' $q "$nr" "$pr" "$(awk -v a="$nr" -v b="$pr" 'BEGIN {print a/b}')" \
    "$(med $q numo 4)" "$(med $q peer 4)" "$(med $q numo 5)" "$(med $q peer 5)" "$(med $q numo 6)" "$(med $q peer 6)"
done
if [ -n "${NUMO_BASE_BIN:-}" ]; then
  echo "base ($NUMO_BASE_BIN) against PostGraphile:"
  for q in a b; do
    br=$(med $q base 3); pr=$(med $q peer 3)
    printf '%-5s %11.0f %11.0f %6.2f %11.1f %11.1f %9.3f %9.3f %9.3f %9.3f\n' $q "$br" "$pr" "$(awk -v a="$br" -v b="$pr" 'BEGIN {print a/b}')" \
      "$(med $q base 4)" "$(med $q peer 4)" "$(med $q base 5)" "$(med $q peer 5)" "$(med $q base 6)" "$(med $q peer 6)"
  done
fi
