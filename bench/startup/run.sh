#!/usr/bin/env bash
# Start-up benchmark: how long from process start to the first answer, and how long a zone check
# takes, for GeoDns next to Knot DNS on the sample zone (zones/example.com.zone).
#
# 1. Serve: each server is started RUNS times, the servers interleaved (geodns, knot, geodns,
#    knot, ...); first_answer.py times the spawn until a UDP SOA query for example.com gets a
#    NOERROR answer (polled every 2 ms) and reads the server's CPU time at that moment.
# 2. Check: `geodns check DIR` and `knotc zone-check` (Knot's offline zone check; kzonecheck
#    does the same where it is packaged) on the same zone, interleaved, wall time of each run.
# Knot cannot read GeoDns's extensions ($REGION, $CHECK, POOL/MEMBER), so it gets the sample
# zone's plain records with the managed name written as two A records (same size and shape).
# Nothing is pinned: users run unpinned. The summary prints medians (min-max) per variant.
#
# Usage: bench/startup/run.sh
# Knobs (environment, defaults in brackets):
#   RUNS [10]  PORT [5380] GeoDns, PORT+1 Knot
#   GEODNS_DLLS ["release=<Release build>"]: space-separated NAME=PATH builds of geodns.dll, each
#       a variant, e.g. "plain=/tmp/plain/geodns.dll r2r=/tmp/r2r/geodns.dll" (a ReadyToRun
#       publish: see bench/README.md "Start-up"); a PATH not ending in .dll is run as a program
#       (a Native AOT publish, e.g. "aot=/tmp/aot/geodns")
#   WORK [/tmp/geodns-bench-startup] scratch directory
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/../lib/common.sh"

RUNS="${RUNS:-10}"; PORT="${PORT:-5380}"
WORK="${WORK:-/tmp/geodns-bench-startup}"
need knotd knotc python3 dotnet
bench_init "$WORK"
GEODNS_DLLS="${GEODNS_DLLS:-release=$(geodns_dll)}"
for p in "$PORT" "$((PORT + 1))"; do port_busy "$p" && die "port $p is in use; set PORT to move"; done

# ---- the zone: GeoDns reads the sample; Knot its plain records
mkdir -p "$WORK/zones" "$WORK/knot/db"
cp "$REPO_ROOT/zones/example.com.zone" "$WORK/zones/"
{ sed -n '/^\$REGION/q;p' "$REPO_ROOT/zones/example.com.zone"
  printf 'www CNAME www.gtm\nwww.gtm 30 A 192.0.2.10\nwww.gtm 30 A 198.51.100.10\n'; } > "$WORK/knot/example.com.zone"
cat > "$WORK/knot/knot.conf" <<CONF
server:
    listen: 127.0.0.1@$((PORT + 1))
    rundir: $WORK/knot
database:
    storage: $WORK/knot/db
zone:
  - domain: example.com
    file: $WORK/knot/example.com.zone
    zonefile-sync: -1
    journal-content: none
CONF

runner() { case "$1" in *.dll) echo "dotnet $1";; *) echo "$1";; esac; } # a native (AOT) build runs as is

# ---- 1. serve to first answer
declare -A MS=() CPU=()
serve_once() { # name port cmd...
  local name="$1" port="$2" out; shift 2
  out="$(SERVER_LOG="$WORK/$name.log" python3 "$HERE/first_answer.py" "$port" example.com -- "$@")" \
    || die "$name gave no answer (log: $WORK/$name.log)"
  local ms="${out#ms=}"
  MS[$name]+="${ms%% *} "; CPU[$name]+="${out##*cpu_ms=} "
}
log "serve to first answer: $RUNS runs each of $GEODNS_DLLS and knot"
for i in $(seq 1 "$RUNS"); do
  for v in $GEODNS_DLLS; do
    serve_once "geodns-${v%%=*}" "$PORT" $(runner "${v#*=}") serve --zones "$WORK/zones" --dns "127.0.0.1:$PORT"
  done
  serve_once knot "$((PORT + 1))" knotd -c "$WORK/knot/knot.conf"
done

# ---- 2. zone check
declare -A CHK=()
check_once() { # name cmd...
  local name="$1" t0 t1; shift
  t0="$(now_s)"; "$@" >>"$WORK/$name.check.log" 2>&1 || die "$name: check failed (log: $WORK/$name.check.log)"
  t1="$(now_s)"; CHK[$name]+="$(fsub "$t1" "$t0") "
}
log "zone check: $RUNS runs each"
for i in $(seq 1 "$RUNS"); do
  for v in $GEODNS_DLLS; do check_once "geodns-${v%%=*}" $(runner "${v#*=}") check "$WORK/zones"; done
  check_once knot knotc -c "$WORK/knot/knot.conf" zone-check example.com
done

spread() { tr ' ' '\n' | grep -E '^[0-9.]+$' | sort -g | awk '{a[NR]=$1} END{printf "%s-%s", a[1], a[NR]}'; }
echo "# $(date -u +%FT%TZ), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg), unpinned, $RUNS runs each, medians (min-max)"
printf '%-16s %22s %22s %24s\n' variant "first answer ms" "server cpu ms" "check wall s"
for name in "${!MS[@]}"; do
  printf '%-16s %22s %22s %24s\n' "$name" \
    "$(tr ' ' '\n' <<<"${MS[$name]}" | median) ($(spread <<<"${MS[$name]}"))" \
    "$(tr ' ' '\n' <<<"${CPU[$name]}" | median) ($(spread <<<"${CPU[$name]}"))" \
    "$(tr ' ' '\n' <<<"${CHK[$name]}" | median) ($(spread <<<"${CHK[$name]}"))"
done | sort
