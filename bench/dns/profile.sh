#!/usr/bin/env bash
# CPU profile of GeoDns's UDP query path under the load of run.sh.
#
# Starts GeoDns (Release build, DOTNET_PerfMapEnabled=1 and DOTNET_EnableWriteXorExecute=0 so
# JIT-compiled frames have names)
# on example.test pinned to SERVER_CPU, warms it up with dnsperf (pinned to LOADGEN_CPU) and
# records `perf record -g` of the server process during one dnsperf run. Writes to RES:
#   top.txt   the top entries by self time (perf report --no-children)
#   split.txt user vs kernel share of the samples
#   perf.data the recording (perf report -i RES/perf.data for more)
#
# Usage: bench/dns/profile.sh            SERVER=knot bench/dns/profile.sh (the same for Knot)
# Knobs: SERVER [geodns] (or knot)  DURATION [8] s  WARMUP [3] s  THREADS [1] (--udp-threads)  SERVER_CPU [1]
#   KEEP_AFFINITY [0] (1: do not re-pin the server's threads after start; see pin_threads)
#   LOADGEN_CPU [0]  CLIENTS [4]  OUTSTANDING [200]  QTIMEOUT [2]  PORT [5490]  TOP [15]
#   GEODNS_ENV [""] extra environment  RES [/tmp/geodns-bench-results/profile-<stamp>]
#   WORK [/tmp/geodns-bench-profile]  NO_BUILD [0]
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/../lib/common.sh"
. "$HERE/data.sh"
. "$HERE/servers.sh"

DURATION="${DURATION:-8}"; WARMUP="${WARMUP:-3}"; THREADS="${THREADS:-1}"
SERVER_CPU="${SERVER_CPU:-1}"; LOADGEN_CPU="${LOADGEN_CPU:-0}"
CLIENTS="${CLIENTS:-4}"; OUTSTANDING="${OUTSTANDING:-200}"; QTIMEOUT="${QTIMEOUT:-2}"
SERVER="${SERVER:-geodns}"; PORT="${PORT:-5490}"; TOP="${TOP:-15}"; GEODNS_ENV="${GEODNS_ENV:-}"
RES="${RES:-/tmp/geodns-bench-results/profile-$(date -u +%Y%m%dT%H%M%SZ)}"
WORK="${WORK:-/tmp/geodns-bench-profile}"

need perf dnsperf dig taskset timeout ss dotnet
bench_init "$WORK"
mkdir -p "$RES" "$WORK/zones"
gen_example_zone > "$WORK/zones/example.test.zone"
gen_example_mix > "$WORK/queries.txt"
GEODNS_DLL="$(geodns_dll)"
port_busy "$PORT" && die "port $PORT is in use; set PORT"

case "$SERVER" in
  # shellcheck disable=SC2046,SC2086
  geodns) start_pinned "$SERVER_CPU" server DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 $GEODNS_ENV $(geodns_cmd "$WORK/zones" "$PORT" "$THREADS");;
  # shellcheck disable=SC2046
  knot) start_pinned "$SERVER_CPU" server $(knot_setup "$WORK/knot" "$PORT" example.test "$WORK/zones/example.test.zone");;
  *) die "SERVER must be geodns or knot";;
esac
pid="$LASTPID"
wait_soa "$PORT" example.test 60 || { tail -20 "$WORK/server.out" >&2; die "$SERVER did not answer"; }
[ "${KEEP_AFFINITY:-0}" = 1 ] || pin_threads "$pid" "$SERVER_CPU"
dnsperf_run "$PORT" "$WARMUP" "$WORK/warmup.txt"

perf record -g -o "$RES/perf.data" -p "$pid" -- sleep $((DURATION + 1)) > "$WORK/perf.out" 2>&1 &
perf_pid=$!; BENCH_PIDS+=("$perf_pid")
sleep 0.5
t0="$(tree_ticks "$pid")"
dnsperf_run "$PORT" "$DURATION" "$RES/dnsperf.txt"
t1="$(tree_ticks "$pid")"
wait "$perf_pid"
stop_pid "$pid"

perf report -i "$RES/perf.data" --no-children --sort symbol --stdio -g none 2>/dev/null \
  | grep -E '^ +[0-9]' | head -n "$TOP" > "$RES/top.txt"
perf report -i "$RES/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null \
  | grep -E '^ +[0-9]' > "$RES/dso.txt"
perf report -i "$RES/perf.data" --no-children --sort symbol --stdio -g none 2>/dev/null \
  | grep -E '^ +[0-9]' | awk '{ p = $1; sub("%", "", p); if ($2 == "[k]") k += p; else u += p }
      END { printf "kernel %.1f%%  user %.1f%%\n", k, u }' > "$RES/split.txt"
answered="$(awk '/Queries completed:/{print $3}' "$RES/dnsperf.txt")"
echo "$SERVER: $(awk '/Queries per second:/{printf "%.0f", $4}' "$RES/dnsperf.txt") q/s, \
$(awk -v t="$((t1 - t0))" -v hz="$CLK_TCK" -v c="$answered" 'BEGIN{printf "%.2f", 1e6 * t / hz / c}') µs CPU per answered query (under perf)" | tee "$RES/cpu.txt"
cat "$RES/split.txt"; echo; cat "$RES/dso.txt" | head -8; echo; cat "$RES/top.txt"
echo "results: $RES"
