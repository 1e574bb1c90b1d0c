#!/usr/bin/env bash
# `npm run bench`: every benchmark of issue 8, one after the other, each printing its tables and
# its ratio against a baseline measured in the same run. The whole output is also written to
# $BENCH_OUT (default /tmp/trunkgate-bench-<time>.txt) for bench/RESULTS.md.
#
# Installs what it needs from Debian when missing (kamailio, kamailio-sqlite-modules, sip-tester,
# wrk, sqlite3, postgresql-client), builds dist/ when it is older than src/, listens on 127.0.0.1
# only. Needs PostgreSQL on 127.0.0.1:5432 (trust auth, as for the tests) for the API benchmark;
# without it that part is skipped (DIALECTS=sqlite). About 20–25 minutes on 2 cores.
#
# usage: npm run bench [-- SECTION...]   SECTION: register invite algorithms scale api profile
#        env: IDLE_WAIT (s to wait for an idle machine first, default 120), SECTION_IDLE_WAIT (before
#        each section, default 300), and each script's own.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
sections=${*:-"register invite algorithms scale api profile"}
out=${BENCH_OUT:-/tmp/trunkgate-bench-$(date +%Y%m%d-%H%M%S).txt}

bench_require sipp kamailio wrk sqlite3 psql python3 time
bench_require_build
bench_wait_idle

run() {
  local name=$1; shift
  IDLE_WAIT=${SECTION_IDLE_WAIT:-300} bench_wait_idle 2>&1
  echo
  echo "================================================================================"
  echo "== $name   (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
  echo "================================================================================"
  local t0=$SECONDS
  "$@" || echo "!! $name exited with status $?"
  echo "($name took $((SECONDS - t0)) s; load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
}

{
  echo "# trunkgate benchmarks"
  bench_machine
  echo "other processes using CPU at the start:"
  bench_others
  for s in $sections; do
    case $s in
      register) run "1. REGISTER: edge vs Kamailio" bash "$here/sip-vs-kamailio.sh" register ;;
      invite) run "2. INVITE: edge vs Kamailio" bash "$here/sip-vs-kamailio.sh" invite ;;
      algorithms) run "1b. digest algorithms (SHA-256)" bash "$here/sip-digest-algorithms.sh" ;;
      scale) run "3. scale: 10^3 vs 10^6 entries" bash "$here/scale.sh" ;;
      api)
        if psql postgres://postgres@127.0.0.1:5432/postgres -qAtc 'select 1' >/dev/null 2>&1; then
          run "4. API under load" bash "$here/api/run.sh"
        else
          echo "!! PostgreSQL is not reachable on 127.0.0.1:5432: API benchmark on SQLite only"
          DIALECTS=sqlite run "4. API under load (SQLite only)" bash "$here/api/run.sh"
        fi
        ;;
      profile)
        run "5. CPU profile of the edge (REGISTER, 2 workers)" bash "$here/profile.sh" register 5000 10 2
        run "5. CPU profile of the edge (INVITE, 2 workers)" bash "$here/profile.sh" invite 1000 10 2
        ;;
      *) echo "unknown section $s (register invite algorithms scale api profile)" ;;
    esac
  done
  echo
  echo "finished $(date -u '+%Y-%m-%d %H:%M:%S UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
} 2>&1 | tee "$out"
echo "(written to $out)"
