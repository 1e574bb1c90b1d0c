# Shared helpers for the bench/ scripts (sourced, not run). Everything listens on 127.0.0.1 only.
# Each script that sources this sets `work` (its temp dir) and calls bench_cleanup_on_exit.
# Processes are started in the background and remembered by PID; cleanup stops exactly those.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
REPO_ROOT=$(cd "$BENCH_DIR/.." && pwd)
export BENCH_DIR REPO_ROOT

# Root account of every trunkgate the benchmarks start (fresh databases only).
BENCH_AUTH_ID=MABENCHROOT000000001
BENCH_AUTH_TOKEN=BenchRootToken00000000000000000000000001
# The digest user of the Kamailio anchor (bench/sip/subscribers.sql has its HA1).
BENCH_USER=user0000
BENCH_PASS=Bench0000Passw0rd
BENCH_DOMAIN=bench.local

bench_log() { printf '%s\n' "$*" >&2; }
bench_die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# ---- tools ------------------------------------------------------------------------------------

# Installs the Debian packages a benchmark needs when a tool is missing (as root, like CI).
bench_require() {
  local missing=() t
  for t in "$@"; do
    case $t in
      sipp) command -v sipp >/dev/null || missing+=(sip-tester) ;;
      kamailio) command -v kamailio >/dev/null || missing+=(kamailio)
        [ -e /usr/lib/x86_64-linux-gnu/kamailio/modules/db_sqlite.so ] || ls /usr/lib/*/kamailio/modules/db_sqlite.so >/dev/null 2>&1 \
          || missing+=(kamailio-sqlite-modules) ;;
      wrk) command -v wrk >/dev/null || missing+=(wrk) ;;
      sqlite3) command -v sqlite3 >/dev/null || missing+=(sqlite3) ;;
      psql) command -v psql >/dev/null || missing+=(postgresql-client) ;;
      python3) command -v python3 >/dev/null || missing+=(python3) ;;
      time) [ -x /usr/bin/time ] || missing+=(time) ;;
      *) bench_die "bench_require: unknown tool $t" ;;
    esac
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  bench_log "installing: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then bench_die "missing ${missing[*]}: run as root or apt-get install them"; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null 2>&1 || {
    apt-get update >/dev/null 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null || bench_die "apt-get install ${missing[*]} failed"
  }
}

# The compiled edge (dist/) is what is measured; build it when missing or older than src/.
bench_require_build() {
  if [ ! -f "$REPO_ROOT/dist/src/cli/main.js" ] || [ -n "$(find "$REPO_ROOT/src" -newer "$REPO_ROOT/dist/src/cli/main.js" -name '*.ts' -print -quit)" ]; then
    bench_log "building dist/ (npm run build)"
    (cd "$REPO_ROOT" && npm run build >/dev/null) || bench_die "npm run build failed"
  fi
}

# ---- the machine ------------------------------------------------------------------------------

bench_machine() {
  echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, kernel $(uname -r), node $(node -v)"
  echo "load average (1/5/15 min): $(cut -d' ' -f1-3 /proc/loadavg)"
}

# Prints the processes using CPU right now that this benchmark did not start (for RESULTS.md).
bench_others() {
  top -b -c -n 2 -d 1 -w 250 | awk '/^top -/{n++} n==2 && /^ *[0-9]+ / && $9+0 >= 5 {
    c = ""; for (i = 12; i <= NF; i++) c = c " " $i; printf "  %s%%%s\n", $9, substr(c, 1, 110) }' | head -8
}

# Waits (up to IDLE_WAIT seconds, default 120) until the machine is idle: under IDLE_BUSY % (default
# 10) of both cores busy over 3 s (/proc/stat). Says so either way; numbers taken while other
# work runs are noisy. Processes this script started count too, but they idle between steps.
bench_wait_idle() {
  local max=${IDLE_WAIT:-120} limit=${IDLE_BUSY:-10} start=$SECONDS b0 a0 b1 a1 pct
  while :; do
    read -r b0 a0 < <(bench_busy); sleep 3; read -r b1 a1 < <(bench_busy)
    pct=$(( a1 > a0 ? 100 * (b1 - b0) / (a1 - a0) : 100 ))
    if [ "$pct" -lt "$limit" ]; then bench_log "machine idle ($pct % busy)"; return 0; fi
    [ $((SECONDS - start)) -ge "$max" ] && break
    sleep 2
  done
  bench_log "WARNING: the machine is still $pct % busy after ${max}s; other work is running:"
  bench_others >&2
  return 0
}

# ---- processes --------------------------------------------------------------------------------

BENCH_PIDS=()
bench_track() { BENCH_PIDS+=("$1"); }

# Stops what this script started (by PID, newest first), waits briefly, then removes $work.
bench_cleanup() {
  local i p
  for ((i = ${#BENCH_PIDS[@]} - 1; i >= 0; i--)); do
    p=${BENCH_PIDS[i]}
    kill -0 "$p" 2>/dev/null && kill "$p" 2>/dev/null
  done
  for p in "${BENCH_PIDS[@]}"; do
    for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null
  done
  BENCH_PIDS=()
  if [ -n "${work:-}" ] && [ -z "${KEEP_WORK:-}" ]; then rm -rf "$work"; fi
}
bench_cleanup_on_exit() { trap bench_cleanup EXIT; trap 'exit 130' INT TERM; }

# Stops one tracked process and forgets it.
bench_stop() {
  local p=$1 i
  kill -0 "$p" 2>/dev/null && kill "$p" 2>/dev/null
  for i in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null
  wait "$p" 2>/dev/null
  local keep=() q
  for q in "${BENCH_PIDS[@]}"; do [ "$q" != "$p" ] && keep+=("$q"); done
  BENCH_PIDS=("${keep[@]}")
}

# A port free for UDP and TCP on 127.0.0.1 now, starting the search at $1.
bench_free_port() {
  local p=$1
  while ss -Hlnu "sport = :$p" | grep -q . || ss -Hlnt "sport = :$p" | grep -q .; do p=$((p + 1)); done
  echo "$p"
}

# CPU ticks (1/100 s) of a process and its direct children (Kamailio and node:cluster fork workers).
bench_ticks() {
  local t=0 p
  for p in "$1" $(ps -o pid= --ppid "$1" 2>/dev/null); do
    [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}
# RSS in KiB of a process and its direct children.
bench_rss_kib() {
  local t=0 p
  for p in "$1" $(ps -o pid= --ppid "$1" 2>/dev/null); do
    [ -r "/proc/$p/status" ] && t=$((t + $(awk '/^VmRSS:/{print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
  done
  echo "$t"
}
# Busy and total jiffies of all cores.
bench_busy() { awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat; }
# Host-wide UDP receive-buffer drops (RcvbufErrors).
bench_udp_drops() { awk '/^Udp:/{n++; if (n==2) print $6}' /proc/net/snmp; }

# ---- trunkgate --------------------------------------------------------------------------------

# Starts `trunkgate serve` from dist/ in the background. Sets TG_PID, TG_HTTP (origin), TG_SIP_PORT.
#   tg_start NAME WORKERS [extra env assignments...]   (NAME: log file prefix under $work)
# The environment is built from scratch; TG_DB or TG_DATABASE_URL choose the database, TG_NODE_ARGS
# adds node options (e.g. --cpu-prof), TG_SERVE_ARGS serve options (--api-only).
tg_start() {
  local name=$1 workers=$2; shift 2
  TG_SIP_PORT=$(bench_free_port "${TG_SIP_PORT_BASE:-5080}")
  local http; http=$(bench_free_port "${TG_HTTP_PORT_BASE:-18080}")
  TG_HTTP="http://127.0.0.1:$http"
  local dbenv=("TRUNKGATE_DB=${TG_DB:-$work/$name.db}")
  [ -n "${TG_DATABASE_URL:-}" ] && dbenv=("DATABASE_URL=$TG_DATABASE_URL")
  (cd "$REPO_ROOT" && exec env -i PATH="$PATH" HOME="${HOME:-/tmp}" \
    "${dbenv[@]}" \
    TRUNKGATE_HTTP_HOST=127.0.0.1 TRUNKGATE_HTTP_PORT="$http" \
    TRUNKGATE_SIP_HOST=127.0.0.1 TRUNKGATE_SIP_PORT="$TG_SIP_PORT" \
    TRUNKGATE_SIP_WORKERS="$workers" TRUNKGATE_SIP_DOMAIN="$BENCH_DOMAIN" \
    TRUNKGATE_UPSTREAM="sip:127.0.0.1:${UAS_PORT:-5090};transport=udp" \
    TRUNKGATE_SIP_PACKET_RATE=0 \
    TRUNKGATE_ROOT_AUTH_ID="$BENCH_AUTH_ID" TRUNKGATE_ROOT_AUTH_TOKEN="$BENCH_AUTH_TOKEN" \
    TRUNKGATE_API_RATE_LIMIT=1000000 TRUNKGATE_API_RATE_BURST=1000000 \
    TRUNKGATE_LOG_LEVEL="${TG_LOG_LEVEL:-warn}" \
    "$@" node ${TG_NODE_ARGS:-} bin/trunkgate.mjs serve ${TG_SERVE_ARGS:-} >"$work/$name.log" 2>&1) &
  TG_PID=$!
  bench_track "$TG_PID"
  local i
  for i in $(seq 600); do
    if ! kill -0 "$TG_PID" 2>/dev/null; then cat "$work/$name.log" >&2; bench_die "trunkgate ($name) exited during start"; fi
    curl -sf "$TG_HTTP/health" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$work/$name.log" >&2
  bench_die "trunkgate ($name) did not answer /health within 60 s"
}

# An API call as the root account; prints the body, fails on an unexpected status.
#   tg_api METHOD PATH [JSON] [EXPECTED_STATUS]
tg_api() {
  local method=$1 path=$2 body=${3:-} want=${4:-} out status
  out=$(mktemp); local in; in=$(mktemp)
  printf '%s' "$body" >"$in" # a file: a 10,001-entry ACL is too long for an argument
  status=$(curl -s -o "$out" -w '%{http_code}' -X "$method" -u "$BENCH_AUTH_ID:$BENCH_AUTH_TOKEN" \
    ${body:+-H 'content-type: application/json' --data-binary "@$in"} "$TG_HTTP/v1/Account/$BENCH_AUTH_ID$path")
  rm -f "$in"
  if [ -n "$want" ] && [ "$status" != "$want" ]; then
    bench_log "API $method $path → $status: $(cat "$out")"; rm -f "$out"; return 1
  fi
  cat "$out"; rm -f "$out"
}
json_field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];process.stdout.write(String(v??""))})' "$1"; }

# Creates user0000's credential and an outbound trunk using it through the API; prints the trunk
# domain. Optional: tg_provision_trunk ALGORITHMS_JSON [IPACL_UUID] [USERNAME]
tg_provision_trunk() {
  local algs=${1:-'["MD5"]'} acl=${2:-} user=${3:-$BENCH_USER} cred trunk
  cred=$(tg_api POST /Zentrunk/Credential/ "{\"username\":\"$user\",\"password\":\"$BENCH_PASS\"}" 201 | json_field credential_uuid) || return 1
  trunk=$(tg_api POST /Zentrunk/Trunk/ "{\"trunk_direction\":\"outbound\",\"credential_uuid\":\"$cred\",\"digest_algorithms\":$algs${acl:+,\"ipacl_uuid\":\"$acl\"}}" 201 | json_field trunk_id) || return 1
  tg_api GET "/Zentrunk/Trunk/$trunk/" "" 200 | json_field trunk_domain
}

# Waits until the edge has loaded the policy with this trunk (poll interval is 0.5 s).
tg_wait_policy() { sleep "${1:-1.5}"; }

# trunkgate_sip_requests_total by outcome, as "outcome=count ..." (summed over transports).
tg_outcomes() {
  curl -s "$TG_HTTP/metrics" | awk '/^trunkgate_sip_requests_total\{/{ if (match($0, /outcome="[^"]+"/)) { o=substr($0, RSTART+9, RLENGTH-10); c[o]+=$NF } }
    END { for (o in c) printf "%s=%d ", o, c[o]; print "" }'
}

# ---- sipp -------------------------------------------------------------------------------------

# Parses a sipp -trace_stat file: prints "ok failed retrans elapsed_s".
sipp_stats() {
  python3 - "$1" <<'PY'
import sys
try:
    lines = open(sys.argv[1]).read().splitlines()
    d = dict(zip(lines[0].split(';'), lines[-1].split(';')))
except Exception:
    d = {}
def epoch(s):  # "date<TAB>time<TAB>epoch" (sipp's ElapsedTime has whole seconds only)
    try: return float(s.split('\t')[-1])
    except Exception: return 0.0
el = epoch(d.get('CurrentTime', '')) - epoch(d.get('StartTime', ''))
print(int(d.get('SuccessfulCall(C)', 0)), int(d.get('FailedCall(C)', 0)),
      int(d.get('Retransmissions(C)', 0) or 0), f"{max(el, 0):.2f}")
PY
}
