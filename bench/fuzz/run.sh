#!/usr/bin/env bash
# Runs every GeoDns fuzz target (tests/GeoDns.Fuzz) under afl-fuzz for a set time, then prints
# execs and findings per target.
#
#   bench/fuzz/run.sh [TARGET ...]          default: every target (GeoDns.Fuzz --list)
#
# SECONDS_PER_TARGET   fuzzing time per target (default 60); each afl-fuzz run is also
#                      killed by `timeout` 90 s after that, whatever it is doing
# FUZZ_OUT             where builds, afl-fuzz state and findings go
#                      (default bench/results/fuzz-DATE, which git ignores)
#
# Steps: publish tests/GeoDns.Fuzz twice (one copy instrumented by the sharpfuzz tool: GeoDns.Core.dll
# and geodns.dll; one plain, to replay findings), seed afl-fuzz with tests/fuzz/corpus/TARGET,
# fuzz, then replay each saved crash and hang through the plain build and print the distinct
# failures. A finding is fixed by adding its input to tests/fuzz/crashes/TARGET/ (replayed by
# FuzzReplayTests in GeoDns.Tests) and fixing the code.
#
# Needs: the .NET 10 SDK, afl-fuzz (Debian: apt-get install -y afl++; installed here when missing
# and running as root), the sharpfuzz tool (installed into FUZZ_OUT from the NuGet registry).
# Exit status: 0 when no target found anything, 1 when one did, 2 on a setup problem.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
seconds="${SECONDS_PER_TARGET:-60}"
out="${FUZZ_OUT:-$root/bench/results/fuzz-$(date +%Y%m%d-%H%M%S)}"
sharpfuzz_version="2.3.0"
project="$root/tests/GeoDns.Fuzz/GeoDns.Fuzz.csproj"

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { echo "ERROR: $*" >&2; exit 2; }

case "$seconds" in '' | *[!0-9]*) die "SECONDS_PER_TARGET must be a whole number of seconds" ;; esac
command -v dotnet >/dev/null || die "dotnet (the .NET 10 SDK) is not on the PATH"
if ! command -v afl-fuzz >/dev/null; then
  [ "$(id -u)" = 0 ] || die "afl-fuzz is missing: apt-get install -y afl++"
  log "installing afl++"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq afl++ >/dev/null
fi

mkdir -p "$out"
tools="$out/tools"
if [ ! -x "$tools/sharpfuzz" ]; then
  log "installing the sharpfuzz tool $sharpfuzz_version into $tools"
  dotnet tool install SharpFuzz.CommandLine --version "$sharpfuzz_version" --tool-path "$tools" >/dev/null
fi

log "publishing the fuzz targets"
dotnet publish "$project" -c Release -o "$out/plain" --nologo -v quiet >/dev/null
rm -rf "$out/instrumented"
cp -r "$out/plain" "$out/instrumented"
for dll in GeoDns.Core.dll geodns.dll; do
  "$tools/sharpfuzz" "$out/instrumented/$dll" >/dev/null || die "sharpfuzz could not instrument $dll"
done

if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(dotnet "$out/plain/GeoDns.Fuzz.dll" --list)
fi

dictionary() { # target -> afl-fuzz -x option, if it has a dictionary
  case "$1" in
    zone) echo "-x $root/bench/fuzz/dict/zone.dict" ;;
    admin) echo "-x $root/bench/fuzz/dict/admin.dict" ;;
    query | tcp | roundtrip) echo "-x $root/bench/fuzz/dict/dns.dict" ;;
  esac
}

stat() { # file key -> value (0 when absent)
  local v
  v="$(awk -F' *: *' -v k="$2" '$1 == k { print $2 }' "$1" 2>/dev/null)"
  echo "${v:-0}"
}

export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
  AFL_NO_AFFINITY=1 AFL_FORKSRV_INIT_TMOUT=60000 DOTNET_CLI_TELEMETRY_OPTOUT=1

summary="$out/summary.txt"
printf '%-10s %8s %10s %8s %7s %8s %6s\n' target seconds execs execs/s paths crashes hangs | tee "$summary"
found=0
for t in "${targets[@]}"; do
  seeds="$out/seeds/$t"
  rm -rf "$seeds" "$out/afl/$t"
  mkdir -p "$seeds" "$out/afl/$t"
  # afl-fuzz refuses empty seeds; the crash reproducers are replayed by the test suite instead.
  find "$root/tests/fuzz/corpus/$t" -type f -size +0 -exec cp {} "$seeds/" \;
  [ -n "$(ls -A "$seeds")" ] || die "no seeds in tests/fuzz/corpus/$t"
  log "fuzzing $t for ${seconds}s"
  # shellcheck disable=SC2046
  timeout --kill-after=10 $((seconds + 90)) afl-fuzz -i "$seeds" -o "$out/afl/$t" -V "$seconds" -t 10000 -m none \
    $(dictionary "$t") -- dotnet "$out/instrumented/GeoDns.Fuzz.dll" "$t" >"$out/afl/$t.log" 2>&1 || true
  stats="$out/afl/$t/default/fuzzer_stats"
  [ -f "$stats" ] || { tail -20 "$out/afl/$t.log" >&2; die "afl-fuzz did not run $t (log: $out/afl/$t.log)"; }
  execs="$(stat "$stats" execs_done)"
  runtime="$(stat "$stats" run_time)"
  crashes="$(stat "$stats" saved_crashes)"
  hangs="$(stat "$stats" saved_hangs)"
  paths="$(stat "$stats" corpus_count)"
  rate="$(awk -v e="$execs" -v s="$runtime" 'BEGIN { printf "%.0f", (s > 0 ? e / s : 0) }')"
  printf '%-10s %8s %10s %8s %7s %8s %6s\n' "$t" "$runtime" "$execs" "$rate" "$paths" "$crashes" "$hangs" | tee -a "$summary"
  if [ "$crashes" != 0 ] || [ "$hangs" != 0 ]; then
    found=1
  fi
done

# Replay every finding through the plain build: one line per distinct failure.
for t in "${targets[@]}"; do
  for kind in crashes hangs; do
    dir="$out/afl/$t/default/$kind"
    [ -d "$dir" ] || continue
    files=("$dir"/id:*)
    [ -e "${files[0]}" ] || continue
    echo "== $t $kind: ${#files[@]} saved (in $dir)" | tee -a "$summary"
    timeout 300 dotnet "$out/plain/GeoDns.Fuzz.dll" "$t" "${files[@]}" 2>&1 \
      | awk '/^CRASH / { file = $2; getline; if (!(($0) in seen)) { seen[$0] = file; print "   " $0 "\n      e.g. " file } }' \
      | tee -a "$summary" || true
  done
done

log "summary in $summary"
exit "$found"
