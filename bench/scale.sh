#!/usr/bin/env bash
# Scale (issue 8 item 3): the edge with 1,000 vs 1,000,000 ACL entries and credentials.
#   1. NetworkMatcher ns/lookup at 10³ … 10⁶ networks (bench/scale/matcher.ts);
#   2. two SQLite databases seeded by bench/scale/seed.ts (SMALL and LARGE rows of each: ACL
#      entries half IPv4 / half IPv6, one trunk per 50-entry ACL, API quotas respected);
#   3. per database: the policy snapshot's build time and size (bench/scale/policy-load.ts), the
#      edge's start-up (spawn → /health answering, policy loaded), its RSS;
#   4. admission: the benchmark trunk (IP ACL AND digest, MD5) driven by bench/sip/digest-load.ts in
#      closed loop (CONCURRENCY in flight, DURATION s) against both edges, alternating
#      small, large, small, large; the large/small ratio of the means is the result;
#   5. changes under load: the same closed loop for 2×DURATION s while CHANGES ACL changes (one
#      entry removed from another trunk's ACL, logged in policy_changes as the API does) are made
#      one by one; each edge process applies them as deltas (src/sip/edge/policy-cache.ts, polling
#      every POLL_MS): completed/s, failed and retransmitted transactions, the time until every
#      edge process had applied each change (bench/scale/change-latency.ts), and RSS afterwards.
#
# usage: bench/scale.sh   env: SMALL=1000 LARGE=1000000 WORKERS=2 DURATION=10 CONCURRENCY=64
#                              CHANGES=20 POLL_MS=50
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
small=${SMALL:-1000}
large=${LARGE:-1000000}
workers=${WORKERS:-2}
dur=${DURATION:-10}
conc=${CONCURRENCY:-64}
changes=${CHANGES:-20}
poll_ms=${POLL_MS:-50}

bench_require python3 sqlite3
bench_require_build
work=$(mktemp -d /tmp/bench-scale.XXXXXX)
bench_cleanup_on_exit

echo "## scale ($small vs $large ACL entries and credentials; edge with $workers worker(s))"
bench_machine
echo
echo "### NetworkMatcher lookup time"
(cd "$REPO_ROOT" && node --expose-gc --import tsx bench/scale/matcher.ts) || bench_die "matcher benchmark failed"

# RSS of the serve process and of each edge worker, one line.
per_process_rss() {
  local line="$2: RSS" p
  for p in "$1" $(ps -o pid= --ppid "$1" 2>/dev/null); do
    [ -r "/proc/$p/status" ] && line="$line $(awk '/^VmRSS:/{printf "%d", $2/1024}' "/proc/$p/status") MiB ($([ "$p" = "$1" ] && echo serve || echo worker))"
  done
  echo "$line"
}

declare -A domain pid http port startup rss0 policy seeded
for size in "$small" "$large"; do
  db="$work/scale-$size.db"
  (cd "$REPO_ROOT" && env -i PATH="$PATH" HOME="${HOME:-/tmp}" TRUNKGATE_DB="$db" node bin/trunkgate.mjs migrate >/dev/null) \
    || bench_die "migrate failed"
  seeded[$size]=$(cd "$REPO_ROOT" && node --import tsx bench/scale/seed.ts "$db" "$size" "$size" "$BENCH_USER" "$BENCH_PASS" "$BENCH_DOMAIN") \
    || bench_die "seeding $size failed"
  echo "seeded $size: ${seeded[$size]} (db $(du -m "$db" | cut -f1) MiB)"
  policy[$size]=$(cd "$REPO_ROOT" && node --expose-gc --import tsx bench/scale/policy-load.ts "$db")
  echo "policy snapshot $size: ${policy[$size]}"
  t0=$(date +%s%N)
  TG_DB=$db TG_LOG_LEVEL=debug tg_start "scale-$size" "$workers" TRUNKGATE_SIP_POLICY_POLL_MS="$poll_ms" # debug: the reload times
  startup[$size]=$(( ($(date +%s%N) - t0) / 1000000 ))
  pid[$size]=$TG_PID; http[$size]=$TG_HTTP; port[$size]=$TG_SIP_PORT
  trunk=$(printf '%s' "${seeded[$size]}" | json_field bench_trunk)
  domain[$size]="$trunk.$BENCH_DOMAIN"
  sleep 2
  rss0[$size]=$(bench_rss_kib "$TG_PID")
  per_process_rss "$TG_PID" "edge $size after start"
  loaded=$(grep -o '"version":[0-9]*,"ms":[0-9]*' "$work/scale-$size.log" | sed 's/.*"ms"://' | tr '\n' ' ')
  echo "edge $size: start-up (spawn → /health) ${startup[$size]} ms; policy load in the edge process(es): ${loaded}ms; RSS $((rss0[$size] / 1024)) MiB"
done

load() { # size → JSON line
  local s=$1
  (cd "$REPO_ROOT" && node --import tsx bench/sip/digest-load.ts --target "127.0.0.1:${port[$s]}" \
    --domain "${domain[$s]}" --user "$BENCH_USER" --pass "$BENCH_PASS" --algorithm MD5 \
    --duration "${DURATION_OVERRIDE:-$dur}" --concurrency "$conc")
}
achieved() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s.trim()).achieved))'; }

echo
echo "### admission (ACL + digest), closed loop, $conc in flight, $dur s per run"
for s in "$small" "$large"; do
  DURATION_OVERRIDE=3 load "$s" >/dev/null # warm-up: JIT, nonce state
done
declare -A sum n
for round in 1 2; do
  for s in "$small" "$large"; do
    k0=$(bench_ticks "${pid[$s]}")
    out=$(load "$s")
    k1=$(bench_ticks "${pid[$s]}")
    a=$(printf '%s' "$out" | achieved)
    sum[$s]=$(( ${sum[$s]:-0} + a )); n[$s]=$(( ${n[$s]:-0} + 1 ))
    echo "round $round, $s entries: $out edge_cpu=$(( (k1 - k0) / dur ))%"
    sleep 2
  done
done

echo
echo "### $changes ACL changes while under load, closed loop, $((dur * 2)) s (policy poll every $poll_ms ms)"
declare -A change latency
for s in "$small" "$large"; do
  db="$work/scale-$s.db"
  bench_trunk=$(printf '%s' "${seeded[$s]}" | json_field bench_trunk)
  acls=$(sqlite3 "$db" "SELECT ip_acl_uuid FROM trunks WHERE trunk_id <> '$bench_trunk' AND ip_acl_uuid IS NOT NULL ORDER BY trunk_id LIMIT $changes")
  : >"$work/changes-$s.txt"
  (
    gap_ms=$(( dur * 2000 / (changes + 1) ))
    for acl in $acls; do
      sleep "$(awk -v ms="$gap_ms" 'BEGIN{printf "%.3f", ms/1000}')"
      t0=$(date +%s%3N)
      # What the API's ACL entry delete writes (src/store/repositories/ip-acl-repository.ts), in one transaction.
      v=$(sqlite3 -cmd ".timeout 5000" "$db" "BEGIN IMMEDIATE;
        DELETE FROM ip_acl_entries WHERE entry_id = (SELECT entry_id FROM ip_acl_entries WHERE ip_acl_uuid = '$acl' ORDER BY position DESC LIMIT 1);
        UPDATE change_version SET version = version + 1 WHERE id = 1;
        INSERT INTO policy_changes (version, kind, id) SELECT version, 'ip_acl', '$acl' FROM change_version WHERE id = 1;
        SELECT version FROM change_version WHERE id = 1;
        COMMIT;")
      echo "$t0 $v" >>"$work/changes-$s.txt"
    done
  ) &
  bump=$!
  change[$s]=$(DURATION_OVERRIDE=$((dur * 2)) load "$s")
  wait "$bump"
  sleep 1
  echo "$s entries: ${change[$s]}"
  latency[$s]=$(cd "$REPO_ROOT" && node --import tsx bench/scale/change-latency.ts "$work/scale-$s.log" "$work/changes-$s.txt" "$workers")
  echo "  change → applied in every edge process: ${latency[$s]}"
  per_process_rss "${pid[$s]}" "  edge $s after the changes"
  sleep 2
done

echo
echo "| entries + credentials | seeded in | policy build (first / best) | snapshot heap | edge start-up | edge RSS after start | edge RSS after load and changes | admission (REGISTER/s, mean of 2) | × vs $small | during $changes changes: REGISTER/s, failed, retransmitted | change applied everywhere: median / max ms |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
base=$(( sum[$small] / n[$small] ))
for s in "$small" "$large"; do
  mean=$(( sum[$s] / n[$s] ))
  rss1=$(bench_rss_kib "${pid[$s]}")
  node -e '
    const [s, seeded, policy, start, rss0, rss1, mean, base, change, latency] = process.argv.slice(1);
    const sd = JSON.parse(seeded), p = JSON.parse(policy), c = JSON.parse(change), l = JSON.parse(latency);
    console.log(`| ${Number(s).toLocaleString("en-US")} | ${sd.seconds} s | ${p.first_ms} / ${p.best_ms} ms | ${p.snapshot_mib} MiB | ${start} ms | ${Math.round(rss0/1024)} MiB | ${Math.round(rss1/1024)} MiB | ${mean} | ${(mean/base).toFixed(2)} | ${c.achieved}, ${c.failed}, ${c.retrans} | ${l.median_ms} / ${l.max_ms} (${l.applied_everywhere} of ${l.changes}) |`);
  ' "$s" "${seeded[$s]}" "${policy[$s]}" "${startup[$s]}" "${rss0[$s]}" "$rss1" "$mean" "$base" "${change[$s]}" "${latency[$s]}"
done
echo "(RSS: the serve process and its $workers edge worker(s) together; each edge process holds its own compact policy table, updated in place by deltas)"
