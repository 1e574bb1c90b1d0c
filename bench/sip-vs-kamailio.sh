#!/usr/bin/env bash
# trunkgate's SIP edge beside Kamailio (issue 8 items 1 and 2), both driven by the same sipp
# scenario on this machine, in one run:
#
#   register  REGISTER → 401 → REGISTER + Authorization → 200 (digest, qop=auth, nonce counts;
#             MD5 only, which is all sipp speaks). Kamailio: bench/sip/kamailio.cfg (auth_db on
#             SQLite). With ACL=1 (default) also both with a 10,001-network IP ACL in front
#             (Kamailio: permissions/allow_source_address; trunkgate: the trunk's ipacl_uuid).
#   invite    INVITE → 407 → ACK → INVITE + Proxy-Authorization → 180/200 → ACK → BYE → 200, relayed
#             to a sipp UAS (bench/sip/invite-uas.xml). Kamailio: auth_check + record_route +
#             t_relay (bench/sip/kamailio-invite.cfg); trunkgate: stateless forward + Record-Route.
#
# For each system the offered rate steps up (RATES); each step runs DURATION s of calls
# (sipp -r RATE -m RATE*DURATION). A step passes when every call succeeded, sipp retransmitted
# nothing and the rate was achieved (≥ 97 % of asked). A failing step is retried once; the
# ladder stops at the second failure. A step that failed while other processes used more than a
# third of a core (host busy minus this step's processes) is marked DISTURBED and repeated once
# the machine is idle again (see bench_wait_idle), up to 3 times. Printed: one line per step, then per system the highest
# passing rate, and trunkgate / Kamailio.
#
# usage: bench/sip-vs-kamailio.sh [register|invite]
# env:   RATES="…" DURATION=10 SYSTEMS="kamailio tg1 tg2 kamailio+acl tg2+acl" ACL=1
#        KEEP_GOING=1 (no stop at failure)  KEEP_WORK=1 (keep logs)  PROFILE=DIR (node --cpu-prof
#        the trunkgate processes into DIR)  KAM_PORT=5070 UAS_PORT=5090
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"

mode=${1:-register}
case $mode in register | invite) ;; *) bench_die "usage: $0 [register|invite]" ;; esac
dur=${DURATION:-10}
if [ "$mode" = register ]; then
  rates=${RATES:-"4000 5000 6000 7000 8000 10000 12000 14000 16000 18000"}
  default_systems="kamailio tg1 tg2"
  [ "${ACL:-1}" = 1 ] && default_systems="$default_systems kamailio+acl tg2+acl"
  gap=2
else
  rates=${RATES:-"750 1000 1500 1750 2000 2250 2500 3000"}
  default_systems="kamailio tg1 tg2"
  gap=6 # let Kamailio's tm wait timers and the UAS's 4 s timewait drain
fi
systems=${SYSTEMS:-$default_systems}
# sipp's socket buffers (default 64 KiB): every system's answers reach sipp's one socket, and a
# burst larger than its buffer is dropped there and retransmitted. 4 MiB (net.core.rmem_max here)
# for every system alike, so that the server, not sipp's socket, is measured.
sipp_buf=${SIPP_BUFF:-4194304}

bench_require sipp kamailio sqlite3 python3 time
bench_require_build
work=$(mktemp -d /tmp/bench-sip.XXXXXX)
bench_cleanup_on_exit
KAM_PORT=$(bench_free_port "${KAM_PORT:-5070}")
UAS_PORT=$(bench_free_port "${UAS_PORT:-5090}")
export UAS_PORT

# ---- the systems ------------------------------------------------------------------------------

# 10,000 /24 networks nobody sends from, then loopback last (as the Kamailio anchor's ACL).
acl_networks() {
  python3 -c "
for i in range(10000):
    print('%d.%d.%d.0/24' % (11 + i // 65536, (i // 256) % 256, i % 256))
print('127.0.0.0/8')"
}

start_kamailio() { # $1: acl (0/1)
  local acl=$1 kw="$work/kam"
  rm -rf "$kw"; mkdir -p "$kw"
  local db="$kw/kam.db"
  sqlite3 "$db" </usr/share/kamailio/db_sqlite/standard-create.sql
  sqlite3 "$db" </usr/share/kamailio/db_sqlite/auth_db-create.sql
  sqlite3 "$db" </usr/share/kamailio/db_sqlite/permissions-create.sql
  sqlite3 "$db" <"$here/sip/subscribers.sql"
  if [ "$acl" = 1 ]; then
    acl_networks | awk -F/ 'BEGIN{print "BEGIN;"} {printf "INSERT INTO address(grp,ip_addr,mask,port) VALUES(1,%c%s%c,%s,0);\n", 39, $1, 39, $2} END{print "COMMIT;"}' | sqlite3 "$db"
  fi
  local cfg shm=()
  if [ "$mode" = register ]; then
    # The registrar job as Kamailio does it in production: auth_db, then save() the binding (usrloc).
    sed -e "s#KAMDB#$db#g" -e "s#ACLCHECK#$acl#" -e "s#127.0.0.1:5070#127.0.0.1:$KAM_PORT#" "$here/sip/kamailio-registrar.cfg" >"$kw/kamailio.cfg"
  else
    sed -e "s#KAMDB#$db#g" -e "s#UPSTREAM#127.0.0.1:$UAS_PORT#g" -e "s#127.0.0.1:5070#127.0.0.1:$KAM_PORT#" "$here/sip/kamailio-invite.cfg" >"$kw/kamailio.cfg"
    shm=(-m 512) # tm keeps every transaction for its wait timer (see the anchor's README)
  fi
  kamailio -f "$kw/kamailio.cfg" -P "$kw/kamailio.pid" -Y "$kw" -w "$kw" "${shm[@]}" -DD -E >"$kw/kamailio.log" 2>&1 &
  SRV_PID=$!
  bench_track "$SRV_PID"
  sleep 1
  kill -0 "$SRV_PID" 2>/dev/null || { cat "$kw/kamailio.log" >&2; bench_die "kamailio did not start"; }
  TARGET=127.0.0.1:$KAM_PORT
  DOMAIN=$BENCH_DOMAIN
  IS_TG=
}

start_trunkgate() { # $1: workers, $2: acl (0/1)
  local workers=$1 acl=$2 name="tg$1-$2" acl_uuid=
  if [ -n "${PROFILE:-}" ]; then
    mkdir -p "$PROFILE"
    TG_NODE_ARGS="--cpu-prof --cpu-prof-dir=$PROFILE" tg_start "$name" "$workers" TRUNKGATE_QUOTA_ACL_ENTRIES=20000 \
      TRUNKGATE_SIP_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=$PROFILE"
  else
    tg_start "$name" "$workers" TRUNKGATE_QUOTA_ACL_ENTRIES=20000
  fi
  SRV_PID=$TG_PID
  if [ "$acl" = 1 ]; then
    acl_uuid=$(acl_networks | (cd "$REPO_ROOT" && node --import tsx bench/lib/create-acl.ts "$TG_HTTP" "$BENCH_AUTH_ID" "$BENCH_AUTH_TOKEN" 'bench 10001')) \
      || bench_die "could not create the ACL"
  fi
  DOMAIN=$(tg_provision_trunk '["MD5"]' "$acl_uuid") || bench_die "could not provision the trunk"
  tg_wait_policy
  TARGET=127.0.0.1:$TG_SIP_PORT
  IS_TG=1
}

start_uas() {
  (cd "$work" && exec sipp -sf "$here/sip/invite-uas.xml" -i 127.0.0.1 -p "$UAS_PORT" -nostdin \
    -trace_stat -stf "$work/uas-stat.csv" -fd 1 >"$work/uas.out" 2>&1) &
  UAS_PID=$!
  bench_track "$UAS_PID"
  sleep 0.5
  kill -0 "$UAS_PID" 2>/dev/null || { cat "$work/uas.out" >&2; bench_die "sipp UAS did not start"; }
}

# ---- one step ---------------------------------------------------------------------------------

# run_step SYSTEM RATE → prints the result line and returns 0 when the step passed.
run_step() {
  local sys=$1 rate=$2 calls=$((rate * dur)) scen
  [ "$mode" = register ] && scen=$here/sip/register-auth.xml || scen=$here/sip/invite-auth-uac.xml
  printf 'SEQUENTIAL\n%s;%s;%s\n' "$BENCH_USER" "$DOMAIN" "$BENCH_PASS" >"$work/u.csv"
  local k0 u0 b0 a0 d0 m0=""
  k0=$(bench_ticks "$SRV_PID"); u0=0; [ -n "${UAS_PID:-}" ] && u0=$(bench_ticks "$UAS_PID")
  read -r b0 a0 < <(bench_busy); d0=$(bench_udp_drops)
  [ -n "$IS_TG" ] && m0=$(tg_outcomes)
  rm -f "$work/stat.csv"
  (cd "$work" && /usr/bin/time -f '%U %S' -o "$work/uac.time" timeout $((dur * 3 + 40)) \
    sipp "$TARGET" -sf "$scen" -inf "$work/u.csv" -au "$BENCH_USER" -ap "$BENCH_PASS" \
    -i 127.0.0.1 -p 0 -r "$rate" -m "$calls" -l 20000 -nostdin -timeout $((dur * 3 + 20))s \
    -buff_size "$sipp_buf" -trace_stat -stf "$work/stat.csv" ${UAC_EXTRA:-} >"$work/uac.out" 2>&1)
  local k1 u1 b1 a1 d1 m1=""
  k1=$(bench_ticks "$SRV_PID"); u1=0; [ -n "${UAS_PID:-}" ] && u1=$(bench_ticks "$UAS_PID")
  read -r b1 a1 < <(bench_busy); d1=$(bench_udp_drops)
  [ -n "$IS_TG" ] && m1=$(tg_outcomes)
  local ok failed retrans el
  read -r ok failed retrans el < <(sipp_stats "$work/stat.csv")
  if [ -n "${SS:-}" ]; then # which sockets dropped: ss's skmem d<drops> per UDP socket on 127.0.0.1
    ss -Huanmp 2>/dev/null | paste - - | awk '{ d = 0; p = ""
      if (match($0, /users:\(\("[^"]+"/)) p = substr($0, RSTART + 9, RLENGTH - 10)
      if (match($0, /,d[0-9]+\)/)) d = substr($0, RSTART + 2, RLENGTH - 3)
      if ($4 ~ /^127\.0\.0\.1:/ && d > 0) print "  ss (drops since the socket opened):", $4, p, "d=" d }' >&2
  fi
  python3 - "$sys" "$rate" "$calls" "$ok" "$failed" "$retrans" "$el" "$((k1 - k0))" "$((u1 - u0))" \
    "$(cat "$work/uac.time" 2>/dev/null | tail -1)" "$((b1 - b0))" "$((a1 - a0))" "$((d1 - d0))" "$m0" "$m1" <<'PY'
import sys
sysname, rate, calls, ok, failed, retrans, el, kt, ut, uac, b, a, drops, m0, m1 = sys.argv[1:]
rate, calls, ok, failed, retrans, el = int(rate), int(calls), int(ok), int(failed), int(retrans), float(el)
achieved = ok / el if el else 0
try: uac_cpu = sum(map(float, uac.split()[-2:]))
except Exception: uac_cpu = 0.0
pc = lambda x: round(100 * x / el) if el else 0
def parse(m): return {k: int(v) for k, v in (p.split('=') for p in m.split())} if m else {}
d0, d1 = parse(m0), parse(m1)
delta = {k: d1.get(k, 0) - d0.get(k, 0) for k in d1 if d1.get(k, 0) != d0.get(k, 0)}
passed = ok == calls and failed == 0 and retrans == 0 and achieved >= 0.97 * rate
edge = ' '.join(f'{k}={v}' for k, v in sorted(delta.items()))
busy = 100 * int(b) / int(a) if int(a) else 0
# CPU used by processes this step did not start, in % of one core (2 × host busy % minus ours;
# both tick-sampled, so only a large excess means something else ran).
others = 2 * busy - pc(int(kt) / 100) - pc(uac_cpu) - pc(int(ut) / 100)
disturbed = others > 35
verdict = 'DISTURBED' if disturbed and not passed else ('PASS' if passed else 'FAIL')
# Server CPU (utime+stime of every process and thread of the system, from /proc) per transaction.
us_per_tx = (int(kt) / 100) * 1e6 / ok if ok else 0
print(f"{sysname:<13} rate={rate:<6} ok={ok:<7} failed={failed:<5} retrans={retrans:<6} achieved={achieved:>6.0f}/s"
      f" cpu_srv={pc(int(kt) / 100):>3}% srv_us_per_tx={us_per_tx:>5.0f} cpu_uac={pc(uac_cpu):>3}% cpu_uas={pc(int(ut) / 100):>3}%"
      f" busy={busy:>3.0f}% others={max(0, others):>3.0f}% udp_drops={drops}"
      f" {verdict}{'  edge: ' + edge if edge else ''}")
sys.exit(0 if passed else (2 if disturbed else 1))
PY
}

# ---- the ladder -------------------------------------------------------------------------------

declare -A best
run_system() {
  local sys=$1
  UAS_PID=
  [ "$mode" = invite ] && start_uas
  case $sys in
    kamailio) start_kamailio 0 ;;
    kamailio+acl) start_kamailio 1 ;;
    tg1) start_trunkgate 1 0 ;;
    tg2) start_trunkgate 2 0 ;;
    tg1+acl) start_trunkgate 1 1 ;;
    tg2+acl) start_trunkgate 2 1 ;;
    *) bench_die "unknown system $sys (kamailio, kamailio+acl, tg1, tg2, tg1+acl, tg2+acl)" ;;
  esac
  best[$sys]=0
  local rate tries disturbed rc
  for rate in $rates; do
    tries=0
    disturbed=0
    while :; do
      run_step "$sys" "$rate"
      rc=$?
      if [ "$rc" = 0 ]; then best[$sys]=$rate; break; fi
      # A step that failed while other processes took the CPU is repeated (up to 3 times) once
      # the machine is quiet again, and does not count as a failure.
      if [ "$rc" = 2 ] && [ "$disturbed" -lt 3 ]; then
        disturbed=$((disturbed + 1))
        IDLE_WAIT=${DISTURBED_WAIT:-300} bench_wait_idle
        continue
      fi
      tries=$((tries + 1))
      [ "$tries" -ge 2 ] && break
      sleep $((gap * 2))
    done
    [ "$tries" -ge 2 ] && [ -z "${KEEP_GOING:-}" ] && break
    sleep "$gap"
  done
  bench_stop "$SRV_PID"
  [ -n "$UAS_PID" ] && bench_stop "$UAS_PID"
  sleep 1
}

echo "## sip-vs-kamailio $mode ($dur s per step)"
bench_machine
for s in $systems; do run_system "$s"; done

unit=$([ "$mode" = register ] && echo "REGISTER transactions/s" || echo "calls/s")
echo
echo "| system | highest clean rate ($unit, $dur s, 0 failed, 0 retransmissions) |"
echo "|---|---|"
for s in $systems; do echo "| $s | ${best[$s]} |"; done
ratio() { # trunkgate kamailio
  [ -n "${best[$1]:-}" ] && [ -n "${best[$2]:-}" ] && [ "${best[$2]}" -gt 0 ] \
    && awk -v a="${best[$1]}" -v b="${best[$2]}" -v n1="$1" -v n2="$2" 'BEGIN{printf "ratio %s / %s = %.2f\n", n1, n2, a/b}'
}
echo
ratio tg1 kamailio
ratio tg2 kamailio
ratio tg1+acl kamailio+acl
ratio tg2+acl kamailio+acl
exit 0
