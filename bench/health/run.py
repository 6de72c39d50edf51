#!/usr/bin/env python3
"""Health checking and shared state at scale (loopback only; bounded in time; stops what it starts).

For each GeoDns build (--variant NAME=DLL, repeatable): MEMBERS members (pools of 4) checked by
tcp, then by tcp-half-open (SYN probes; needs CAP_NET_RAW), then by http, then by http with keepalive=true, against a small epoll backend (backend.c, compiled here) listening on PORTS
ports of 127.0.0.1 (each member probes one of them: distinct backends, as in production). It
reports the process CPU per probe (utime+stime from /proc over the window / probes counted by
geodns_health_probe_duration_seconds_count), and the DNS answer latency (p50/p99/max of a UDP
query every 5 ms) while they run. Then two instances of each build share one redis-server over
tcp members: Redis commands/s (INFO commandstats deltas) and redis-server CPU, while health is steady.

--floor adds, for each kind, the kernel floor: floor.c (compiled here) makes the same per-probe
system calls (socket, SO_LINGER 0, non-blocking connect, for http send + epoll + recv, close; for
tcp-half-open a raw SYN and the recv of its answer) from one C thread at the same rate against
the same kind of backend, and reports its CPU per probe.
--perf DIR records `perf record -g` of each GeoDns process over its window (started with
DOTNET_PerfMapEnabled=1 so JIT-compiled frames have names) into DIR/LABEL-KIND.data and writes
the top entries by self time next to it (the CPU per probe of such a run includes perf's cost).

  bench/health/run.py --variant after=src/GeoDns/bin/Release/net10.0/geodns.dll \\
                      --variant before=/tmp/geodns-before/geodns.dll --members 10000 --interval 2s --duration 20
"""
import argparse, os, random, re, shutil, signal, socket, statistics, struct, subprocess, sys, tempfile, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = ["tcp", "tcp-half-open", "http", "http-keepalive"]  # http-keepalive: the http check with keepalive=true
BACKEND = {"tcp": "tcp", "tcp-half-open": "tcp", "http": "http", "http-keepalive": "http-keepalive"}  # backend.c's mode for each
FLOOR = {"tcp": "tcp", "tcp-half-open": "syn", "http": "http", "http-keepalive": "http-keepalive"}  # floor.c's mode for each
TICK = os.sysconf("SC_CLK_TCK")


def free_port(kind=None):
    """A port free for both TCP and UDP, below the ephemeral range (the probes' own connections use that)."""
    while True:
        port = random.randrange(20000, 30000)
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                t.bind(("127.0.0.1", port)); u.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue


def free_range(count):
    """A base port with COUNT free TCP ports after it (checked by binding each)."""
    for _ in range(50):
        base = random.randrange(10000, 20000 - count)
        try:
            socks = []
            for p in range(base, base + count):
                s = socket.socket(); s.bind(("127.0.0.1", p)); socks.append(s)
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise SystemExit("no free port range")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def zone(members, kind, base, ports, interval):
    timeout = "1s" if interval not in ("1s", "500ms", "250ms") else "200ms"
    lines = ["$ORIGIN scale.test.", "$TTL 60", "@ SOA ns1 hostmaster 1 7200 900 1209600 60", "@ NS ns1", "ns1 A 192.0.2.53",
             "$REGION r1 continents=NA", "$REGION r2 continents=EU",
             f"$CHECK c {kind.removesuffix('-keepalive')} port={base} target=127.0.0.1 interval={interval} timeout={timeout}"
             + (" path=/health" if kind.startswith("http") else "") + (" keepalive=true" if kind == "http-keepalive" else "")]
    for i in range(members):
        if i % 4 == 0:
            lines.append(f"p{i // 4} 5 POOL A policy=failover check=c")
        lines.append(f"p{i // 4} 5 MEMBER r{1 + i % 2} 198.18.{i // 250}.{1 + i % 250} port={base + i % ports}")
    return "\n".join(lines) + "\n"


def http_get(url, timeout=10):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


def probes(admin):
    _, text = http_get(f"http://127.0.0.1:{admin}/metrics", 30)
    return sum(float(m.group(1)) for m in re.finditer(r"^geodns_health_probe_duration_seconds_count\{[^}]*\} (\S+)", text, re.M))


def query(name):
    qid = random.randrange(65536)
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".") if l) + b"\0"
    return struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + q + struct.pack(">HH", 1, 1)


def dns_latency(port, seconds, names):
    """RTTs (ms) of one query every 5 ms for SECONDS; lost = no answer within 1 s."""
    rtts, lost = [], 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(1)
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            packet = query(random.choice(names))
            t = time.perf_counter()
            s.sendto(packet, ("127.0.0.1", port))
            try:
                while s.recv(4096)[:2] != packet[:2]:
                    pass
                rtts.append((time.perf_counter() - t) * 1000)
            except socket.timeout:
                lost += 1
            time.sleep(0.005)
    rtts.sort()
    pick = lambda q: rtts[min(len(rtts) - 1, int(q * len(rtts)))] if rtts else float("nan")
    return {"p50": pick(0.5), "p99": pick(0.99), "max": rtts[-1] if rtts else float("nan"), "n": len(rtts), "lost": lost}


class Run:
    def __init__(self, work):
        self.work, self.procs = work, []

    def start(self, args, log, **kw):
        p = subprocess.Popen(args, stdout=open(os.path.join(self.work, log), "w"), stderr=subprocess.STDOUT, **kw)
        self.procs.append(p)
        return p

    def stop(self, p):
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill(); p.wait()

    def close(self):
        for p in reversed(self.procs):
            self.stop(p)


def wait_for(cond, seconds, what):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            if cond():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"timed out: {what}")


def geodns(run, dll, zones, name, redis=None, perf=False):
    dns, admin = free_port(socket.SOCK_DGRAM), free_port()
    args = ["dotnet", dll, "serve", "--zones", zones, "--dns", f"127.0.0.1:{dns}", "--admin", f"127.0.0.1:{admin}"]
    if redis:
        args += ["--redis", f"127.0.0.1:{redis}", "--instance", name]
    env = dict(os.environ, DOTNET_PerfMapEnabled="1", DOTNET_EnableWriteXorExecute="0") if perf else None
    p = run.start(args, f"{name}.log", env=env)
    wait_for(lambda: http_get(f"http://127.0.0.1:{admin}/readyz", 2)[0] == 200, 90, f"{name} ready")
    return p, dns, admin


def probe_cpu(run, dll, label, kind, a):
    work = tempfile.mkdtemp(dir=run.work)
    base = free_range(a.ports)
    backend = run.start([os.path.join(run.work, "backend"), BACKEND[kind], str(base), str(a.ports)], f"backend-{label}-{kind}.log")
    wait_for(lambda: "ready" in open(os.path.join(run.work, f"backend-{label}-{kind}.log")).read(), 10, "backend")
    with open(os.path.join(work, "scale.test.zone"), "w") as f:
        f.write(zone(a.members, kind, base, a.ports, a.interval))
    p, dns, admin = geodns(run, dll, work, f"{label}-{kind}", perf=a.perf is not None)
    time.sleep(a.warmup)
    recording = None
    if a.perf:
        data = os.path.join(a.perf, f"{label}-{kind}.data")
        recording = subprocess.Popen(["perf", "record", "-g", "-o", data, "-p", str(p.pid), "--", "sleep", str(a.duration + 1)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
    n0, c0, t0 = probes(admin), cpu_seconds(p.pid), time.monotonic()
    lat = dns_latency(dns, a.duration, [f"p{random.randrange(a.members // 4)}.scale.test." for _ in range(100)])
    c1, t1, n1 = cpu_seconds(p.pid), time.monotonic(), probes(admin)
    if recording:
        recording.wait()
    run.stop(p); run.stop(backend)
    if recording:
        top = subprocess.run(["perf", "report", "-i", data, "--no-children", "--sort", "symbol", "--stdio", "-g", "none"],
                             capture_output=True, text=True).stdout
        with open(os.path.join(a.perf, f"{label}-{kind}.top.txt"), "w") as f:
            f.write("\n".join(l for l in top.splitlines() if re.match(r"^ +[0-9]", l)) + "\n")
    n = n1 - n0
    cpu = c1 - c0
    print(f"{label:8} {kind:4} members={a.members} probes/s={n / (t1 - t0):7.0f} cpu={cpu / (t1 - t0) * 100:5.1f}% "
          f"us/probe={cpu / n * 1e6 if n else float('nan'):6.1f}  dns p50={lat['p50']:.3f} p99={lat['p99']:.3f} "
          f"max={lat['max']:.2f} ms (n={lat['n']}, lost={lat['lost']})", flush=True)


def floor(run, kind, a):
    """The C prober (floor.c) at the members' probe rate against a fresh backend of the same kind."""
    base = free_range(a.ports)
    backend = run.start([os.path.join(run.work, "backend"), BACKEND[kind], str(base), str(a.ports)], f"backend-floor-{kind}.log")
    wait_for(lambda: "ready" in open(os.path.join(run.work, f"backend-floor-{kind}.log")).read(), 10, "backend")
    rate = a.members / parse_seconds(a.interval)
    out = subprocess.run([os.path.join(run.work, "floor"), FLOOR[kind], str(base), str(a.ports), str(rate), "2", str(a.duration)],
                         capture_output=True, text=True, check=True, timeout=a.duration + 30).stdout
    run.stop(backend)
    m = dict(kv.split("=") for kv in out.split())
    print(f"{'floor':8} {kind:4} members={a.members} probes/s={float(m['rate']):7.0f} "
          f"cpu={float(m['cpu_s']) / a.duration * 100:5.1f}% us/probe={float(m['us_per_probe']):6.1f}  (C, same system calls)", flush=True)


def parse_seconds(text):
    return float(text[:-2]) / 1000 if text.endswith("ms") else float(text.rstrip("s"))


def commandstats(port):
    out = subprocess.run(["redis-cli", "-p", str(port), "INFO", "commandstats"], capture_output=True, text=True, check=True).stdout
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"cmdstat_(\w+):calls=(\d+)", out)}


def shared(run, dll, label, a):
    work = tempfile.mkdtemp(dir=run.work)
    base = free_range(a.ports)
    backend = run.start([os.path.join(run.work, "backend"), "tcp", str(base), str(a.ports)], f"backend-{label}-redis.log")
    wait_for(lambda: "ready" in open(os.path.join(run.work, f"backend-{label}-redis.log")).read(), 10, "backend")
    with open(os.path.join(work, "scale.test.zone"), "w") as f:
        f.write(zone(a.members, "tcp", base, a.ports, a.interval))
    rport = free_port()
    redis = run.start(["redis-server", "--port", str(rport), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], f"redis-{label}.log")
    wait_for(lambda: subprocess.run(["redis-cli", "-p", str(rport), "PING"], capture_output=True, text=True).stdout.strip() == "PONG", 10, "redis")
    nodes = [geodns(run, dll, work, f"{label}-{n}", rport) for n in ("a", "b")]
    time.sleep(a.warmup)
    s0, c0, t0 = commandstats(rport), cpu_seconds(redis.pid), time.monotonic()
    time.sleep(a.duration)
    s1, c1, t1 = commandstats(rport), cpu_seconds(redis.pid), time.monotonic()
    for p, _, _ in nodes:
        run.stop(p)
    run.stop(redis); run.stop(backend)
    span = t1 - t0
    delta = {k: v - s0.get(k, 0) for k, v in s1.items() if v - s0.get(k, 0) > 0 and k != "info"}
    total = sum(delta.values())
    print(f"{label:8} redis 2 instances x {a.members} tcp members: {total / span:8.1f} commands/s "
          f"({total / span / a.members:.3f} per member/s) redis cpu={(c1 - c0) / span * 100:.1f}% "
          f"[{', '.join(f'{k}={v / span:.1f}/s' for k, v in sorted(delta.items(), key=lambda kv: -kv[1]))}]", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variant", action="append", required=True, help="NAME=path/to/geodns.dll")
    ap.add_argument("--members", type=int, default=10000)
    ap.add_argument("--ports", type=int, default=200, help="backend ports the members spread over")
    ap.add_argument("--interval", default="2s")
    ap.add_argument("--warmup", type=float, default=8)
    ap.add_argument("--duration", type=float, default=20)
    ap.add_argument("--only", choices=KINDS + ["redis"], action="append")
    ap.add_argument("--floor", action="store_true", help="also run floor.c, the C prober, for each kind")
    ap.add_argument("--perf", metavar="DIR", help="perf record each GeoDns window into DIR")
    a = ap.parse_args()
    if a.perf:
        os.makedirs(a.perf, exist_ok=True)
    parts = a.only or KINDS + ["redis"]
    run = Run(tempfile.mkdtemp(prefix="geodns-health-bench-"))
    try:
        subprocess.run(["gcc", "-O2", "-o", os.path.join(run.work, "backend"), os.path.join(HERE, "backend.c")], check=True)
        subprocess.run(["gcc", "-O2", "-o", os.path.join(run.work, "floor"), os.path.join(HERE, "floor.c")], check=True)
        for part in parts:
            if a.floor and part != "redis":
                floor(run, part, a)
            for variant in a.variant:
                label, dll = variant.split("=", 1)
                if part == "redis":
                    shared(run, dll, label, a)
                else:
                    probe_cpu(run, dll, label, part, a)
    finally:
        run.close()
        if not os.environ.get("KEEP"):
            shutil.rmtree(run.work, ignore_errors=True)
        else:
            print("logs in", run.work)


if __name__ == "__main__":
    main()
