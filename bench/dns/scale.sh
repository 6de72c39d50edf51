#!/usr/bin/env bash
# Large-zone benchmark: GeoDns vs Knot DNS vs NSD serving one zone of COUNT records.
#
# SERVER_CPU is a list of CPU sets (default "1 0-1": one core, then both cores, i.e. unpinned
#   on this 2-core machine); phases 1 and 2 run once per set and the summary has one table per
#   set. With a single CPU the load generators (dig, dnsperf) run on LOADGEN_CPU; with a
#   range they share the server's set.
# Phase 1 (load), ROUNDS interleaved rounds: start the server pinned to SERVER_CPU and poll
#   with dig every POLL_MS until big.test SOA answers NOERROR: "time to first answer" counts
#   from the launch of the process (runtime start-up and zone load included). The last record
#   is then checked, and after SETTLE_S seconds the memory is read from /proc: VmRSS and
#   VmHWM of the server process, and Pss summed over its process tree (NSD forks).
# Phase 2 (reload under load), GeoDns and Knot: while serving the zone, a new version (serial
#   + 1, h0's address changed) replaces the file and the reload is triggered (GeoDns: its
#   file watcher, or SIGHUP with RELOAD_TRIGGER=hup; Knot: knotc zone-reload). Meanwhile dig
#   polls SOA + one record every RELOAD_POLL_MS and dnsperf sends LOAD_QPS queries/s of random
#   names of the zone; every unanswered or failed query is reported.
#
# Usage: bench/dns/scale.sh
# Knobs: COUNT [1000000] records  MIX [mixed] (or "a": all A)  ROUNDS [3]  SETTLE_S [2]
#   POLL_MS [20]  LOAD_TIMEOUT_S [300]  SERVER_CPU ["1 0-1"]  LOADGEN_CPU [0]
#   SERVERS ["knot nsd geodns"]  GEODNS_THREADS [1]  GEODNS_ENV [""]
#   GEODNS_ALT [""] another GeoDns build run as server "geodns-alt" (add it to SERVERS), e.g. a
#       Native AOT executable next to the Release or ReadyToRun build named by GEODNS_DLL_PATH:
#       GEODNS_DLL_PATH=/tmp/r2r/geodns.dll GEODNS_ALT=/tmp/aot/geodns SERVERS="knot geodns geodns-alt"
#   RELOAD ["geodns knot"] (empty: skip phase 2)  RELOAD_TRIGGER [file] (file|hup)
#   RELOAD_POLL_MS [50]  RELOAD_TIMEOUT_S [120]  LOAD_QPS [3000] (0: no dnsperf during reload)
#   LOAD_WINDOW_S [60] dnsperf's run during the reload (starts 2 s before the trigger)
#   BASE_PORT [5450]  RES_DIR [/tmp/geodns-bench-results]  SCALE_WORK [/tmp/geodns-bench-scale]
#   NO_BUILD [0]  GC_PAUSES [0] (1: GeoDns's reload runs with bench/gcpauses as a startup hook,
#   which logs every collection's pause; the summary adds the longest pauses during the reload)
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/../lib/common.sh"
. "$HERE/data.sh"
. "$HERE/servers.sh"

COUNT="${COUNT:-1000000}"; ROUNDS="${ROUNDS:-3}"; SETTLE_S="${SETTLE_S:-2}"; POLL_MS="${POLL_MS:-20}"
LOAD_TIMEOUT_S="${LOAD_TIMEOUT_S:-300}"
SERVER_CPUS="${SERVER_CPU:-1 0-1}"; LOADGEN_CPUS="${LOADGEN_CPU:-0}"
SERVERS="${SERVERS:-knot nsd geodns}"; GEODNS_THREADS="${GEODNS_THREADS:-1}"; GEODNS_ENV="${GEODNS_ENV:-}"
RELOAD="${RELOAD-geodns knot}"; RELOAD_TRIGGER="${RELOAD_TRIGGER:-file}"
RELOAD_POLL_MS="${RELOAD_POLL_MS:-50}"; RELOAD_TIMEOUT_S="${RELOAD_TIMEOUT_S:-120}"; LOAD_QPS="${LOAD_QPS:-3000}"
LOAD_WINDOW_S="${LOAD_WINDOW_S:-60}"
BASE_PORT="${BASE_PORT:-5450}"
RES_DIR="${RES_DIR:-/tmp/geodns-bench-results}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RES="$RES_DIR/scale-$STAMP"
WORK="${SCALE_WORK:-/tmp/geodns-bench-scale}"
ZONE=big.test
SERIAL=2025010101

need dig knotd knotc nsd taskset timeout ss dotnet dnsperf
bench_init "$WORK"
mkdir -p "$RES" "$WORK/zones" "$WORK/next"
GEODNS_DLL="$(geodns_dll)"

log "generating $ZONE with $COUNT records (${MIX:-mixed})"
gen_big_zone "$COUNT" "$SERIAL" > "$WORK/zones/$ZONE.zone"
# next version for the reload: serial + 1 and h0 moved to 203.0.113.1
gen_big_zone "$COUNT" "$((SERIAL + 1))" | sed 's/^h0 IN A .*/h0 IN A 203.0.113.1/' > "$WORK/next/$ZONE.zone"
cp "$WORK/zones/$ZONE.zone" "$WORK/original.zone"
ZONE_MB="$(du -m "$WORK/zones/$ZONE.zone" | cut -f1)"
ZONE_LINES="$(wc -l < "$WORK/zones/$ZONE.zone")"
# the last record and its type, to check that the whole zone is served
LAST="h$((COUNT - 1)).$ZONE"
LAST_TYPE="$(awk -v o="h$((COUNT - 1))" '$1 == o {print $3; exit}' "$WORK/zones/$ZONE.zone")"
LAST_DATA="$(awk -v o="h$((COUNT - 1))" '$1 == o {$1 = $2 = $3 = ""; sub(/^ +/, ""); print; exit}' "$WORK/zones/$ZONE.zone")"
# queries for dnsperf during the reload: 10,000 random existing names with their type
awk -v n="$COUNT" -v m="${MIX:-mixed}" 'BEGIN { srand(11); for (i = 0; i < 10000; i++) { k = int(rand() * n); t = (m == "a") ? 0 : k % 10
  print "h" k ".big.test " (t <= 6 ? "A" : t == 7 ? "AAAA" : t == 8 ? "CNAME" : "TXT") } }' > "$WORK/reload-queries.txt"

server_entry() { # name -> "port|command"
  case "$1" in
    knot)   echo "$((BASE_PORT+1))|$(knot_setup "$WORK/knot" $((BASE_PORT+1)) "$ZONE" "$WORK/zones/$ZONE.zone")";;
    nsd)    echo "$((BASE_PORT+2))|$(nsd_setup "$WORK/nsd" $((BASE_PORT+2)) "$ZONE" "$WORK/zones/$ZONE.zone")";;
    geodns) echo "$((BASE_PORT+10))|$GEODNS_ENV ${GEODNS_EXTRA_ENV:-} $(geodns_cmd "$WORK/zones" $((BASE_PORT+10)) "$GEODNS_THREADS")";;
    geodns-alt) [ -n "${GEODNS_ALT:-}" ] || return 1
      echo "$((BASE_PORT+11))|$GEODNS_ENV ${GEODNS_EXTRA_ENV:-} $(GEODNS_DLL="$GEODNS_ALT" geodns_cmd "$WORK/zones" $((BASE_PORT+11)) "$GEODNS_THREADS")";;
    *) return 1;;
  esac
}
for s in $SERVERS $RELOAD; do server_entry "$s" >/dev/null || die "unknown server '$s' (knot nsd geodns; geodns-alt with GEODNS_ALT set)"; done

{ server_versions; echo "zone: $ZONE, $COUNT records (+SOA, 2 NS, 2 A), ${MIX:-mixed} mix, $ZONE_LINES lines, $ZONE_MB MB"
  echo "GEODNS_ENV=${GEODNS_ENV:-<none>} GEODNS_THREADS=$GEODNS_THREADS GEODNS_DLL=$GEODNS_DLL GEODNS_ALT=${GEODNS_ALT:-<none>}"; } > "$RES/versions.txt"
: > "$RES/load.tsv"; : > "$RES/skipped.txt"
# use_cpus SET: the server's CPU set, and the load generators' (LOADGEN_CPU beside one core,
# the same cores when the server has several)
use_cpus() {
  SERVER_CPU="$1"
  case "$1" in *[-,]*) LOADGEN_CPU="$1";; *) LOADGEN_CPU="$LOADGEN_CPUS";; esac
}

# start NAME; sets PID/PORT/T0 or returns 1 (port in use)
start_server() {
  local name="$1" entry cmd
  entry="$(server_entry "$name")"; PORT="${entry%%|*}"; cmd="${entry#*|}"
  if port_busy "$PORT"; then
    log "PORT IN USE: 127.0.0.1:$PORT is already bound ($(port_user "$PORT" | awk '{print $1, $5}' | paste -sd' ' -)) - skipping $name; set BASE_PORT to move"
    echo "$name: port $PORT in use, skipped" >> "$RES/skipped.txt"; return 1
  fi
  T0="$(now_s)"
  # shellcheck disable=SC2086
  start_pinned "$SERVER_CPU" "$name" $cmd; PID="$LASTPID"
}

# wait_first_answer -> sets T1 (first NOERROR for the SOA) or returns 1
wait_first_answer() {
  local end out
  end=$(( $(date +%s) + LOAD_TIMEOUT_S ))
  while [ "$(date +%s)" -lt "$end" ]; do
    out="$(qdig "$PORT" "$ZONE" SOA +noall +comments)"
    if echo "$out" | grep -q 'status: NOERROR'; then T1="$(now_s)"; return 0; fi
    kill -0 "$PID" 2>/dev/null || return 1
    sleep "$(awk -v m="$POLL_MS" 'BEGIN{print m / 1000}')"
  done
  return 1
}

check_last() { # -> 0 when the last record answers its data
  local got
  got="$(qdig "$PORT" "$LAST" "$LAST_TYPE" +short | head -1)"
  [ "$got" = "$LAST_DATA" ] || [ "$got" = "$LAST_DATA." ] || { log "$LAST $LAST_TYPE answered '$got', expected '$LAST_DATA'"; return 1; }
}

load_one() { # round name
  local round="$1" name="$2" ticks secs mem
  start_server "$name" || return
  if ! wait_first_answer; then
    tail -20 "$WORK/$name.out" >&2; die "$name did not answer $ZONE SOA within $LOAD_TIMEOUT_S s"
  fi
  secs="$(fsub "$T1" "$T0")"
  ticks="$(tree_ticks "$PID")"
  check_last || die "$name does not serve the last record of the zone correctly"
  sleep "$SETTLE_S"
  mem="$(mem_report "$PID")"
  cp "$WORK/$name.out" "$RES/$name-load-r$round.log"
  stop_pid "$PID"
  local cpu; cpu="$(awk -v t="$ticks" -v hz="$CLK_TCK" 'BEGIN{printf "%.2f", t / hz}')"
  # shellcheck disable=SC2086
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$round" "$secs" "$cpu" $mem "$SERVER_CPU" >> "$RES/load.tsv"
  set -- $mem
  log "$name round $round (CPU $SERVER_CPU): first answer after ${secs} s (CPU ${cpu} s), VmRSS $1 MB, VmHWM $2 MB, tree RSS $3 MB, tree Pss $4 MB"
}

# ---------------------------------------------------------------- phase 1
for cpus in $SERVER_CPUS; do
  use_cpus "$cpus"
  for round in $(seq 1 "$ROUNDS"); do
    for s in $SERVERS; do load_one "$round" "$s"; done
  done
done

# ---------------------------------------------------------------- phase 2
reload_one() { # name
  local name="$1" poller="" perf="" trig t_new="" hwm0 mem
  cp "$WORK/original.zone" "$WORK/zones/$ZONE.zone"
  local GEODNS_EXTRA_ENV=""
  [ "$name" = geodns ] && [ "$RELOAD_TRIGGER" = hup ] && GEODNS_EXTRA_ENV="GEODNS_WatchZones=false"
  local pauses="$WORK/gc-pauses.tsv"; rm -f "$pauses"
  [ "$name" = geodns ] && [ -n "$GC_HOOK" ] && GEODNS_EXTRA_ENV="$GEODNS_EXTRA_ENV DOTNET_STARTUP_HOOKS=$GC_HOOK GC_PAUSE_LOG=$pauses"
  start_server "$name" || return
  wait_first_answer || { tail -20 "$WORK/$name.out" >&2; die "$name did not start for the reload test"; }
  check_last || die "$name does not serve the last record"
  sleep "$SETTLE_S"
  hwm0="$(mem_report "$PID")"
  local polls="$WORK/polls-$name.tsv"; : > "$polls"
  # dig poller: every RELOAD_POLL_MS one dig with two queries (SOA serial, h0 A); logs the
  # start time, the wall time of the dig process (ms), and its output (answers + query times)
  local pause; pause="$(awk -v m="$RELOAD_POLL_MS" 'BEGIN{print m / 1000}')"
  (
    trap 'exit 0' TERM
    while :; do
      a="$EPOCHREALTIME"
      out="$(taskset -c "$LOADGEN_CPU" dig +time=1 +tries=1 @127.0.0.1 -p "$PORT" "$ZONE" SOA +noall +answer +stats \
             h0."$ZONE" A +noall +answer +stats 2>&1 | grep -v '^;; \(SERVER\|WHEN\|MSG\)' | tr '\n\t' '  ')"
      b="$EPOCHREALTIME"
      printf '%s\t%s\t%s \n' "$a" "$(( (${b/./} - ${a/./}) / 1000 ))" "$out" >> "$polls"
      sleep "$pause"
    done
  ) &
  poller=$!; BENCH_PIDS+=("$poller")
  if [ "$LOAD_QPS" -gt 0 ]; then
    taskset -c "$LOADGEN_CPU" timeout $((LOAD_WINDOW_S + 30)) dnsperf -s 127.0.0.1 -p "$PORT" -d "$WORK/reload-queries.txt" \
      -l "$LOAD_WINDOW_S" -Q "$LOAD_QPS" -c 1 -T 1 -t 2 > "$RES/dnsperf-reload-$name.txt" 2>&1 &
    perf=$!; BENCH_PIDS+=("$perf")
  fi
  sleep 2
  trig="$(now_s)"
  case "$name" in
    geodns)
      mv "$WORK/next/$ZONE.zone" "$WORK/zones/$ZONE.zone"     # rename = a change the watcher sees
      [ "$RELOAD_TRIGGER" = hup ] && kill -HUP "$PID";;
    knot)
      mv "$WORK/next/$ZONE.zone" "$WORK/zones/$ZONE.zone"
      knotc -c "$WORK/knot/knot.conf" zone-reload "$ZONE" > "$WORK/knotc.out" 2>&1 || { cat "$WORK/knotc.out" >&2; die "knotc zone-reload failed"; };;
    *) die "no reload method for $name";;
  esac
  # wait for the new serial (bounded), then keep polling 2 s more
  local end=$(( $(date +%s) + RELOAD_TIMEOUT_S ))
  while [ "$(date +%s)" -lt "$end" ]; do
    t_new="$(awk -F'\t' -v t="$trig" -v s="$((SERIAL + 1))" '$1 >= t && index($3, " " s " ") { printf "%.3f\n", $1 + $2 / 1000; exit }' "$polls")"
    [ -n "$t_new" ] && break
    sleep 0.2
  done
  sleep 2
  # dnsperf runs its whole window (not interrupted: queries in flight at an interruption would
  # count as lost); the dig poller runs until then too
  [ -n "$perf" ] && { wait "$perf" 2>/dev/null; local n=() p; for p in "${BENCH_PIDS[@]}"; do [ "$p" != "$perf" ] && n+=("$p"); done; BENCH_PIDS=("${n[@]}"); }
  local hwm1; hwm1="$(mem_report "$PID")"
  kill "$poller" 2>/dev/null; wait "$poller" 2>/dev/null
  cp "$WORK/$name.out" "$RES/$name-reload.log"
  stop_pid "$PID"
  # restore the next version for a later server
  gen_big_zone "$COUNT" "$((SERIAL + 1))" | sed 's/^h0 IN A .*/h0 IN A 203.0.113.1/' > "$WORK/next/$ZONE.zone"
  cp "$polls" "$RES/"
  # analysis: a poll is good when both answers are present and consistent (old serial with
  # old h0, or new serial with new h0)
  local old_ok new_ok bad slow maxms total
  read -r total old_ok new_ok bad maxms maxwall < <(awk -F'\t' -v s0="$SERIAL" -v s1="$((SERIAL + 1))" '
    { n++; if ($2 > mw) mw = $2
      rest = $3; while ((i = index(rest, "Query time: ")) > 0) { rest = substr(rest, i + 12); q = rest + 0; if (q > mq) mq = q }
      if (index($3, " " s0 " ") && index($3, "198.51.0.1 ")) o++
      else if (index($3, " " s1 " ") && index($3, "203.0.113.1 ")) w++
      else { b++; print "BAD poll at " $1 ": " $3 > "/dev/stderr" } }
    END { print n + 0, o + 0, w + 0, b + 0, mq + 0, mw + 0 }' "$polls" 2>"$RES/bad-polls-$name.txt")
  local took="none within ${RELOAD_TIMEOUT_S} s"; [ -n "$t_new" ] && took="$(fsub "$t_new" "$trig") s"
  local plost="-" psent="-" pmax="-"
  if [ -n "$perf" ]; then
    psent="$(awk '/Queries sent:/{print $3}' "$RES/dnsperf-reload-$name.txt")"
    plost="$(awk '/Queries lost:/{print $3}' "$RES/dnsperf-reload-$name.txt")"
    pmax="$(awk '/Average Latency/{gsub(/[),]/, "", $8); printf "%.1f", $8 * 1000}' "$RES/dnsperf-reload-$name.txt")"
    local rc; rc="$(awk '/Response codes:/{$1 = $2 = ""; sub(/^ +/, ""); print}' "$RES/dnsperf-reload-$name.txt")"
  fi
  printf '| %s | %s | %s | %s | %s old + %s new, %s bad | %s ms) | %s / %s (%s) | %s ms | %s | %s |\n' \
    "$SERVER_CPU" "$name" "$( [ "$name" = geodns ] && echo "$RELOAD_TRIGGER" || echo "knotc zone-reload")" "$took" "$old_ok" "$new_ok" "$bad" "$maxms ms ($maxwall" \
    "${plost:-?}" "${psent:-?}" "${rc:-}" "${pmax:-?}" "$(echo "$hwm0" | awk '{print $2}') MB" "$(echo "$hwm1" | awk '{print $2}') MB" >> "$RES/reload.md"
  if [ -s "$pauses" ]; then # the collections from the trigger on: count, total, longest five (ms, generation)
    cp "$pauses" "$RES/gc-pauses-cpu$SERVER_CPU.tsv"
    awk -F'\t' -v t="$trig" -v c="$SERVER_CPU" '$1 >= t { n++; s += $5; print $5 "\t" $3 }
      END { printf "%s\t%d\t%.0f\n", c, n, s > "/dev/stderr" }' "$pauses" 2>"$WORK/gc-sum" | sort -rn | head -5 \
      | awk -F'\t' '{ printf "%s%.0f ms (gen%s)", (NR > 1 ? ", " : ""), $1, $2 }' > "$WORK/gc-top"
    read -r _ gcn gcs < "$WORK/gc-sum"
    echo "| $SERVER_CPU | $gcn | $gcs ms | $(cat "$WORK/gc-top") |" >> "$RES/gc-pauses.md"
    log "geodns collections from the reload's trigger on (CPU $SERVER_CPU): $gcn, $gcs ms in total, longest $(cat "$WORK/gc-top")"
  fi
  log "$name reload (CPU $SERVER_CPU): new serial after $took; polls: $total ($old_ok old, $new_ok new, $bad bad, slowest dig query ${maxms} ms, slowest dig process ${maxwall} ms); dnsperf lost ${plost}/${psent}, max latency ${pmax} ms; VmHWM $(echo "$hwm0" | awk '{print $2}') -> $(echo "$hwm1" | awk '{print $2}') MB"
}

GC_HOOK=""
if [ "${GC_PAUSES:-0}" = 1 ] && [ -n "$RELOAD" ]; then
  dotnet build "$REPO_ROOT/bench/gcpauses" -c Release -o "$WORK/gcpauses" -v q -nologo > "$WORK/gcpauses-build.out" 2>&1 \
    || { tail -20 "$WORK/gcpauses-build.out" >&2; die "bench/gcpauses build failed"; }
  GC_HOOK="$WORK/gcpauses/GcPauses.dll"
  { echo "| CPUs | collections | total pause | longest pauses |"; echo "|---|---|---|---|"; } > "$RES/gc-pauses.md"
fi
if [ -n "$RELOAD" ]; then
  {
    echo "| CPUs | server | trigger | trigger -> new serial | dig polls every ${RELOAD_POLL_MS} ms | slowest dig query (process) | dnsperf lost / sent (rcodes) at ${LOAD_QPS} q/s | dnsperf max latency | VmHWM before | VmHWM after |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
  } > "$RES/reload.md"
  for cpus in $SERVER_CPUS; do
    use_cpus "$cpus"
    for s in $RELOAD; do reload_one "$s"; done
  done
fi

# ---------------------------------------------------------------- summary
{
  echo "# Large zone: $COUNT records ($STAMP)"
  echo
  echo "Zone $ZONE: $ZONE_LINES lines, $ZONE_MB MB (${MIX:-mixed}: per 10 names 7 A, 1 AAAA, 1 CNAME, 1 TXT unless MIX=a). Servers pinned to each CPU set of \"$SERVER_CPUS\" in turn (this machine: $(nproc) CPUs); dig polls every $POLL_MS ms from the launch of the process."
  echo "GeoDns: Release build, --udp-threads $GEODNS_THREADS, environment: ${GEODNS_ENV:-none beyond the runtimeconfig}."
  echo "Memory read ${SETTLE_S} s after the first answer. VmRSS/VmHWM: the server's main process (for NSD that is the parent; the zone lives in the forked server child, so compare NSD by the tree Pss). Pss sums proportional set size over the process tree (shared pages counted once)."
  echo
  for cpus in $SERVER_CPUS; do
  awk -F'\t' -v c="$cpus" '$9 == c' "$RES/load.tsv" > "$WORK/load-cpus.tsv"
  echo
  echo "### Servers on CPU $cpus"
  echo
  echo "| server | median time to first answer (s) | per round | median CPU s until then | median VmRSS (MB) | median VmHWM (MB) | median tree Pss (MB) | time / knot | CPU / knot | Pss / knot | VmRSS / knot |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  kc="$(awk -F'\t' '$1 == "knot" {print $4}' "$WORK/load-cpus.tsv" | median)"
  kt="$(awk -F'\t' '$1 == "knot" {print $3}' "$WORK/load-cpus.tsv" | median)"
  kr="$(awk -F'\t' '$1 == "knot" {print $8}' "$WORK/load-cpus.tsv" | median)"
  kv="$(awk -F'\t' '$1 == "knot" {print $5}' "$WORK/load-cpus.tsv" | median)"
  for s in $SERVERS; do
    awk -F'\t' -v s="$s" '$1 == s' "$WORK/load-cpus.tsv" > "$WORK/rows"
    [ -s "$WORK/rows" ] || { echo "| $s | not measured | | | | | | | | | |"; continue; }
    t="$(cut -f3 "$WORK/rows" | median)"; c="$(cut -f4 "$WORK/rows" | median)"
    r="$(cut -f5 "$WORK/rows" | median)"; h="$(cut -f6 "$WORK/rows" | median)"; p="$(cut -f8 "$WORK/rows" | median)"
    per="$(cut -f3 "$WORK/rows" | paste -sd' ' -)"
    rt="-"; rr="-"; rc="-"; rv="-"
    if [ "$s" != knot ] && [ "$kt" != "?" ]; then
      rt="$(awk -v a="$t" -v b="$kt" 'BEGIN{printf "%.2f", a / b}')"; rc="$(awk -v a="$c" -v b="$kc" 'BEGIN{printf "%.2f", a / b}')"; rr="$(awk -v a="$p" -v b="$kr" 'BEGIN{printf "%.2f", a / b}')"
      rv="$(awk -v a="$r" -v b="$kv" 'BEGIN{printf "%.2f", a / b}')"
    fi
    echo "| $s | $t | $per | $c | $r | $h | $p | $rt | $rc | $rr | $rv |"
  done
  done
  if [ -f "$RES/reload.md" ]; then
    echo
    echo "## Reload while serving (new version: serial + 1, h0 A changed)"
    echo
    cat "$RES/reload.md"
    echo
    echo "A dig poll is bad when it got no answer, an error, or a mix of old and new data. Bad polls, if any: bad-polls-*.txt."
    if [ -f "$RES/gc-pauses.md" ]; then
      echo
      echo "GeoDns's garbage collections from the reload's trigger to the end of the dnsperf window (GC_PAUSES=1; every pause in gc-pauses-cpu*.tsv: time, number, generation, type, ms):"
      echo
      cat "$RES/gc-pauses.md"
    fi
  fi
  [ -s "$RES/skipped.txt" ] && { echo; echo "Skipped:"; cat "$RES/skipped.txt"; }
} > "$RES/summary.md"
ln -sfn "scale-$STAMP" "$RES_DIR/scale-latest"
echo; cat "$RES/versions.txt"; echo; cat "$RES/summary.md"; echo; echo "results: $RES"
