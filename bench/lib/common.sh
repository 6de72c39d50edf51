# Shared helpers for GeoDns's benchmark scripts (sourced, not run).
#
# Everything a script starts goes through start_pinned/start_bg, which records the PID;
# bench_cleanup (installed as the EXIT/INT/TERM trap by bench_init) stops those PIDs and
# nothing else. Only 127.0.0.0/8 is ever used.

BENCH_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BENCH_ROOT="$(cd "$BENCH_LIB/.." && pwd)"
REPO_ROOT="$(cd "$BENCH_ROOT/.." && pwd)"
CLK_TCK="$(getconf CLK_TCK)"
LASTPID=""
declare -a BENCH_PIDS=()

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { echo "ERROR: $*" >&2; exit 1; }

need() { # cmd... -> exit 2 with the install hint when one is missing
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || {
      echo "missing: $c (apt-get install -y dnsperf knot nsd bind9-dnsutils; .NET 10 SDK for GeoDns)" >&2
      exit 2
    }
  done
}

bench_cleanup() {
  local p
  for p in "${BENCH_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    local alive=0
    for p in "${BENCH_PIDS[@]:-}"; do [ -n "$p" ] && kill -0 "$p" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.2
  done
  for p in "${BENCH_PIDS[@]:-}"; do [ -n "$p" ] && kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null; done
  BENCH_PIDS=()
}

bench_init() { # workdir: creates it, kills PIDs a previous interrupted run recorded there, installs traps
  BENCH_WORK="$1"
  if [ -d "$BENCH_WORK/pids" ]; then
    local f p
    for f in "$BENCH_WORK"/pids/*; do
      [ -f "$f" ] || continue
      p="$(cat "$f")"
      # only if it still looks like one of ours (same command line recorded at start)
      if [ -n "$p" ] && [ -f "$f.cmd" ] && [ "$( { tr '\0' ' ' < "/proc/$p/cmdline"; } 2>/dev/null)" = "$(cat "$f.cmd")" ]; then
        log "stopping leftover PID $p from an earlier run"; kill "$p" 2>/dev/null
      fi
    done
  fi
  rm -rf "$BENCH_WORK"; mkdir -p "$BENCH_WORK/pids"
  trap bench_cleanup EXIT
  trap 'echo "interrupted" >&2; bench_cleanup; exit 130' INT TERM
}

# start_pinned CPU NAME cmd... : runs cmd in the background pinned to CPU (stdout+stderr to
# $BENCH_WORK/NAME.out), records the PID in LASTPID. ENV=VAL words before the command are
# passed with env(1).
start_pinned() {
  local cpu="$1" name="$2"; shift 2
  taskset -c "$cpu" env "$@" >"$BENCH_WORK/$name.out" 2>&1 &
  local pid=$!
  BENCH_PIDS+=("$pid"); LASTPID="$pid"
  echo "$pid" > "$BENCH_WORK/pids/$name"
  sleep 0.05
  { tr '\0' ' ' < "/proc/$pid/cmdline"; } > "$BENCH_WORK/pids/$name.cmd" 2>/dev/null
}

# pin_threads PID CPU: re-applies the pin to every thread of PID. A server may set its own
# threads' affinity after start (Knot pins its UDP worker i to CPU i, i.e. worker 0 to CPU 0,
# the load generator's CPU, whatever taskset said), which the start pin does not prevent.
pin_threads() {
  taskset -a -p -c "$2" "$1" >/dev/null 2>&1 || log "could not re-pin the threads of PID $1 to CPU $2"
}

stop_pid() { # pid: SIGTERM, wait up to 5 s, then SIGKILL
  local pid="$1" i
  [ -z "$pid" ] && return
  kill "$pid" 2>/dev/null
  for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  local n=() p
  for p in "${BENCH_PIDS[@]:-}"; do [ -n "$p" ] && [ "$p" != "$pid" ] && n+=("$p"); done
  BENCH_PIDS=("${n[@]:-}")
}

# port_user PORT -> prints "udp"/"tcp" lines of sockets already bound to PORT (any address)
port_user() { ss -Hlnu "sport = :$1" 2>/dev/null; ss -Hlnt "sport = :$1" 2>/dev/null; }
port_busy() { [ -n "$(port_user "$1")" ]; }

# dig wrapper: one try, 1 s timeout, against 127.0.0.1:PORT
qdig() { local port="$1"; shift; dig +time=1 +tries=1 @127.0.0.1 -p "$port" "$@" 2>&1; }

# wait_soa PORT ZONE TIMEOUT_S -> 0 once ZONE SOA answers NOERROR with the SOA in the answer
wait_soa() {
  local port="$1" zone="$2" limit="$3" end
  end=$(( $(date +%s) + limit ))
  while [ "$(date +%s)" -lt "$end" ]; do
    if qdig "$port" "$zone" SOA +noall +comments +answer | grep -q 'status: NOERROR'; then return 0; fi
    sleep 0.05
  done
  return 1
}

# tree_ticks PID -> utime+stime (clock ticks) of PID and all its live descendants (threads included)
tree_ticks() {
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v root="$1" '
    { i = index($0, " ("); pid = substr($0, 1, i - 1)
      rest = $0; j = 0; while ((k = index(substr(rest, j + 1), ")")) > 0) j += k
      n = split(substr($0, j + 2), f, " ")
      par[pid] = f[2]; tk[pid] = f[12] + f[13] }
    END { s = 0
      for (p in tk) { q = p; d = 0
        while (q != "" && q > 1 && d < 64) { if (q == root) { s += tk[p]; break }; q = par[q]; d++ } }
      print s }'
}

# tree_pids PID -> PID and its live descendants, one per line
tree_pids() {
  cat /proc/[0-9]*/stat 2>/dev/null | awk -v root="$1" '
    { i = index($0, " ("); pid = substr($0, 1, i - 1)
      rest = $0; j = 0; while ((k = index(substr(rest, j + 1), ")")) > 0) j += k
      split(substr($0, j + 2), f, " "); par[pid] = f[2] }
    END { for (p in par) { q = p; d = 0
        while (q != "" && q > 1 && d < 64) { if (q == root) { print p; break }; q = par[q]; d++ } } }'
}

# mem_report PID -> "rss_mb hwm_mb tree_rss_mb tree_pss_mb" (main process VmRSS/VmHWM; sums over the tree)
mem_report() {
  local root="$1" p rss hwm trss=0 tpss=0 r s
  rss="$(awk '/^VmRSS:/{print $2}' "/proc/$root/status" 2>/dev/null)"
  hwm="$(awk '/^VmHWM:/{print $2}' "/proc/$root/status" 2>/dev/null)"
  for p in $(tree_pids "$root"); do
    r="$(awk '/^VmRSS:/{print $2}' "/proc/$p/status" 2>/dev/null)"; trss=$(( trss + ${r:-0} ))
    s="$(awk '/^Pss:/{print $2}' "/proc/$p/smaps_rollup" 2>/dev/null)"; tpss=$(( tpss + ${s:-0} ))
  done
  awk -v a="${rss:-0}" -v b="${hwm:-0}" -v c="$trss" -v d="$tpss" 'BEGIN{printf "%.1f %.1f %.1f %.1f\n", a/1024, b/1024, c/1024, d/1024}'
}

now_s() { echo "$EPOCHREALTIME"; }
fsub() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", a-b}'; }

# median of the numbers on stdin (one per line; non-numbers ignored)
median() {
  grep -E '^-?[0-9.]+$' | sort -g | awk '{a[NR]=$1} END{ if (NR==0) {print "?"; exit}
    if (NR%2) print a[(NR+1)/2]; else printf "%.4g\n", (a[NR/2]+a[NR/2+1])/2 }'
}

# geodns_dll -> path of the Release build (builds it when missing or older than the sources, unless
# NO_BUILD=1); GEODNS_DLL_PATH names another build instead (e.g. a ReadyToRun publish).
geodns_dll() {
  local dll="${GEODNS_DLL_PATH:-$REPO_ROOT/src/GeoDns/bin/Release/net10.0/geodns.dll}"
  if [ "${NO_BUILD:-0}" != 1 ] && [ -z "${GEODNS_DLL_PATH:-}" ]; then
    if [ ! -f "$dll" ] || [ -n "$(find "$REPO_ROOT/src" -name '*.cs' -newer "$dll" -print -quit)" ]; then
      log "building GeoDns (Release)"
      dotnet build "$REPO_ROOT/src/GeoDns" -c Release -v q -nologo >"$BENCH_WORK/build.out" 2>&1 \
        || { tail -30 "$BENCH_WORK/build.out" >&2; die "GeoDns build failed"; }
    fi
  fi
  [ -f "$dll" ] || die "no GeoDns build at $dll"
  echo "$dll"
}

# dnsperf_run PORT SECONDS OUTFILE: the mix in $WORK/queries.txt, dnsperf pinned to LOADGEN_CPU,
# over DNSPERF_MODE (udp unless set: dnsperf -m). QPS (environment, default unset) caps the rate
# (dnsperf -Q): every server then answers the same queries/s, so that CPU per query is compared
# at one load (it grows with the load on loopback).
dnsperf_run() {
  # shellcheck disable=SC2046
  timeout $(( $2 + QTIMEOUT + 20 )) taskset -c "$LOADGEN_CPU" \
    dnsperf -m "${DNSPERF_MODE:-udp}" -s 127.0.0.1 -p "$1" -d "$WORK/queries.txt" -l "$2" -c "$CLIENTS" -T 1 -q "$OUTSTANDING" -t "$QTIMEOUT" \
    $([ -n "${QPS:-}" ] && echo "-Q $QPS") > "$3" 2>&1
}

# measure_server ROUND NAME PORT VERIFY_CMD COMMAND...: start the server pinned to SERVER_CPU,
# wait for example.test SOA, pin all its threads to SERVER_CPU again (unless KEEP_AFFINITY=1), run VERIFY_CMD (a function taking name and port, or ":"), warm up,
# measure one dnsperf run and stop the server. Returns 1 when the port is taken (recorded in
# $RES/skipped.txt). Sets M_FILE M_SENT M_COMPL M_LOST M_QPS M_SERVFAIL M_CPUUS M_CPUPCT.
measure_server() {
  local round="$1" name="$2" port="$3" verify_cmd="$4" pid t0 t1 rt
  shift 4
  if port_busy "$port"; then
    log "PORT IN USE: 127.0.0.1:$port is already bound ($(port_user "$port" | awk '{print $1, $5}' | paste -sd' ' -)) - skipping $name; set BASE_PORT to move"
    echo "round $round: $name skipped, port $port in use" >> "$RES/skipped.txt"
    return 1
  fi
  start_pinned "$SERVER_CPU" "$name" "$@"; pid="$LASTPID"
  if ! wait_soa "$port" example.test 60; then
    tail -20 "$WORK/$name.out" >&2
    die "$name did not answer example.test SOA within 60 s"
  fi
  # KEEP_AFFINITY=1: leave the affinity the server gave its own threads (how every server ran
  # before 2026-11-30: Knot's UDP worker then shares the load generator's CPU).
  [ "${KEEP_AFFINITY:-0}" = 1 ] || pin_threads "$pid" "$SERVER_CPU"
  $verify_cmd "$name" "$port"
  dnsperf_run "$port" "$WARMUP" "$WORK/warmup-$name.txt"
  M_FILE="$RES/dnsperf-$name-r$round.txt"
  t0="$(tree_ticks "$pid")"
  dnsperf_run "$port" "$DURATION" "$M_FILE"
  t1="$(tree_ticks "$pid")"
  kill -0 "$pid" 2>/dev/null || die "$name exited during the run (log: $WORK/$name.out)"
  cp "$WORK/$name.out" "$RES/$name.log" 2>/dev/null
  stop_pid "$pid"
  M_SENT="$(awk '/Queries sent:/{print $3}' "$M_FILE")"
  M_COMPL="$(awk '/Queries completed:/{print $3}' "$M_FILE")"
  M_LOST="$(awk '/Queries lost:/{print $3}' "$M_FILE")"
  M_QPS="$(awk '/Queries per second:/{printf "%.0f", $4}' "$M_FILE")"
  M_SERVFAIL="$(awk '/Response codes:/{for (i = 1; i <= NF; i++) if ($i == "SERVFAIL") print $(i + 1)}' "$M_FILE")"
  M_SERVFAIL="${M_SERVFAIL:-0}"
  rt="$(awk '/Run time \(s\):/{print $4}' "$M_FILE")"
  [ -n "$M_COMPL" ] && [ "$M_COMPL" -gt 0 ] || die "$name: dnsperf reported no completed queries (see $M_FILE)"
  M_CPUUS="$(awk -v t="$((t1 - t0))" -v hz="$CLK_TCK" -v c="$M_COMPL" 'BEGIN{printf "%.2f", 1e6 * t / hz / c}')"
  M_CPUPCT="$(awk -v t="$((t1 - t0))" -v hz="$CLK_TCK" -v rt="${rt:-$DURATION}" 'BEGIN{printf "%.0f", 100 * t / hz / rt}')"
}
