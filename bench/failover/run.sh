#!/usr/bin/env bash
# Failover benchmark: how long from a primary's death to the changed DNS answer, and back.
#
#   bench/failover/run.sh [TRIALS]        (default 5; needs dotnet, python3, dig)
#
# Starts two real HTTP backends (python3 -m http.server) on 127.0.0.2:PORT and 127.0.0.3:PORT,
# serves a failover pool over them with
#   $CHECK web http port=PORT path=/ expect=200 interval=200ms timeout=150ms rise=2 fall=2
# then per trial: kills the primary (SIGKILL), polls `dig` every 50 ms until the answer is
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
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
seconds() { printf '%d.%03d' $(( $1 / 1000 )) $(( $1 % 1000 )); }

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
  pids+=("$backend_pid")
}
listening() { (exec 3<>"/dev/tcp/$1/$http_port") 2>/dev/null; }
answer() { dig @127.0.0.1 -p "$dns_port" www.gtm.bench. A +short +time=1 +tries=1 2>/dev/null | head -n1; }
wait_for() { # expected answer, timeout seconds
  local deadline=$(( $(now_ms) + $2 * 1000 ))
  while [ "$(answer)" != "$1" ]; do
    if [ "$(now_ms)" -gt "$deadline" ]; then return 1; fi
    sleep 0.05
  done
}

start_backend 127.0.0.2; primary=$backend_pid
start_backend 127.0.0.3
sleep 0.3
dotnet "$GEODNS_BIN" serve --zones "$work/zones" --dns "127.0.0.1:$dns_port" > "$work/geodns.log" 2>&1 &
pids+=("$!")
if ! wait_for 127.0.0.2 20; then
  echo "failover bench: geodns never answered 127.0.0.2; log:" >&2
  tail -n 30 "$work/geodns.log" >&2
  exit 1
fi
sleep 1

failovers=()
failbacks=()
for trial in $(seq 1 "$trials"); do
  t0=$(now_ms)
  kill -9 "$primary"
  wait "$primary" 2>/dev/null || true
  wait_for 127.0.0.3 10 || { echo "trial $trial: no failover within 10 s" >&2; exit 1; }
  t1=$(now_ms)
  start_backend 127.0.0.2; primary=$backend_pid
  until listening 127.0.0.2; do sleep 0.01; done
  t1=$(now_ms)  # failback counts from the moment the primary accepts again
  wait_for 127.0.0.2 10 || { echo "trial $trial: no failback within 10 s" >&2; exit 1; }
  t2=$(now_ms)
  fo=$(seconds $(( t1 - t0 )))
  fb=$(seconds $(( t2 - t1 )))
  failovers+=("$fo")
  failbacks+=("$fb")
  echo "trial $trial: failover ${fo} s, failback ${fb} s"
  sleep 1
done

python3 - "${failovers[*]}" "${failbacks[*]}" <<'PY'
import statistics, sys
for name, values in (("failover", sys.argv[1]), ("failback", sys.argv[2])):
    v = [float(x) for x in values.split()]
    print(f"{name}: median {statistics.median(v):.3f} s, worst {max(v):.3f} s over {len(v)} trials")
PY
echo "health transitions logged: $(grep -c "Health transition" "$work/geodns.log" || true)"
[ -n "${BENCH_LOG:-}" ] && cp "$work/geodns.log" "$BENCH_LOG"
exit 0
