#!/usr/bin/env bash
# Query-path benchmark: GeoDns vs Knot DNS vs NSD on one static zone and one query mix.
#
# Each server in turn serves example.test on 127.0.0.1, pinned to SERVER_CPU; dnsperf, pinned
# to LOADGEN_CPU, sends the 200-line mix. Rounds interleave the servers; the summary gives
# medians and GeoDns's ratio to Knot. The figure to compare is server CPU time per answered
# query (utime+stime of the server's process tree from /proc over the dnsperf run, divided by
# the queries dnsperf got answers for): on 2 cores one dnsperf thread often limits queries/s.
#
# Usage: bench/dns/run.sh
# Knobs (environment, defaults in brackets):
#   ROUNDS [3]  DURATION [10] s per dnsperf run  WARMUP [2] s of dnsperf before each run
#   CLIENTS [4] (dnsperf -c)  OUTSTANDING [200] (-q)  QTIMEOUT [2] (-t)
#   TRANSPORT [udp]  udp, tcp (dnsperf -m tcp: CLIENTS connections, queries pipelined on each) or
#       both: every server runs once per transport in each round; the summary gives each
#       transport's CPU per query and its ratio to Knot over the same transport
#   SERVER_CPU [1]  LOADGEN_CPU [0]: every thread of a server is pinned again once it answers, as
#       Knot sets its UDP worker i's affinity to CPU i itself (worker 0 would share dnsperf's CPU 0)
#   SERVERS ["knot nsd geodns"] (also knot-own-affinity: Knot with the affinity it gives its own threads)   GEODNS_VARIANTS ["1 2"]: one GeoDns run per entry, each
#       "THREADS" or "THREADS:VAR=VALUE,VAR=VALUE" (--udp-threads and extra environment, e.g.
#       "1:DOTNET_TieredCompilation=0"); DLL=PATH runs another build, e.g. "1 1:DLL=/tmp/old/geodns.dll"
#       compares this tree with an older commit in the same interleaved rounds
#   GEODNS_ENV [""]  environment for every GeoDns run, e.g. "DOTNET_TieredPGO=0"
#   METRICS_MODE [off]  off: GeoDns as above (no admin API, so no metrics). both: every GeoDns variant
#       runs twice in each round, "NAME-metrics-on" (admin API on, metrics collected) and
#       "NAME-metrics-off" (admin API on, GEODNS_METRICS=off), both scraped at /metrics every
#       SCRAPE_EVERY [5] s during the run (the "off" one answers 404); the summary compares their
#       CPU per query. on: only the metrics-on runs. Admin ports are BASE_PORT+40, +41, ...
#   BASE_PORT [5400] knot BASE+1, nsd BASE+2, GeoDns variants BASE+10, +11, ...
#   RES_DIR [/tmp/geodns-bench-results]  NO_BUILD [0] (1: use the existing Release build as is)
#   WORK [/tmp/geodns-bench-dns] scratch directory (configs, PIDs): give concurrent runs their own
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/../lib/common.sh"
. "$HERE/data.sh"
. "$HERE/servers.sh"

ROUNDS="${ROUNDS:-3}"; DURATION="${DURATION:-10}"; WARMUP="${WARMUP:-2}"
CLIENTS="${CLIENTS:-4}"; OUTSTANDING="${OUTSTANDING:-200}"; QTIMEOUT="${QTIMEOUT:-2}"
SERVER_CPU="${SERVER_CPU:-1}"; LOADGEN_CPU="${LOADGEN_CPU:-0}"
SERVERS="${SERVERS:-knot nsd geodns}"; GEODNS_VARIANTS="${GEODNS_VARIANTS:-1 2}"; GEODNS_ENV="${GEODNS_ENV:-}"
METRICS_MODE="${METRICS_MODE:-off}"; SCRAPE_EVERY="${SCRAPE_EVERY:-5}"
case "$METRICS_MODE" in off|on|both) ;; *) echo "METRICS_MODE must be off, on or both" >&2; exit 2;; esac
TRANSPORT="${TRANSPORT:-udp}"
case "$TRANSPORT" in udp|tcp) TRANSPORTS="$TRANSPORT";; both) TRANSPORTS="udp tcp";; *) echo "TRANSPORT must be udp, tcp or both" >&2; exit 2;; esac
BASE_PORT="${BASE_PORT:-5400}"
RES_DIR="${RES_DIR:-/tmp/geodns-bench-results}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RES="$RES_DIR/dns-$STAMP"
WORK="${WORK:-/tmp/geodns-bench-dns}"

need dnsperf dig knotd nsd taskset timeout ss dotnet
[ "$METRICS_MODE" = off ] || need curl
[ "$(nproc)" -gt "$((SERVER_CPU > LOADGEN_CPU ? SERVER_CPU : LOADGEN_CPU))" ] || die "CPU $SERVER_CPU/$LOADGEN_CPU not present ($(nproc) CPUs)"
bench_init "$WORK"
mkdir -p "$RES" "$WORK/zones"
gen_example_zone > "$WORK/zones/example.test.zone"
gen_example_mix > "$WORK/queries.txt"
cp "$WORK/zones/example.test.zone" "$WORK/queries.txt" "$RES/"
GEODNS_DLL="$(geodns_dll)"

# ---- the server list: name|port|command|admin port (ENV=VAL words may precede the command)
declare -a LIST=()
admin_i=0
for s in $SERVERS; do
  case "$s" in
    knot) LIST+=("knot|$((BASE_PORT+1))|$(knot_setup "$WORK/knot" $((BASE_PORT+1)) example.test "$WORK/zones/example.test.zone")");;
    knot-own-affinity) LIST+=("knot-own-affinity|$((BASE_PORT+3))|$(knot_setup "$WORK/knot-own" $((BASE_PORT+3)) example.test "$WORK/zones/example.test.zone")");;
    nsd)  LIST+=("nsd|$((BASE_PORT+2))|$(nsd_setup "$WORK/nsd" $((BASE_PORT+2)) example.test "$WORK/zones/example.test.zone")");;
    geodns)
      i=0
      for v in $GEODNS_VARIANTS; do
        threads="${v%%:*}"; extra=""; name="geodns-t$threads"; dll="$GEODNS_DLL"
        if [ "$v" != "$threads" ]; then extra="${v#*:}"; extra="${extra//,/ }"; fi
        # DLL=PATH in a variant runs another build (e.g. an older commit) in the same rounds.
        for word in $extra; do case "$word" in DLL=*) dll="${word#DLL=}";; esac; done
        extra="$(for word in $extra; do case "$word" in DLL=*) ;; *) printf '%s ' "$word";; esac; done)"
        [ "$dll" != "$GEODNS_DLL" ] && name="$name-$(basename "$(dirname "$dll")")"
        [ -n "${extra// /}" ] && name="$name-$(echo "$extra" | sed 's/DOTNET_//g; s/ *$//; s/ /-/g')"
        port=$((BASE_PORT+10+i)); i=$((i+1))
        if [ "$METRICS_MODE" = off ]; then
          LIST+=("$name|$port|$GEODNS_ENV $extra $(GEODNS_DLL="$dll" geodns_cmd "$WORK/zones" "$port" "$threads")")
          continue
        fi
        for m in on off; do
          [ "$METRICS_MODE" = on ] && [ "$m" = off ] && continue
          admin=$((BASE_PORT+40+admin_i)); admin_i=$((admin_i+1))
          menv="GEODNS_ADMIN=127.0.0.1:$admin"; [ "$m" = off ] && menv="$menv GEODNS_METRICS=off"
          LIST+=("$name-metrics-$m|$port|$GEODNS_ENV $extra $menv $(GEODNS_DLL="$dll" geodns_cmd "$WORK/zones" "$port" "$threads")|$admin")
        done
      done;;
    *) die "unknown server '$s' (knot knot-own-affinity nsd geodns)";;
  esac
done

{ server_versions; echo "GEODNS_ENV=${GEODNS_ENV:-<none>} GEODNS_VARIANTS=$GEODNS_VARIANTS"; } > "$RES/versions.txt"
: > "$RES/verify.txt"; : > "$RES/raw.tsv"; : > "$RES/skipped.txt"

# ---- answer checks: status + sorted answer section of every distinct query of the mix.
# The first server checked is the reference; any later difference aborts the run.
answers_of() { # port -> one line per distinct query: "QUERY => STATUS | answers"
  local port="$1" q out st an
  sort -u "$WORK/queries.txt" | while read -r q; do
    out="$(qdig "$port" $q +noall +comments +answer)"
    st="$(echo "$out" | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -1)"
    an="$(echo "$out" | grep -v '^;' | grep -v '^$' | awk '{print $1, $4, $5, $6, $7}' | sort | paste -sd ';' -)"
    echo "$q => ${st:-NO_RESPONSE} | $an"
  done
}

verify() { # name port -> dies when an answer is wrong
  local name="$1" port="$2" got
  got="$(answers_of "$port")"
  { echo "== $name"; echo "$got"; } >> "$RES/verify.txt"
  qdig "$port" example.test SOA +noall +comments | grep -q 'status: NOERROR' || die "$name: example.test SOA is not NOERROR"
  [ "$(qdig "$port" www.example.test A +short | sort | paste -sd, -)" = "192.0.2.1,192.0.2.2" ] || die "$name: www.example.test A is not 192.0.2.1,192.0.2.2"
  qdig "$port" nx1.example.test A +noall +comments | grep -q 'status: NXDOMAIN' || die "$name: nx1.example.test A is not NXDOMAIN"
  if [ ! -f "$WORK/reference.txt" ]; then
    echo "$got" > "$WORK/reference.txt"; REFNAME="$name"
    grep -q 'NO_RESPONSE' "$WORK/reference.txt" && die "$name left queries of the mix unanswered (see $RES/verify.txt)"
  elif ! diff -u "$WORK/reference.txt" <(echo "$got") > "$WORK/diff.txt"; then
    cat "$WORK/diff.txt" >&2
    die "$name answers differently from $REFNAME (diff above, all answers in $RES/verify.txt)"
  fi
}

# scrape_loop ADMIN_PORT SECONDS: GET /metrics every SCRAPE_EVERY s for at most SECONDS (background; PID recorded)
scrape_loop() {
  local port="$1" limit="$2"
  ( end=$(( $(date +%s) + limit ))
    while [ "$(date +%s)" -lt "$end" ]; do
      curl -s -m 2 -o /dev/null "http://127.0.0.1:$port/metrics"
      sleep "$SCRAPE_EVERY"
    done ) &
  SCRAPER=$!; BENCH_PIDS+=("$SCRAPER")
}

bench_one() { # round transport "name|port|command|admin port"
  local round="$1" transport="$2" name port cmd admin
  IFS='|' read -r name port cmd admin <<< "$3"
  DNSPERF_MODE="$transport"
  SCRAPER=""
  [ -n "$admin" ] && scrape_loop "$admin" $(( WARMUP + DURATION + 90 ))
  # shellcheck disable=SC2086
  local keep=0; [ "$name" = knot-own-affinity ] && keep=1
  # shellcheck disable=SC2086
  KEEP_AFFINITY=$keep measure_server "$round" "$name" "$port" verify $cmd
  local measured=$?
  [ -n "$SCRAPER" ] && stop_pid "$SCRAPER"
  [ "$measured" = 0 ] || return 0
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$round" "$M_QPS" "$M_LOST" "$M_SENT" "$M_COMPL" "$M_CPUUS" "$M_CPUPCT" "$transport" >> "$RES/raw.tsv"
  log "$name over $transport round $round: ${M_QPS} q/s, lost $M_LOST/$M_SENT, server CPU ${M_CPUPCT}% of a core, ${M_CPUUS} µs CPU per answered query"
}

log "results in $RES; servers: $(printf '%s ' "${LIST[@]%%|*}")"
for round in $(seq 1 "$ROUNDS"); do
  for transport in $TRANSPORTS; do
    for entry in "${LIST[@]}"; do bench_one "$round" "$transport" "$entry"; done
  done
done

# ---- summary
{
  echo "# GeoDns vs Knot vs NSD: loopback query benchmark ($STAMP)"
  echo
  echo "$(nproc) CPUs (shared with other work), server pinned to CPU $SERVER_CPU, dnsperf to CPU $LOADGEN_CPU."
  echo "Each run: ${WARMUP} s warm-up, then \`dnsperf -m TRANSPORT -l $DURATION -c $CLIENTS -T 1 -q $OUTSTANDING -t $QTIMEOUT\` on the 200-line mix, TRANSPORT: $TRANSPORTS; $ROUNDS interleaved rounds."
  echo "GeoDns: Release build, environment: ${GEODNS_ENV:-none beyond the runtimeconfig (TieredCompilation off, workstation concurrent GC, 1 MB gen0 budget)}."
  echo
  echo "| server | transport | median q/s | lost / sent (all rounds) | median server CPU (% of a core) | median CPU µs / answered query | per round | ratio to knot (medians) | median of per-round ratios |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for transport in $TRANSPORTS; do
  for entry in "${LIST[@]}"; do
    name="${entry%%|*}"
    awk -F'\t' -v s="$name" -v t="$transport" '$1 == s && $9 == t' "$RES/raw.tsv" > "$WORK/rows"
    [ -s "$WORK/rows" ] || { echo "| $name | $transport | not measured | | | | | | |"; continue; }
    mq="$(cut -f3 "$WORK/rows" | median)"; mc="$(cut -f7 "$WORK/rows" | median)"; mp="$(cut -f8 "$WORK/rows" | median)"
    lost="$(awk -F'\t' '{l += $4; s += $5} END {print l " / " s}' "$WORK/rows")"
    per="$(cut -f7 "$WORK/rows" | paste -sd' ' -)"
    r1="-"; r2="-"
    if [ "$name" != knot ] && awk -F'\t' -v t="$transport" '$1 == "knot" && $9 == t {f = 1} END {exit !f}' "$RES/raw.tsv"; then
      kc="$(awk -F'\t' -v t="$transport" '$1 == "knot" && $9 == t' "$RES/raw.tsv" | cut -f7 | median)"
      r1="$(awk -v a="$mc" -v b="$kc" 'BEGIN{printf "%.2f", a / b}')"
      r2="$(awk -F'\t' -v s="$name" -v t="$transport" '$9 != t {next} $1 == "knot" {k[$2] = $7} $1 == s {m[$2] = $7} END {for (r in m) if (r in k) print m[r] / k[r]}' "$RES/raw.tsv" | median)"
      r2="$(awk -v a="$r2" 'BEGIN{printf "%.2f", a}')"
    fi
    echo "| $name | $transport | $mq | $lost | $mp% | $mc | $per | $r1 | $r2 |"
  done
  done
  echo
  if [ "$METRICS_MODE" = both ]; then
    echo
    echo "Metrics (admin API on in both, /metrics scraped every $SCRAPE_EVERY s; off = GEODNS_METRICS=off):"
    echo
    echo "| GeoDns variant | CPU µs / query, metrics on (median) | metrics off (median) | on / off (median of per-round ratios) |"
    echo "|---|---|---|---|"
    for entry in "${LIST[@]}"; do
      name="${entry%%|*}"
      case "$name" in *-metrics-on) ;; *) continue;; esac
      base="${name%-metrics-on}"
      on="$(awk -F'\t' -v s="$base-metrics-on" '$1 == s' "$RES/raw.tsv" | cut -f7 | median)"
      off="$(awk -F'\t' -v s="$base-metrics-off" '$1 == s' "$RES/raw.tsv" | cut -f7 | median)"
      ratio="$(awk -F'\t' -v a="$base-metrics-on" -v b="$base-metrics-off" '$1 == a {x[$2 FS $9] = $7} $1 == b {y[$2 FS $9] = $7} END {for (r in x) if (r in y) print x[r] / y[r]}' "$RES/raw.tsv" | median)"
      echo "| $base | $on | $off | $(awk -v a="$ratio" 'BEGIN{printf "%.3f", a}') |"
    done
    echo
  fi
  echo "CPU µs/query = (utime+stime of the server process tree during the dnsperf run) / queries answered."
  echo "A server near 100% CPU is saturated; below that, dnsperf (one thread) limits q/s."
  [ -s "$RES/skipped.txt" ] && { echo; echo "Skipped:"; cat "$RES/skipped.txt"; }
} > "$RES/summary.md"
ln -sfn "dns-$STAMP" "$RES_DIR/dns-latest"
echo; cat "$RES/versions.txt"; echo; cat "$RES/summary.md"; echo; echo "results: $RES"
