#!/usr/bin/env bash
# Response rate limiting under a spoofed-source flood.
#
#   bench/rrl/run.sh [SECONDS] [RATE]     (default 5 s, flood as fast as Python sends; needs dotnet, python3, dig)
#
# Serves one zone twice in turn — RRL off, then --rrl-responses-per-second 50 --rrl-slip 2 (IPv4 /24
# buckets) — and each time runs flood.py: a flood of `www.rrl.bench A` from 127.0.0.10-13 (one
# victim /24, as a reflection attack spoofing it would) while a legitimate client at 127.0.1.5
# (another /24) asks one query at a time. Prints sent / answered / truncated / unanswered per source.
# GEODNS_BIN=path/to/geodns.dll skips the build.
set -euo pipefail
seconds=${1:-5}
rate=${2:-0}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/geodns-rrl.XXXXXX)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for tool in dotnet python3 dig; do
  command -v "$tool" >/dev/null || { echo "rrl bench: needs $tool" >&2; exit 2; }
done

if [ -z "${GEODNS_BIN:-}" ]; then
  echo "building geodns (Release)..."
  dotnet build "$root/src/GeoDns/GeoDns.csproj" -c Release -o "$work/bin" -v quiet -nologo >/dev/null
  GEODNS_BIN="$work/bin/geodns.dll"
fi

port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/zones"
cat > "$work/zones/rrl.bench.zone" <<'ZONE'
$ORIGIN rrl.bench.
$TTL 300
@    SOA ns1 hostmaster 1 7200 900 1209600 60
@    NS  ns1
ns1  A   127.0.0.1
www  A   192.0.2.1
ZONE

run() { # label, extra serve options...
  local label=$1; shift
  (cd "$work" && exec dotnet "$GEODNS_BIN" serve --zones "$work/zones" --dns "127.0.0.1:$port" "$@") >"$work/serve.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    dig +short +time=1 +tries=1 @127.0.0.1 -p "$port" www.rrl.bench A 2>/dev/null | grep -q 192.0.2.1 && break
    sleep 0.2
  done
  # The readiness dig came from 127.0.0.1, the flood's /24: let its bucket refill.
  sleep 1
  echo
  echo "== $label: ${seconds}s flood from 127.0.0.10-13, legitimate client 127.0.1.5"
  python3 "$(dirname "$0")/flood.py" "$port" "$seconds" 127.0.0.10,127.0.0.11,127.0.0.12,127.0.0.13 127.0.1.5 "$rate"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
}

run "RRL off"
run "RRL on (50/s, slip 2, /24)" --rrl-responses-per-second 50 --rrl-slip 2
