#!/usr/bin/env bash
# The API under load (issue 8 item 4), on SQLite and on PostgreSQL, with wrk:
#   get     GET  /v1/Account/{id}/SipAuth/Credential/{uuid}/         (Basic auth)
#   list    GET  /v1/Account/{id}/SipAuth/Credential/?limit=20       (100 credentials stored)
#   create  POST /v1/Account/{id}/SipAuth/Credential/                (unique usernames)
# beside bench/api/bare-server.ts (bare Fastify, the same repository calls, no auth/validation),
# in the same run, one after the other on the same database. Per request and database:
#   max      wrk -t1 -c$CONNECTIONS for DURATION s: requests/s, p50, p99 (bare, then trunkgate);
#   overhead 1 − trunkgate/bare;
#   paced    trunkgate at 80 % of its max (wrk delay() pacing, see load.lua): p99.
# Creates go into two fresh subaccounts (one per server), so both start from an empty account.
#
# usage: bench/api/run.sh   env: DIALECTS="sqlite postgres" DURATION=10 CONNECTIONS=32
#        PG_URL=postgres://postgres@127.0.0.1:5432 (a database is created and dropped per run)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/common.sh"
dur=${DURATION:-10}
conns=${CONNECTIONS:-32}
dialects=${DIALECTS:-"sqlite postgres"}
pg=${PG_URL:-postgres://postgres@127.0.0.1:5432}

bench_require wrk psql python3
bench_require_build
work=$(mktemp -d /tmp/bench-api.XXXXXX)
pgdb=
drop_pg() { [ -n "$pgdb" ] && psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $pgdb" >/dev/null 2>&1; pgdb=; }
trap 'bench_cleanup; drop_pg' EXIT
trap 'exit 130' INT TERM

basic() { printf 'Basic %s' "$(printf '%s:%s' "$1" "$2" | base64 -w0)"; }

# wrk_run URL MODE PATH AUTH PREFIX [DELAY_MS] [CONNECTIONS] → JSON line
wrk_run() {
  local url=$1 mode=$2 path=$3 auth=$4 prefix=$5 delay=${6:-} c=${7:-$conns} d=${DUR_OVERRIDE:-$dur}
  WRK_MODE=$mode WRK_PATH=$path WRK_AUTH=$auth WRK_PREFIX=$prefix WRK_DELAY_MS=$delay \
    wrk -t1 -c"$c" -d"${d}s" --timeout 5s -s "$here/load.lua" "$url" | tail -1
  # wrk stops sending at the deadline, but the server still finishes what it had queued: let it,
  # so two processes never write the SQLite file at once (a deferred transaction that meets
  # another process's commit fails with "database is locked", see bench/RESULTS.md).
  sleep 1
}
field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]))' "$1"; }

echo "## api (wrk -t1 -c$conns, $dur s per run)"
bench_machine
rows=()
for dialect in $dialects; do
  if [ "$dialect" = postgres ]; then
    pgdb="trunkgate_bench_$$"
    psql "$pg/postgres" -qc "CREATE DATABASE $pgdb" >/dev/null || bench_die "cannot create $pgdb on $pg"
    dbenv=(DATABASE_URL="$pg/$pgdb")
    TG_DATABASE_URL="$pg/$pgdb"
  else
    dbenv=(TRUNKGATE_DB="$work/api.db")
    TG_DATABASE_URL=
    TG_DB="$work/api.db"
  fi
  TG_SERVE_ARGS=--api-only tg_start "api-$dialect" 1 TRUNKGATE_QUOTA_CREDENTIALS=1000000
  ours=$TG_HTTP
  for i in $(seq 100); do
    tg_api POST /SipAuth/Credential/ "{\"username\":\"seed$i\",\"password\":\"$BENCH_PASS\"}" 201 >/dev/null || bench_die "seeding failed"
  done
  uuid=$(tg_api GET "/SipAuth/Credential/?limit=1" "" 200 | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).objects[0].credential_uuid))')
  sub() { tg_api POST /Subaccount/ "{\"name\":\"$1\",\"enabled\":true}" 201; }
  s1=$(sub ours-writes); s1_id=$(printf '%s' "$s1" | json_field auth_id); s1_token=$(printf '%s' "$s1" | json_field auth_token)
  s2_id=$(sub bare-writes | json_field auth_id)

  bare_port=$(bench_free_port 18190)
  (cd "$REPO_ROOT" && exec env -i PATH="$PATH" HOME="${HOME:-/tmp}" "${dbenv[@]}" \
    node --import tsx bench/api/bare-server.ts "$bare_port" "$BENCH_AUTH_ID" >"$work/bare-$dialect.log" 2>&1) &
  bare_pid=$!; bench_track "$bare_pid"
  for i in $(seq 100); do curl -sf "http://127.0.0.1:$bare_port/health" >/dev/null && break; sleep 0.1; done
  bare="http://127.0.0.1:$bare_port"
  root_auth=$(basic "$BENCH_AUTH_ID" "$BENCH_AUTH_TOKEN")
  s1_auth=$(basic "$s1_id" "$s1_token")

  for mode in get list create; do
    case $mode in
      get) bp=/bare/credential/$uuid; op=/v1/Account/$BENCH_AUTH_ID/SipAuth/Credential/$uuid/; oa=$root_auth ;;
      list) bp="/bare/credential?limit=20&offset=0"; op="/v1/Account/$BENCH_AUTH_ID/SipAuth/Credential/?limit=20&offset=0"; oa=$root_auth ;;
      create) bp=/bare/credential; op=/v1/Account/$s1_id/SipAuth/Credential/; oa=$s1_auth ;;
    esac
    # The bare server writes into the second subaccount: it takes the account from its argument,
    # so creates get their own bare process pointed at it.
    if [ "$mode" = create ]; then
      bench_stop "$bare_pid"
      (cd "$REPO_ROOT" && exec env -i PATH="$PATH" HOME="${HOME:-/tmp}" "${dbenv[@]}" \
        node --import tsx bench/api/bare-server.ts "$bare_port" "$s2_id" >>"$work/bare-$dialect.log" 2>&1) &
      bare_pid=$!; bench_track "$bare_pid"
      for i in $(seq 100); do curl -sf "$bare/health" >/dev/null && break; sleep 0.1; done
    fi
    # warm-up (JIT, connection pools), not reported
    DUR_OVERRIDE=2 wrk_run "$bare" "$mode" "$bp" "" "wb$dialect" >/dev/null
    DUR_OVERRIDE=2 wrk_run "$ours" "$mode" "$op" "$oa" "wo$dialect" >/dev/null
    b=$(wrk_run "$bare" "$mode" "$bp" "" "b$dialect")
    o=$(wrk_run "$ours" "$mode" "$op" "$oa" "o$dialect")
    echo "$dialect $mode bare:      $b"
    echo "$dialect $mode trunkgate: $o"
    omax=$(printf '%s' "$o" | field rate)
    target=$(awk -v m="$omax" 'BEGIN{printf "%d", m * 0.8}')
    # Pacing: each connection waits `delay` ms after each answer (~20 ms per request with the
    # service time); a 3 s calibration run then scales the number of connections to the target.
    pc=$(awk -v t="$target" 'BEGIN{c = int(t * 0.02 + 0.5); print (c < 1 ? 1 : c)}')
    delay=$(awk -v m="$omax" 'BEGIN{d = int(20 - 1000 / m + 0.5); print (d < 1 ? 1 : d)}')
    cal=$(DUR_OVERRIDE=3 wrk_run "$ours" "$mode" "$op" "$oa" "c$dialect" "$delay" "$pc" | field rate)
    pc=$(awk -v t="$target" -v c="$pc" -v r="$cal" 'BEGIN{n = (r > 0 ? int(c * t / r + 0.5) : c); print (n < 1 ? 1 : n)}')
    p=$(wrk_run "$ours" "$mode" "$op" "$oa" "p$dialect" "$delay" "$pc")
    echo "$dialect $mode trunkgate paced (target $target/s, $pc connections, delay $delay ms): $p"
    rows+=("$dialect|$mode|$b|$o|$p|$target")
    sleep 1
  done
  bench_stop "$bare_pid"
  bench_stop "$TG_PID"
  [ "$dialect" = postgres ] && drop_pg
  TG_DB=
done

echo
echo "| database | request | bare req/s | bare p50 / p99 ms | trunkgate req/s | trunkgate p50 / p99 ms | overhead | trunkgate paced: req/s (% of max) | paced p99 ms | errors |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for r in "${rows[@]}"; do
  IFS='|' read -r dialect mode b o p target <<<"$r"
  node -e '
    const [d, m, b, o, p] = process.argv.slice(1).map((x, i) => (i < 2 ? x : JSON.parse(x)));
    const err = b.non2xx + b.socket_errors + o.non2xx + o.socket_errors + p.non2xx + p.socket_errors;
    console.log(`| ${d} | ${m} | ${b.rate} | ${b.p50_ms} / ${b.p99_ms} | ${o.rate} | ${o.p50_ms} / ${o.p99_ms} | ${(100 * (1 - o.rate / b.rate)).toFixed(0)} % | ${p.rate} (${(100 * p.rate / o.rate).toFixed(0)} %) | ${p.p99_ms} | ${err} |`);
  ' "$dialect" "$mode" "$b" "$o" "$p"
done
echo "(overhead goal ≤ 30 %; paced p99 goal < 20 ms at 80 % of the maximum rate)"
