#!/usr/bin/env bash
# The edge's authenticated REGISTER rate per digest algorithm (issue 8 item 1, second table):
# sipp speaks MD5 only, so bench/sip/digest-load.ts drives MD5, SHA-256 and SHA-512-256 alike
# (three trunks, each offering one algorithm) and MD5 through the same generator is the baseline.
#
# Two measurements per algorithm, same edge, same run:
#   ladder   open loop, RATES stepped up, DURATION s each: the highest rate with no failed or
#            retransmitted transaction (as bench/sip-vs-kamailio.sh; one retry per step);
#   capacity closed loop, CONCURRENCY transactions in flight for DURATION s: completed/s.
#
# usage: bench/sip-digest-algorithms.sh     env: WORKERS=2 RATES="…" DURATION=10 CONCURRENCY=64
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
dur=${DURATION:-10}
rates=${RATES:-"3000,4000,5000,6000,7000,8000,9000,10000"}
workers=${WORKERS:-2}
conc=${CONCURRENCY:-64}

bench_require python3
bench_require_build
work=$(mktemp -d /tmp/bench-alg.XXXXXX)
bench_cleanup_on_exit

echo "## sip-digest-algorithms (edge, $workers worker(s), $dur s per step)"
bench_machine
tg_start alg "$workers"
declare -A domain
for alg in MD5 SHA-256 SHA-512-256; do
  domain[$alg]=$(tg_provision_trunk "[\"$alg\"]" "" "user-${alg,,}") || bench_die "provisioning $alg failed"
done
tg_wait_policy

load() { # algorithm, extra args...
  local alg=$1; shift
  (cd "$REPO_ROOT" && node --import tsx bench/sip/digest-load.ts --target "127.0.0.1:$TG_SIP_PORT" \
    --domain "${domain[$alg]}" --user "user-${alg,,}" --pass "$BENCH_PASS" --algorithm "$alg" \
    --duration "${DURATION_OVERRIDE:-$dur}" "$@")
}

declare -A best cap
for alg in MD5 SHA-256 SHA-512-256; do # warm-up (JIT), not reported
  DURATION_OVERRIDE=3 load "$alg" --concurrency "$conc" >/dev/null
done
for alg in MD5 SHA-256 SHA-512-256; do
  k0=$(bench_ticks "$TG_PID")
  out=$(load "$alg" --concurrency "$conc")
  k1=$(bench_ticks "$TG_PID")
  echo "capacity $alg: $out edge_cpu=$(( (k1 - k0) / dur ))%"
  cap[$alg]=$(printf '%s' "$out" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s.trim().split("\n").pop()).achieved))')
  sleep 2
done
for alg in MD5 SHA-256 SHA-512-256; do
  best[$alg]=0
  while IFS= read -r line; do
    echo "ladder $alg: $line"
    r=$(printf '%s' "$line" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);console.log(j.pass?j.rate:0)})')
    [ "$r" -gt "${best[$alg]}" ] && best[$alg]=$r
  done < <(load "$alg" --rates "$rates")
  sleep 2
done

echo
echo "| algorithm | highest clean rate (REGISTER/s, $dur s) | ratio vs MD5 | closed-loop capacity ($conc in flight, REGISTER/s) | ratio vs MD5 |"
echo "|---|---|---|---|---|"
for alg in MD5 SHA-256 SHA-512-256; do
  awk -v a="$alg" -v b="${best[$alg]}" -v b0="${best[MD5]}" -v c="${cap[$alg]}" -v c0="${cap[MD5]}" \
    'BEGIN{printf "| %s | %d | %.2f | %d | %.2f |\n", a, b, (b0 ? b/b0 : 0), c, (c0 ? c/c0 : 0)}'
done
