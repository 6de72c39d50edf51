#!/usr/bin/env bash
# Signed answers: CPU per answered query with DO set, GeoDns (online signing) vs Knot DNS
# (automatic signing, `dnssec-signing: on`), same zone, same query mix, same run.
#
# The zone is run.sh's example.test; the mix is weighted.sh's (60% `www A`, 12.5% missing
# names, the rest A/AAAA/CNAME/MX/TXT), every query sent with DO (dnsperf -D, EDNS 4096):
#   knot-signed         static www (2 A), signed by Knot itself: policy ecdsap256sha256, KSK+ZSK,
#                       NSEC, keys in a temporary KASP db (signed once at load)
#   geodns-signed       the same static zone, --keys with a KSK and a ZSK made by
#                       `dnssec-keygen -a ECDSAP256SHA256` (signed online, signatures cached)
#   geodns-pool-signed  the same, with www a weighted pool (192.0.2.1 weight 1, 192.0.2.2
#                       weight 3, no health checks): each answer is chosen per query, then signed
# Each server in turn on 127.0.0.1 pinned to SERVER_CPU, dnsperf pinned to LOADGEN_CPU, rounds
# interleaved. Before loading, every server must answer `www A` and a missing name with RRSIG
# records, and Knot's DNSKEY RRset must validate the SOA with delv (checks the setup, not GeoDns).
#
# Reported: per-round and median CPU µs per answered query, and the ratios
#   geodns-signed / knot-signed       (target <= 1.2)
#   geodns-pool-signed / knot-signed  (target <= 1.5)
#
# Usage: bench/dns/dnssec.sh   (about 3 minutes with the defaults)
# Knobs (environment, defaults in brackets):
#   ROUNDS [3]  DURATION [10] s per dnsperf run  WARMUP [2] s of dnsperf before each run
#   CLIENTS [4] (dnsperf -c)  OUTSTANDING [200] (-q)  QTIMEOUT [2] (-t)
#   SERVER_CPU [1]  LOADGEN_CPU [0]  SERVERS ["knot-signed geodns-signed geodns-pool-signed"]
#   GEODNS_ENV [""]  BASE_PORT [5520] (+1 .. +3)  RES_DIR [/tmp/geodns-bench-results]  NO_BUILD [0]
#   WORK [/tmp/geodns-bench-dnssec]
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/../lib/common.sh"
. "$HERE/data.sh"
. "$HERE/servers.sh"

ROUNDS="${ROUNDS:-3}"; DURATION="${DURATION:-10}"; WARMUP="${WARMUP:-2}"
CLIENTS="${CLIENTS:-4}"; OUTSTANDING="${OUTSTANDING:-200}"; QTIMEOUT="${QTIMEOUT:-2}"
SERVER_CPU="${SERVER_CPU:-1}"; LOADGEN_CPU="${LOADGEN_CPU:-0}"
SERVERS="${SERVERS:-knot-signed geodns-signed geodns-pool-signed}"; GEODNS_ENV="${GEODNS_ENV:-}"
BASE_PORT="${BASE_PORT:-5520}"
RES_DIR="${RES_DIR:-/tmp/geodns-bench-results}"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RES="$RES_DIR/dnssec-$STAMP"
WORK="${WORK:-/tmp/geodns-bench-dnssec}"

need dnsperf dig delv knotd dnssec-keygen taskset timeout ss dotnet
[ "$(nproc)" -gt "$((SERVER_CPU > LOADGEN_CPU ? SERVER_CPU : LOADGEN_CPU))" ] || die "CPU $SERVER_CPU/$LOADGEN_CPU not present ($(nproc) CPUs)"
bench_init "$WORK"
mkdir -p "$RES" "$WORK/zones-static" "$WORK/zones-pool" "$WORK/keys"
gen_weighted_zone static > "$WORK/zones-static/example.test.zone"
gen_weighted_zone geodns > "$WORK/zones-pool/example.test.zone"
gen_weighted_mix > "$WORK/queries.txt"
cp "$WORK/queries.txt" "$RES/"
cp "$WORK/zones-pool/example.test.zone" "$RES/zone-geodns-pool.txt"
# GeoDns's keys: a KSK and a ZSK as BIND's tool writes them.
dnssec-keygen -q -K "$WORK/keys" -a ECDSAP256SHA256 -f KSK example.test > /dev/null || die "dnssec-keygen (KSK) failed"
dnssec-keygen -q -K "$WORK/keys" -a ECDSAP256SHA256 example.test > /dev/null || die "dnssec-keygen (ZSK) failed"
GEODNS_DLL="$(geodns_dll)"

# Every query of the mix with DO set (run.sh's dnsperf_run plus -D).
dnsperf_run() {
  timeout $(( $2 + QTIMEOUT + 20 )) taskset -c "$LOADGEN_CPU" \
    dnsperf -D -s 127.0.0.1 -p "$1" -d "$WORK/queries.txt" -l "$2" -c "$CLIENTS" -T 1 -q "$OUTSTANDING" -t "$QTIMEOUT" > "$3" 2>&1
}

# knot_signed_setup DIR PORT ZONEFILE -> servers.sh's Knot configuration plus automatic signing
knot_signed_setup() {
  local d="$1" port="$2" file="$3" cmd
  cmd="$(knot_setup "$d" "$port" example.test "$file")"
  mkdir -p "$d/kasp"
  # kasp-db goes under database:, the policy before zone:, the signing options in the zone.
  awk -v kasp="$d/kasp" '
    /^database:/ { print; print "    kasp-db: " kasp; next }
    /^zone:/ { print "policy:"; print "  - id: bench"; print "    algorithm: ecdsap256sha256"
               print "    nsec3: off"; print; next }
    /journal-content:/ { print; print "    dnssec-signing: on"; print "    dnssec-policy: bench"; next }
    { print }' "$d/knot.conf" > "$d/knot.conf.new" && mv "$d/knot.conf.new" "$d/knot.conf"
  echo "$cmd"
}

declare -a LIST=()
for s in $SERVERS; do
  case "$s" in
    knot-signed) LIST+=("$s|$((BASE_PORT+1))|$(knot_signed_setup "$WORK/knot" $((BASE_PORT+1)) "$WORK/zones-static/example.test.zone")");;
    geodns-signed) LIST+=("$s|$((BASE_PORT+2))|$GEODNS_ENV $(geodns_cmd "$WORK/zones-static" $((BASE_PORT+2)) 1) --keys $WORK/keys");;
    geodns-pool-signed) LIST+=("$s|$((BASE_PORT+3))|$GEODNS_ENV $(geodns_cmd "$WORK/zones-pool" $((BASE_PORT+3)) 1) --keys $WORK/keys");;
    *) die "unknown server '$s' (knot-signed geodns-signed geodns-pool-signed)";;
  esac
done

{ server_versions; echo "GEODNS_ENV=${GEODNS_ENV:-<none>}"; } > "$RES/versions.txt"
: > "$RES/verify.txt"; : > "$RES/raw.tsv"; : > "$RES/skipped.txt"

verify() { # name port -> dies unless answers are signed (and, for Knot, validate)
  local name="$1" port="$2" www nx
  www="$(qdig "$port" www.example.test A +dnssec +noall +answer)"
  nx="$(qdig "$port" nx1.example.test A +dnssec +noall +comments +authority)"
  { echo "== $name"; echo "$www"; echo "$nx"; } >> "$RES/verify.txt"
  echo "$www" | grep -q 'RRSIG' || die "$name: www.example.test A has no RRSIG"
  echo "$www" | grep -Eq 'IN[[:space:]]+A[[:space:]]+192\.0\.2\.[12]$' || die "$name: www.example.test A is not 192.0.2.1/2"
  echo "$nx" | grep -q 'NSEC' || die "$name: nx1.example.test A has no NSEC proof"
  if [ "$name" = knot-signed ]; then
    qdig "$port" example.test DNSKEY +noall +answer | awk '$4 == "DNSKEY" && $5 == 257 {
      printf "trust-anchors { %s static-key %s %s %s \"", $1, $5, $6, $7; for (i = 8; i <= NF; i++) printf "%s", $i; print "\"; };" }' > "$WORK/knot-anchor.conf"
    delv -a "$WORK/knot-anchor.conf" @127.0.0.1 -p "$port" example.test SOA +root=example.test 2>&1 | tee -a "$RES/verify.txt" \
      | grep -q 'fully validated' || die "$name: delv does not validate Knot's SOA (see $RES/verify.txt)"
  fi
}

bench_one() { # round "name|port|command"
  local round="$1" name port cmd
  IFS='|' read -r name port cmd <<< "$2"
  # shellcheck disable=SC2086
  measure_server "$round" "$name" "$port" verify $cmd || return 0
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$round" "$M_QPS" "$M_LOST" "$M_SENT" "$M_COMPL" "$M_CPUUS" "$M_CPUPCT" >> "$RES/raw.tsv"
  log "$name round $round: ${M_QPS} q/s, lost $M_LOST/$M_SENT, server CPU ${M_CPUPCT}% of a core, ${M_CPUUS} µs CPU per answered query"
}

log "results in $RES; servers: $(printf '%s ' "${LIST[@]%%|*}")"
for round in $(seq 1 "$ROUNDS"); do
  for entry in "${LIST[@]}"; do bench_one "$round" "$entry"; done
done

# ---- summary
ratio_of() { # name -> "median ratio|median of per-round ratios" to knot-signed
  local kc mc r2
  kc="$(awk -F'\t' '$1 == "knot-signed"' "$RES/raw.tsv" | cut -f7 | median)"
  mc="$(awk -F'\t' -v s="$1" '$1 == s' "$RES/raw.tsv" | cut -f7 | median)"
  r2="$(awk -F'\t' -v s="$1" '$1 == "knot-signed" {k[$2] = $7} $1 == s {m[$2] = $7} END {for (r in m) if (r in k) print m[r] / k[r]}' "$RES/raw.tsv" | median)"
  awk -v a="$mc" -v b="$kc" -v c="$r2" 'BEGIN{printf "%.2f|%.2f", a / b, c}'
}
{
  echo "# Signed answers (DO set): GeoDns vs Knot DNS ($STAMP)"
  echo
  echo "$(nproc) CPUs (shared with other work), server pinned to CPU $SERVER_CPU, dnsperf to CPU $LOADGEN_CPU."
  echo "Each run: ${WARMUP} s warm-up, then \`dnsperf -D -l $DURATION -c $CLIENTS -T 1 -q $OUTSTANDING -t $QTIMEOUT\` on weighted.sh's 200-line mix; $ROUNDS interleaved rounds."
  echo
  echo "| server | median q/s | lost / sent | median server CPU (% of a core) | median CPU µs / answered query | per round | ratio to knot-signed (medians) | median of per-round ratios | target |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for entry in "${LIST[@]}"; do
    name="${entry%%|*}"
    awk -F'\t' -v s="$name" '$1 == s' "$RES/raw.tsv" > "$WORK/rows"
    [ -s "$WORK/rows" ] || { echo "| $name | not measured | | | | | | | |"; continue; }
    mq="$(cut -f3 "$WORK/rows" | median)"; mc="$(cut -f7 "$WORK/rows" | median)"; mp="$(cut -f8 "$WORK/rows" | median)"
    lost="$(awk -F'\t' '{l += $4; s += $5} END {print l " / " s}' "$WORK/rows")"
    per="$(cut -f7 "$WORK/rows" | paste -sd' ' -)"
    r1="-"; r2="-"; target="-"
    if [ "$name" != knot-signed ] && grep -q '^knot-signed	' "$RES/raw.tsv"; then
      IFS='|' read -r r1 r2 <<< "$(ratio_of "$name")"
      case "$name" in geodns-signed) target="<= 1.2";; geodns-pool-signed) target="<= 1.5";; esac
    fi
    echo "| $name | $mq | $lost | $mp% | $mc | $per | $r1 | $r2 | $target |"
  done
  echo
  echo "CPU µs/query = (utime+stime of the server process tree during the dnsperf run) / queries answered."
  [ -s "$RES/skipped.txt" ] && { echo; echo "Skipped:"; cat "$RES/skipped.txt"; }
} > "$RES/summary.md"
ln -sfn "dnssec-$STAMP" "$RES_DIR/dnssec-latest"
echo; cat "$RES/versions.txt"; echo; cat "$RES/summary.md"; echo; echo "results: $RES"
