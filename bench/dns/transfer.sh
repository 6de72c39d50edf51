#!/usr/bin/env bash
# Zone transfer of a large zone: GeoDns serves big.test (COUNT records, the dns/scale.sh zone)
# with a Transfer rule and a TSIG key; dig asks AXFR with the key. Reported: the transfer's time
# and size (records, messages, bytes, as dig counts them), and the server's VmRSS/VmHWM before
# and after, so the memory the transfer itself takes shows (it streams: one 64 KiB buffer).
# Usage: bench/dns/transfer.sh   (COUNT=1000000, BASE_PORT=5470, SERVER_CPU=1, LOADGEN_CPU=0)
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
. "$HERE/../lib/common.sh"
. "$HERE/data.sh"

COUNT="${COUNT:-1000000}"; BASE_PORT="${BASE_PORT:-5470}"
SERVER_CPU="${SERVER_CPU:-1}"; LOADGEN_CPU="${LOADGEN_CPU:-0}"
WORK=/tmp/geodns-bench-transfer
PORT="$BASE_PORT"
need dig taskset timeout ss dotnet
bench_init "$WORK"
port_busy "$PORT" && die "port $PORT is in use: set BASE_PORT"

mkdir -p "$WORK/zones"
log "generating big.test with $COUNT records"
gen_big_zone "$COUNT" 1 > "$WORK/zones/big.test.zone"
SECRET="$(head -c 32 /dev/urandom | base64)"
printf 'key "xfr" {\n\talgorithm hmac-sha256;\n\tsecret "%s";\n};\n' "$SECRET" > "$WORK/tsig.key"
printf '{ "Tsig": { "KeyFile": "%s" }, "Transfer": { "big.test": { "Keys": [ "xfr" ], "Addresses": [ "127.0.0.0/8" ] } } }\n' \
  "$WORK/tsig.key" > "$WORK/geodns.json"

DLL="$(geodns_dll)"
start_pinned "$SERVER_CPU" geodns dotnet "$DLL" serve --zones "$WORK/zones" --dns "127.0.0.1:$PORT" --config "$WORK/geodns.json" --udp-threads 1
PID="$LASTPID"
for _ in $(seq 1 1500); do
  dig +short +time=1 +tries=1 @127.0.0.1 -p "$PORT" big.test SOA 2>/dev/null | grep -q hostmaster && break
  sleep 0.2
done
# the serial moves on to the clock once (a rebuild of the zone): wait for it, then settle
for _ in $(seq 1 600); do grep -q "now serves serial" "$WORK/geodns.out" && break; sleep 0.2; done
sleep 3
read -r RSS0 HWM0 _ _ <<< "$(mem_report "$PID")"
log "loaded: VmRSS $RSS0 MB, VmHWM $HWM0 MB; transferring"
T0="$(now_s)"
timeout 300 taskset -c "$LOADGEN_CPU" dig +noall +stats @127.0.0.1 -p "$PORT" big.test AXFR -y "hmac-sha256:xfr:$SECRET" > "$WORK/dig.out" 2>&1
T1="$(now_s)"
read -r RSS1 HWM1 _ _ <<< "$(mem_report "$PID")"
SIZE="$(grep -o 'XFR size: .*' "$WORK/dig.out")"
grep -q "Transfer failed\|verify failure\|Couldn't verify" "$WORK/dig.out" && { cat "$WORK/dig.out" >&2; die "the transfer failed"; }
LINE="$(grep -o 'AXFR of big.test.*' "$WORK/geodns.out" | tail -1)"
stop_pid "$PID"
echo "# Zone transfer: big.test, $COUNT records ($(date -u +%Y-%m-%dT%H:%MZ))"
echo "dig: $(fsub "$T1" "$T0") s wall (dig parses every record), $SIZE"
echo "geodns: $LINE"
echo "memory before: VmRSS $RSS0 MB, VmHWM $HWM0 MB; after: VmRSS $RSS1 MB, VmHWM $HWM1 MB"
