#!/usr/bin/env bash
# Where the edge's time goes (issue 8 item 5): runs trunkgate under `node --cpu-prof` (every
# process: the serve process and its edge workers), drives it with the sipp REGISTER or INVITE
# scenario of bench/sip-vs-kamailio.sh at RATE for DURATION s, stops it (the profiles are written
# at exit) and prints bench/lib/cpuprofile-summary.ts's tables per process.
#
# usage: bench/profile.sh [register|invite] [RATE] [DURATION] [WORKERS]
#        env: PROFILE_DIR (keep the .cpuprofile files there; default a temp dir)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
mode=${1:-register}
rate=${2:-3000}
dur=${3:-10}
workers=${4:-1}
bench_require sipp python3
bench_require_build
work=$(mktemp -d /tmp/bench-prof.XXXXXX)
bench_cleanup_on_exit
dir=${PROFILE_DIR:-$work/profiles}
mkdir -p "$dir"
UAS_PORT=$(bench_free_port "${UAS_PORT:-5090}")
export UAS_PORT

echo "## profile: $mode at $rate/s for $dur s, $workers edge worker(s)"
bench_machine
if [ "$mode" = invite ]; then
  (cd "$work" && exec sipp -sf "$here/sip/invite-uas.xml" -i 127.0.0.1 -p "$UAS_PORT" -nostdin >"$work/uas.out" 2>&1) &
  bench_track $!
  scen=$here/sip/invite-auth-uac.xml
else
  scen=$here/sip/register-auth.xml
fi
TG_NODE_ARGS="--cpu-prof --cpu-prof-dir=$dir" tg_start prof "$workers" \
  TRUNKGATE_SIP_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=$dir"
domain=$(tg_provision_trunk '["MD5"]') || bench_die "provisioning failed"
tg_wait_policy
printf 'SEQUENTIAL\n%s;%s;%s\n' "$BENCH_USER" "$domain" "$BENCH_PASS" >"$work/u.csv"
(cd "$work" && timeout $((dur * 3 + 40)) sipp "127.0.0.1:$TG_SIP_PORT" -sf "$scen" -inf "$work/u.csv" \
  -au "$BENCH_USER" -ap "$BENCH_PASS" -i 127.0.0.1 -p 0 -r "$rate" -m $((rate * dur)) -l 20000 -nostdin \
  -timeout $((dur * 3 + 20))s -buff_size 4194304 -trace_stat -stf "$work/stat.csv" >"$work/uac.out" 2>&1)
read -r ok failed retrans el < <(sipp_stats "$work/stat.csv")
echo "sipp: ok=$ok failed=$failed retrans=$retrans elapsed=${el}s"
echo "edge outcomes: $(tg_outcomes)"
bench_stop "$TG_PID"
sleep 1
for f in "$dir"/*.cpuprofile; do
  echo
  echo "### $(basename "$f")"
  (cd "$REPO_ROOT" && node --import tsx bench/lib/cpuprofile-summary.ts --top 20 \
    --inclusive handle,handleRequest,parseMessage,authenticate,verifyDigest,challenge,register,forward,relayResponse,relayInDialog,serializeRequest,serializeResponse,respond,loadPolicy,send "$f")
done
