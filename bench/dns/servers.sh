# How each DNS server under test is configured and started (sourced after lib/common.sh).
# Every server runs in the foreground (no daemonizing), on 127.0.0.1 only, one worker thread
# where that is configurable, and is stopped by its PID.

# knot_setup DIR PORT ZONE ZONEFILE -> writes DIR/knot.conf; prints the command line
knot_setup() {
  local d="$1" port="$2" zone="$3" file="$4"
  mkdir -p "$d/db"
  cat > "$d/knot.conf" <<EOF
server:
    listen: 127.0.0.1@$port
    rundir: $d
    pidfile: $d/knot.pid
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: $d/db
log:
  - target: stderr
    any: info
zone:
  - domain: $zone
    file: $file
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
EOF
  echo "knotd -c $d/knot.conf"
}

# nsd_setup DIR PORT ZONE ZONEFILE -> writes DIR/nsd.conf; prints the command line.
# database "" makes NSD 4.x read the zone file at start (no nsd-zonec step). Debian's NSD has
# response rate limiting on by default (200 qps per /24), which would drop bench traffic.
nsd_setup() {
  local d="$1" port="$2" zone="$3" file="$4"
  mkdir -p "$d"
  cat > "$d/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@$port
    server-count: 1
    do-ip6: no
    username: ""
    chroot: ""
    database: ""
    zonesdir: "$(dirname "$file")"
    pidfile: "$d/nsd.pid"
    xfrdfile: "$d/xfrd.state"
    zonelistfile: "$d/zone.list"
    xfrdir: "$d"
    verbosity: 1
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: no
zone:
    name: $zone
    zonefile: "$file"
EOF
  echo "nsd -d -c $d/nsd.conf"
}

# geodns_cmd ZONESDIR PORT THREADS -> command line (Release build; a GEODNS_DLL not ending in
# .dll is a native build, e.g. a Native AOT publish, and runs as is)
geodns_cmd() {
  case "$GEODNS_DLL" in *.dll) printf 'dotnet ';; esac
  echo "$GEODNS_DLL serve --zones $1 --dns 127.0.0.1:$2 --udp-threads $3"
}

server_versions() {
  echo "knotd: $(knotd --version 2>&1 | head -1)"
  echo "nsd: $(nsd -v 2>&1 | head -1)"
  echo "dotnet: $(dotnet --version 2>/dev/null); GeoDns commit $(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null)$(git -C "$REPO_ROOT" diff --quiet HEAD -- src 2>/dev/null || echo ' (+uncommitted src changes)')"
  echo "dnsperf: $(dnsperf -h 2>&1 | awk '/^Version/{print $2}')"
  echo "dig: $(dig -v 2>&1)"
  echo "kernel: $(uname -r); cpus: $(nproc); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# gdnsd_setup DIR PORT ZONEFILE [weighted] -> writes DIR/config and DIR/zones/example.test (a
# copy of ZONEFILE); prints the command line. `gdnsd start` stays in the foreground. With
# "weighted", the config defines the weighted resource wwwres (192.0.2.1 weight 1, 192.0.2.2
# weight 3) with `service_types => up`: static UP, nothing is ever probed.
gdnsd_setup() {
  local d="$1" port="$2" file="$3"
  mkdir -p "$d/zones" "$d/run" "$d/state"
  cp "$file" "$d/zones/example.test"
  cat > "$d/config" <<EOG
options => {
  listen => [ 127.0.0.1:$port ]
  udp_threads => 1
  tcp_threads => 1
  run_dir => $d/run
  state_dir => $d/state
}
EOG
  [ "${4:-}" = weighted ] && cat >> "$d/config" <<EOG
plugins => {
  weighted => {
    service_types => up
    wwwres => {
      lb1 = [ 192.0.2.1, 1 ]
      lb2 = [ 192.0.2.2, 3 ]
    }
  }
}
EOG
  echo "gdnsd -c $d start"
}

# pdns_setup DIR PORT ZONE ZONEFILE [lua] -> writes DIR/named.conf; prints the command line:
# PowerDNS with the bind backend, foreground, no guardian, no security polling, packet cache
# at its defaults, 1 receiver + 1 distributor thread; "lua" adds --enable-lua-records.
pdns_setup() {
  local d="$1" port="$2" zone="$3" file="$4" extra=""
  mkdir -p "$d"
  printf 'zone "%s" { type master; file "%s"; };\n' "$zone" "$file" > "$d/named.conf"
  : > "$d/pdns.conf"
  [ "${5:-}" = lua ] && extra="--enable-lua-records=yes"
  echo "pdns_server --config-dir=$d --socket-dir=$d --launch=bind --bind-config=$d/named.conf" \
    "--local-address=127.0.0.1 --local-port=$port --daemon=no --guardian=no --disable-syslog=yes" \
    "--write-pid=no --security-poll-suffix= --primary=no --secondary=no --webserver=no --api=no" \
    "--receiver-threads=1 --distributor-threads=1 --loglevel=4 $extra"
}

server_versions_peers() {
  echo "gdnsd: $(gdnsd 2>&1 | head -1)"
  echo "pdns: $(dpkg-query -W -f='${Version}' pdns-server 2>/dev/null) (pdns-backend-bind $(dpkg-query -W -f='${Version}' pdns-backend-bind 2>/dev/null))"
}
