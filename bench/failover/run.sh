#!/usr/bin/env bash
# Failover benchmark: how long from a primary's death to the changed DNS answer, and back.
#
#   bench/failover/run.sh [TRIALS]        (default 5; needs dotnet, python3, dig)
#
# Starts two real HTTP backends (python3 -m http.server) on 127.0.0.2:PORT and 127.0.0.3:PORT,
# serves a failover pool over them with
#   $CHECK web http port=PORT path=/ expect=200 interval=200ms timeout=150ms rise=2 fall=2
# then per trial (trials.py): kills the primary (SIGKILL), polls every 50 ms until the answer is
# 127.0.0.3 (failover), restarts the primary and, from the moment it accepts connections,
# polls until the answer is 127.0.0.2 again (failback). Prints each trial, the median and the worst. Target: median <= 0.6 s.
# GEODNS_BIN=path/to/geodns.dll skips the build.
set -euo pipefail
trials=${1:-5}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/geodns-failover.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for tool in dotnet python3 dig; do
  command -v "$tool" >/dev/null || { echo "failover bench: needs $tool" >&2; exit 2; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

if [ -z "${GEODNS_BIN:-}" ]; then
  echo "building geodns (Release)..."
  dotnet build "$root/src/GeoDns/GeoDns.csproj" -c Release -o "$work/bin" -v quiet -nologo >/dev/null
  GEODNS_BIN="$work/bin/geodns.dll"
fi

http_port=$(free_port)
dns_port=$(free_port)
mkdir -p "$work/www" "$work/zones"
echo ok > "$work/www/index.html"
cat > "$work/zones/gtm.bench.zone" <<ZONE
\$ORIGIN gtm.bench.
\$TTL 300
@    SOA ns1 hostmaster 1 7200 900 1209600 60
@    NS  ns1
ns1  A   127.0.0.1
\$REGION primary continents=EU
\$REGION standby continents=NA
\$CHECK web http port=$http_port path=/ expect=200 interval=200ms timeout=150ms rise=2 fall=2
www  5 POOL   A policy=failover check=web
www  5 MEMBER primary 127.0.0.2
www  5 MEMBER standby 127.0.0.3
ZONE

backend_pid=""
start_backend() { # address -> sets backend_pid
  python3 -m http.server "$http_port" --bind "$1" --directory "$work/www" >/dev/null 2>&1 &
  backend_pid=$!
  disown "$backend_pid"
  pids+=("$backend_pid")
}
answer() { dig @127.0.0.1 -p "$dns_port" www.gtm.bench. A +short +time=1 +tries=1 2>/dev/null | head -n1; }
wait_for() { # expected answer, tries 100 ms apart
  local n=0
  while [ "$(answer)" != "$1" ]; do
    n=$((n + 1)); [ "$n" -gt "$2" ] && return 1
    sleep 0.1
  done
}

start_backend 127.0.0.2; primary=$backend_pid
start_backend 127.0.0.3
sleep 0.3
dotnet "$GEODNS_BIN" serve --zones "$work/zones" --dns "127.0.0.1:$dns_port" > "$work/geodns.log" 2>&1 &
pids+=("$!")
if ! wait_for 127.0.0.2 200; then
  echo "failover bench: geodns never answered 127.0.0.2; log:" >&2
  tail -n 30 "$work/geodns.log" >&2
  exit 1
fi
sleep 1

echo "dig says: $(dig @127.0.0.1 -p "$dns_port" www.gtm.bench. A +short +time=1 +tries=1)"
echo "$primary" > "$work/primary.pid"
python3 "$(dirname "$0")/trials.py" "$trials" "$dns_port" "$http_port" "$work/www"
echo "health transitions logged: $(grep -c "Health transition" "$work/geodns.log" || true)"
[ -n "${BENCH_LOG:-}" ] && cp "$work/geodns.log" "$BENCH_LOG"
exit 0
