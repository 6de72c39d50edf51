#!/usr/bin/env bash
# Traffic-managed answers: CPU per query when the busiest name is a weighted pool.
#
# The zone of run.sh (example.test), with `www` - 60% of a 200-query mix - as a weighted pool
# of two A members, weights 1:3, no health checks, in each server's syntax:
#   geodns-weighted  www 300 POOL A policy=weighted + MEMBER 192.0.2.1 weight=1 / 192.0.2.2 weight=3
#   gdnsd-dyna       www 300 DYNA weighted!wwwres (lb1 192.0.2.1 weight 1, lb2 192.0.2.2 weight 3,
#                    service_types => up)
#   pdns-lua         www 300 LUA A "pickwrandom({{1,'192.0.2.1'},{3,'192.0.2.2'}})",
#                    bind backend, --enable-lua-records
# and, as references, the same servers with a static `www` (2 A records): knot (the
# reference of every ratio), geodns, gdnsd, pdns. Each server in turn on 127.0.0.1 pinned to
# SERVER_CPU, dnsperf pinned to LOADGEN_CPU, rounds interleaved; reported: queries/s, lost,
# server CPU µs per answered query, ratios to Knot's static answers and to the same server's
# static answers.
#
# Before loading, every server's answers to every distinct query of the mix are checked with
# dig: all answers except `www A` must equal Knot's; `www A` must be both addresses (static)
# or exactly one of them (weighted); for weighted servers 200 queries of `www A` are counted
# per address (expected 1:3; GeoDns outside 60-90% of 192.0.2.2 stops the run, the other
# servers get a warning in the summary).
#
# Usage: bench/dns/weighted.sh
# Knobs (environment, defaults in brackets):
#   ROUNDS [3]  DURATION [10] s per dnsperf run  WARMUP [2] s of dnsperf before each run
#   CLIENTS [4] (dnsperf -c)  OUTSTANDING [200] (-q)  QTIMEOUT [2] (-t)
#   SERVER_CPU [1]  LOADGEN_CPU [0]
#   SERVERS ["knot geodns geodns-weighted gdnsd gdnsd-dyna pdns pdns-lua"] (also: nsd; knot-own-affinity:
#       Knot with the affinity it gives its own threads, see pin_threads in lib/common.sh;
#       geodns-baseline, geodns-weighted-baseline: the build at BASELINE_DLL, e.g. an older commit)
#   GEODNS_THREADS [1] (--udp-threads)  GEODNS_ENV [""] environment for GeoDns, e.g. "DOTNET_TieredPGO=0"
#   BASE_PORT [5470] (+1 .. +8)  RES_DIR [/tmp/geodns-bench-results]  NO_BUILD [0]
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/../lib/common.sh"
. "$HERE/data.sh"
. "$HERE/servers.sh"

ROUNDS="${ROUNDS:-3}"; DURATION="${DURATION:-10}"; WARMUP="${WARMUP:-2}"
CLIENTS="${CLIENTS:-4}"; OUTSTANDING="${OUTSTANDING:-200}"; QTIMEOUT="${QTIMEOUT:-2}"
SERVER_CPU="${SERVER_CPU:-1}"; LOADGEN_CPU="${LOADGEN_CPU:-0}"
SERVERS="${SERVERS:-knot geodns geodns-weighted gdnsd gdnsd-dyna pdns pdns-lua}"
GEODNS_THREADS="${GEODNS_THREADS:-1}"; GEODNS_ENV="${GEODNS_ENV:-}"
BASE_PORT="${BASE_PORT:-5470}"
RES_DIR="${RES_DIR:-/tmp/geodns-bench-results}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RES="$RES_DIR/weighted-$STAMP"
WORK=/tmp/geodns-bench-weighted
DIST_N=200

need dnsperf dig taskset timeout ss
for s in $SERVERS; do
  case "$s" in
    geodns*-baseline) need dotnet; [ -f "${BASELINE_DLL:-}" ] || die "$s needs BASELINE_DLL (another GeoDns build)";;
    knot|knot-own-affinity) need knotd;; nsd) need nsd;; geodns*) need dotnet;;
    gdnsd*) command -v gdnsd >/dev/null || { echo "missing: gdnsd (apt-get install -y gdnsd)" >&2; exit 2; };;
    pdns*) command -v pdns_server >/dev/null || { echo "missing: pdns_server (apt-get install -y pdns-server pdns-backend-bind)" >&2; exit 2; };;
    *) die "unknown server '$s' (knot knot-own-affinity nsd geodns geodns-weighted geodns-baseline geodns-weighted-baseline gdnsd gdnsd-dyna pdns pdns-lua)";;
  esac
done
[ "$(nproc)" -gt "$((SERVER_CPU > LOADGEN_CPU ? SERVER_CPU : LOADGEN_CPU))" ] || die "CPU $SERVER_CPU/$LOADGEN_CPU not present ($(nproc) CPUs)"
bench_init "$WORK"
mkdir -p "$RES" "$WORK/zones-static" "$WORK/zones-weighted" "$WORK/pdns-lua-zone"
gen_weighted_zone static > "$WORK/zones-static/example.test.zone"
gen_weighted_zone geodns > "$WORK/zones-weighted/example.test.zone"
gen_weighted_zone gdnsd  > "$WORK/gdnsd-dyna.zone"
gen_weighted_zone pdns   > "$WORK/pdns-lua-zone/example.test.zone"
gen_weighted_mix > "$WORK/queries.txt"
for i in $(seq 1 "$DIST_N"); do echo "www.example.test A"; done > "$WORK/www-queries.txt"
cp "$WORK/queries.txt" "$RES/"
cp "$WORK/zones-static/example.test.zone" "$RES/zone-static.txt"
cp "$WORK/zones-weighted/example.test.zone" "$RES/zone-geodns-weighted.txt"
cp "$WORK/gdnsd-dyna.zone" "$RES/zone-gdnsd-dyna.txt"
cp "$WORK/pdns-lua-zone/example.test.zone" "$RES/zone-pdns-lua.txt"

case " $SERVERS " in *" geodns"*)
  GEODNS_DLL="$(geodns_dll)"
  dotnet "$GEODNS_DLL" check "$WORK/zones-weighted" > "$RES/geodns-check.txt" 2>&1 \
    || { cat "$RES/geodns-check.txt" >&2; die "geodns check rejected the weighted zone"; };;
esac

# ---- the server list: name|port|kind (static or weighted)|command
declare -a LIST=()
for s in $SERVERS; do
  case "$s" in
    knot) LIST+=("knot|$((BASE_PORT+1))|static|$(knot_setup "$WORK/knot" $((BASE_PORT+1)) example.test "$WORK/zones-static/example.test.zone")");;
    nsd)  LIST+=("nsd|$((BASE_PORT+2))|static|$(nsd_setup "$WORK/nsd" $((BASE_PORT+2)) example.test "$WORK/zones-static/example.test.zone")");;
    geodns) LIST+=("geodns|$((BASE_PORT+3))|static|$GEODNS_ENV $(geodns_cmd "$WORK/zones-static" $((BASE_PORT+3)) "$GEODNS_THREADS")");;
    geodns-weighted) LIST+=("geodns-weighted|$((BASE_PORT+4))|weighted|$GEODNS_ENV $(geodns_cmd "$WORK/zones-weighted" $((BASE_PORT+4)) "$GEODNS_THREADS")");;
    gdnsd) LIST+=("gdnsd|$((BASE_PORT+5))|static|$(gdnsd_setup "$WORK/gdnsd" $((BASE_PORT+5)) "$WORK/zones-static/example.test.zone")");;
    gdnsd-dyna) LIST+=("gdnsd-dyna|$((BASE_PORT+6))|weighted|$(gdnsd_setup "$WORK/gdnsd-dyna" $((BASE_PORT+6)) "$WORK/gdnsd-dyna.zone" weighted)");;
    pdns) LIST+=("pdns|$((BASE_PORT+7))|static|$(pdns_setup "$WORK/pdns" $((BASE_PORT+7)) example.test "$WORK/zones-static/example.test.zone")");;
    knot-own-affinity) LIST+=("knot-own-affinity|$((BASE_PORT+9))|static|$(knot_setup "$WORK/knot-own" $((BASE_PORT+9)) example.test "$WORK/zones-static/example.test.zone")");;
    geodns-baseline) LIST+=("geodns-baseline|$((BASE_PORT+10))|static|$GEODNS_ENV $(GEODNS_DLL="$BASELINE_DLL" geodns_cmd "$WORK/zones-static" $((BASE_PORT+10)) "$GEODNS_THREADS")");;
    geodns-weighted-baseline) LIST+=("geodns-weighted-baseline|$((BASE_PORT+11))|weighted|$GEODNS_ENV $(GEODNS_DLL="$BASELINE_DLL" geodns_cmd "$WORK/zones-weighted" $((BASE_PORT+11)) "$GEODNS_THREADS")");;
    pdns-lua) LIST+=("pdns-lua|$((BASE_PORT+8))|weighted|$(pdns_setup "$WORK/pdns-lua" $((BASE_PORT+8)) example.test "$WORK/pdns-lua-zone/example.test.zone" lua)");;
  esac
done
# the static servers' own configs check out before anything is measured
for e in "${LIST[@]}"; do
  case "$e" in gdnsd*) d="$WORK/${e%%|*}"; gdnsd -c "$d" checkconf > "$WORK/${e%%|*}-checkconf.txt" 2>&1 \
    || { cat "$WORK/${e%%|*}-checkconf.txt" >&2; die "gdnsd checkconf failed for ${e%%|*}"; };; esac
done

{ server_versions; server_versions_peers
  echo "GEODNS_THREADS=$GEODNS_THREADS GEODNS_ENV=${GEODNS_ENV:-<none>}"; } > "$RES/versions.txt"
: > "$RES/verify.txt"; : > "$RES/raw.tsv"; : > "$RES/skipped.txt"; : > "$RES/dist.tsv"

# ---- answer checks
answers_of() { # port -> one line per distinct query except www A: "QUERY => STATUS | answers"
  local port="$1" q out st an
  sort -u "$WORK/queries.txt" | grep -v '^www\.example\.test A$' | while read -r q; do
    out="$(qdig "$port" $q +noall +comments +answer)"
    st="$(echo "$out" | sed -n 's/.*status: \([A-Z]*\).*/\1/p' | head -1)"
    an="$(echo "$out" | grep -v '^;' | grep -v '^$' | awk '{print $1, $4, $5, $6, $7}' | sort | paste -sd ';' -)"
    echo "$q => ${st:-NO_RESPONSE} | $an"
  done
}

verify() { # name port kind -> dies when an answer is wrong; weighted: counts DIST_N www answers
  local name="$1" port="$2" kind="$3" got www n1 n2 other share
  got="$(answers_of "$port")"
  www="$(qdig "$port" www.example.test A +short | sort | paste -sd, -)"
  { echo "== $name ($kind)"; echo "www.example.test A => $www"; echo "$got"; } >> "$RES/verify.txt"
  qdig "$port" example.test SOA +noall +comments | grep -q 'status: NOERROR' || die "$name: example.test SOA is not NOERROR"
  qdig "$port" nx1.example.test A +noall +comments | grep -q 'status: NXDOMAIN' || die "$name: nx1.example.test A is not NXDOMAIN"
  if [ "$kind" = static ]; then
    [ "$www" = "192.0.2.1,192.0.2.2" ] || die "$name: www.example.test A is '$www', not 192.0.2.1,192.0.2.2"
  else
    case "$www" in 192.0.2.1|192.0.2.2) ;; *) die "$name: www.example.test A is '$www', not exactly one of 192.0.2.1, 192.0.2.2";; esac
    dig +time=1 +tries=1 @127.0.0.1 -p "$port" -f "$WORK/www-queries.txt" +noall +answer > "$WORK/dist-$name.txt" 2>&1
    n1="$(awk '$4 == "A" && $5 == "192.0.2.1"' "$WORK/dist-$name.txt" | wc -l)"
    n2="$(awk '$4 == "A" && $5 == "192.0.2.2"' "$WORK/dist-$name.txt" | wc -l)"
    other="$(grep -v '^;' "$WORK/dist-$name.txt" | grep -v '^$' | awk '!($4 == "A" && ($5 == "192.0.2.1" || $5 == "192.0.2.2"))' | wc -l)"
    share="$(awk -v a="$n1" -v b="$n2" 'BEGIN{ if (a + b) printf "%.0f", 100 * b / (a + b); else print 0 }')"
    printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$n1" "$n2" "$other" "$share" >> "$RES/dist.tsv"
    echo "www.example.test A x $DIST_N: 192.0.2.1 x $n1, 192.0.2.2 x $n2 (${share}%), other lines $other" >> "$RES/verify.txt"
    log "$name: $DIST_N x www A -> 192.0.2.1 x $n1, 192.0.2.2 x $n2 (${share}% for weight 3 of 4), other $other"
    if [ "${name#geodns}" != "$name" ]; then
      [ "$((n1 + n2))" = "$DIST_N" ] && [ "$other" = 0 ] || die "$name: $DIST_N queries of www A gave $n1 + $n2 answers of the pool and $other other lines (see $WORK/dist-$name.txt)"
      [ "$share" -ge 60 ] && [ "$share" -le 90 ] && [ "$n1" -gt 0 ] || die "$name: www A split $n1:$n2 is not about 1:3"
    fi
  fi
  # Known difference: gdnsd 3 does not follow in-zone CNAMEs (app A -> the CNAME only,
  # NOERROR). That answer is checked here and left out of the comparison.
  local skip='^$'
  if [ "${name#gdnsd}" != "$name" ]; then
    skip='^app\.example\.test A =>'
    echo "$got" | grep -qx 'app.example.test A => NOERROR | app.example.test. CNAME api.example.test. *' \
      || die "$name: app.example.test A is not NOERROR + CNAME api.example.test."
    echo "($name: app.example.test A answered with the CNAME only - gdnsd does not chase CNAMEs; left out of the comparison)" >> "$RES/verify.txt"
  fi
  if [ ! -f "$WORK/reference.txt" ]; then
    echo "$got" > "$WORK/reference.txt"; REFNAME="$name"
    grep -q 'NO_RESPONSE' "$WORK/reference.txt" && die "$name left queries of the mix unanswered (see $RES/verify.txt)"
  elif ! diff -u <(grep -v "$skip" "$WORK/reference.txt") <(echo "$got" | grep -v "$skip") > "$WORK/diff.txt"; then
    cat "$WORK/diff.txt" >&2
    die "$name answers differently from $REFNAME (diff above, all answers in $RES/verify.txt)"
  fi
}

VERIFIED=" "
BENCH_KIND=""
verify_once() { # name port: answers are checked in the first round only
  case "$VERIFIED" in *" $1 "*) ;; *) verify "$1" "$2" "$BENCH_KIND"; VERIFIED="$VERIFIED$1 ";; esac
}

bench_one() { # round "name|port|kind|command"
  local round="$1" name port cmd
  IFS='|' read -r name port BENCH_KIND cmd <<< "$2"
  local keep=0; [ "$name" = knot-own-affinity ] && keep=1
  # shellcheck disable=SC2086
  KEEP_AFFINITY=$keep measure_server "$round" "$name" "$port" verify_once $cmd || return 0
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$round" "$M_QPS" "$M_LOST" "$M_SENT" "$M_COMPL" "$M_CPUUS" "$M_CPUPCT" "$M_SERVFAIL" >> "$RES/raw.tsv"
  log "$name round $round: ${M_QPS} q/s, lost $M_LOST/$M_SENT, SERVFAIL $M_SERVFAIL, server CPU ${M_CPUPCT}% of a core, ${M_CPUUS} µs CPU per answered query"
}

log "results in $RES; servers: $(printf '%s ' "${LIST[@]%%|*}")"
for round in $(seq 1 "$ROUNDS"); do
  for entry in "${LIST[@]}"; do bench_one "$round" "$entry"; done
done

# ---- summary
static_of() { case "$1" in geodns-weighted) echo geodns;; geodns-weighted-baseline) echo geodns-baseline;; gdnsd-dyna) echo gdnsd;; pdns-lua) echo pdns;; *) echo "";; esac; }
ratio_cols() { # name ref -> "medians ratio | median of per-round ratios"
  local name="$1" ref="$2" a b r
  grep -q "^$ref	" "$RES/raw.tsv" && grep -q "^$name	" "$RES/raw.tsv" || { echo "- | -"; return; }
  a="$(awk -F'\t' -v s="$name" '$1 == s' "$RES/raw.tsv" | cut -f7 | median)"
  b="$(awk -F'\t' -v s="$ref" '$1 == s' "$RES/raw.tsv" | cut -f7 | median)"
  r="$(awk -F'\t' -v s="$name" -v k="$ref" '$1 == k {kk[$2] = $7} $1 == s {m[$2] = $7} END {for (r in m) if (r in kk) print m[r] / kk[r]}' "$RES/raw.tsv" | median)"
  awk -v a="$a" -v b="$b" -v r="$r" 'BEGIN{printf "%.2f | %.2f", a / b, r}'
}
{
  echo "# Weighted pool vs static answers: loopback query benchmark ($STAMP)"
  echo
  echo "$(nproc) CPUs (shared with other work; load average at start $(cut -d' ' -f1-3 /proc/loadavg)), server pinned to CPU $SERVER_CPU, dnsperf to CPU $LOADGEN_CPU."
  echo "Each run: ${WARMUP} s warm-up, then \`dnsperf -l $DURATION -c $CLIENTS -T 1 -q $OUTSTANDING -t $QTIMEOUT\` on the 200-line mix (60% \`www A\`); $ROUNDS interleaved rounds."
  echo "\`www\`: static = 2 A records; weighted = pool of 192.0.2.1 (weight 1) and 192.0.2.2 (weight 3), one address per answer, no health checks."
  echo "GeoDns: Release build, --udp-threads $GEODNS_THREADS, environment: ${GEODNS_ENV:-none beyond the runtimeconfig}."
  echo
  echo "| server | www | median q/s | lost / sent (all rounds) | SERVFAIL | median server CPU | **median CPU µs / answered query** | per round | ratio to knot static (medians / per-round) | ratio to the same server's static (medians / per-round) | www A x $DIST_N before load: .1 / .2 |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  for entry in "${LIST[@]}"; do
    IFS='|' read -r name port kind cmd <<< "$entry"
    awk -F'\t' -v s="$name" '$1 == s' "$RES/raw.tsv" > "$WORK/rows"
    [ -s "$WORK/rows" ] || { echo "| $name | $kind | not measured | | | | | | | | |"; continue; }
    mq="$(cut -f3 "$WORK/rows" | median)"; mc="$(cut -f7 "$WORK/rows" | median)"; mp="$(cut -f8 "$WORK/rows" | median)"
    lost="$(awk -F'\t' '{l += $4; s += $5} END {print l " / " s}' "$WORK/rows")"
    sf="$(awk -F'\t' '{s += $9} END {print s}' "$WORK/rows")"
    per="$(cut -f7 "$WORK/rows" | paste -sd' ' -)"
    rk="- | -"; [ "$name" != knot ] && rk="$(ratio_cols "$name" knot)"
    st="$(static_of "$name")"; rs="-"; [ -n "$st" ] && rs="$(ratio_cols "$name" "$st" | sed 's/ | / \/ /')"
    dist="-"; [ "$kind" = weighted ] && dist="$(awk -F'\t' -v s="$name" '$1 == s {print $2 " / " $3 " (" $5 "%)" ($4 > 0 ? ", " $4 " other" : "")}' "$RES/dist.tsv")"
    echo "| $name | $kind | $mq | $lost | $sf | $mp% | **$mc** | $per | $(echo "$rk" | sed 's/ | / \/ /') | $rs | $dist |"
  done
  echo
  case " $SERVERS " in *" gdnsd"*) echo "gdnsd answers \`app A\` (5 queries in 200) with the CNAME only: it does not chase in-zone CNAMEs."; echo;; esac
  echo "CPU µs/query = (utime+stime of the server process tree during the dnsperf run) / queries answered."
  echo "A server near 100% CPU is saturated; below that, dnsperf (one thread) limits q/s."
  awk -F'\t' '$1 !~ /^geodns-weighted/ && ($5 < 60 || $5 > 90 || $2 == 0) {print "WARNING: " $1 " answered www A " $2 ":" $3 " (192.0.2.1:192.0.2.2) over '"$DIST_N"' queries before load, not about 1:3"}' "$RES/dist.tsv"
  [ -s "$RES/skipped.txt" ] && { echo; echo "Skipped:"; cat "$RES/skipped.txt"; }
} > "$RES/summary.md"
ln -sfn "weighted-$STAMP" "$RES_DIR/weighted-latest"
echo; cat "$RES/versions.txt"; echo; cat "$RES/summary.md"; echo; echo "results: $RES"
