#!/usr/bin/env python3
"""Load with faults: two GeoDns instances sharing Redis at saturation while things break.

    bench/faults/run.py [--seconds 60] [--bin path/to/geodns.dll]

For SECONDS (default 60) two dnsperf processes saturate two `geodns serve` instances (one each)
that share one redis-server, while:
  * the eu-west backend of a failover pool flaps: its TCP port is open for 1 s, closed for 1 s;
  * the zone file is replaced (new serial, same data) every 2 s, so both instances reload;
  * redis-server is killed once at SECONDS/2 and restarted 3 s later on the same port.
A checker asks both instances 50 queries/s each over UDP (its own client, outside dnsperf's load)
and judges every answer: the pool name must answer one member address (eu-west or us-east, both
valid as the flapping backend moves), the static name its exact address, a missing name NXDOMAIN.
Prints dnsperf's counts and rcodes, the checker's wrong/unanswered counts, the reloads each
instance logged, and each instance's RSS, threads and sockets before the load and after it.
Everything runs on 127.0.0.1 and every process started is stopped by PID.
"""
import argparse, os, random, re, shutil, signal, socket, struct, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "redis"))
from common import free_port, encode_query  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EU, US, STATIC = "198.51.100.10", "192.0.2.10", "192.0.2.99"
ZONE = """$ORIGIN faults.bench.
$TTL 60
@        SOA    ns1 hostmaster {serial} 7200 900 1209600 60
@        NS     ns1
ns1      A      127.0.0.1
static   A      {static}
$REGION  eu-west   continents=EU
$REGION  us-east   continents=NA
$CHECK   alive tcp port={us_port} target=127.0.0.1 interval=250ms timeout=200ms rise=1 fall=1
www      5  POOL    A  policy=failover max-answers=1 check=alive
www      5  MEMBER  eu-west   {eu} port={eu_port}
www      5  MEMBER  us-east   {us} port={us_port}
"""
QUERIES = ["www.faults.bench A", "static.faults.bench A", "www.faults.bench AAAA", "nx.faults.bench A"]


class Flapper(threading.Thread):
    """A TCP listener that is open for `period` seconds, then closed (connections refused) as long."""

    def __init__(self, port, period):
        super().__init__(daemon=True)
        self.port, self.period, self.stop = port, period, threading.Event()
        self.flips = 0

    def run(self):
        while not self.stop.is_set():
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", self.port)); s.listen(64); s.settimeout(0.05)
            end = time.monotonic() + self.period
            while time.monotonic() < end and not self.stop.is_set():
                try:
                    c, _ = s.accept(); c.close()
                except OSError:
                    pass
            s.close(); self.flips += 1
            self.stop.wait(self.period); self.flips += 1


class Steady(threading.Thread):
    def __init__(self, port):
        super().__init__(daemon=True)
        self.s = socket.socket(); self.s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.s.bind(("127.0.0.1", port)); self.s.listen(64)

    def run(self):
        while True:
            try:
                c, _ = self.s.accept(); c.close()
            except OSError:
                return


def parse_answer(data, qname_len):
    """(rcode, [A addresses]) of a reply."""
    flags, qd, an = struct.unpack(">HHH", data[2:8])
    pos, addrs = 12 + qname_len + 4, []
    for _ in range(an):
        if data[pos] & 0xC0 == 0xC0:
            pos += 2
        else:
            while data[pos]:
                pos += data[pos] + 1
            pos += 1
        rtype, _, _, rdlen = struct.unpack(">HHIH", data[pos:pos + 10]); pos += 10
        if rtype == 1:
            addrs.append(socket.inet_ntoa(data[pos:pos + 4]))
        pos += rdlen
    return flags & 0xF, addrs


class Checker(threading.Thread):
    """Asks one instance 50 queries/s and judges each answer."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.stop = port, threading.Event()
        self.asked = self.wrong = self.unanswered = 0
        self.examples = []
        self.seen = {EU: 0, US: 0}

    def judge(self, name, qtype, rcode, addrs):
        if name.startswith("www") and qtype == 1:
            return rcode == 0 and len(addrs) == 1 and addrs[0] in (EU, US)
        if name.startswith("www"):
            return rcode == 0 and not addrs
        if name.startswith("static"):
            return rcode == 0 and addrs == [STATIC]
        return rcode == 3

    def run(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1.0)
        cases = [("www.faults.bench", 1), ("static.faults.bench", 1), ("www.faults.bench", 28), ("nx.faults.bench", 1)]
        i = 0
        while not self.stop.is_set():
            name, qtype = cases[i % len(cases)]; i += 1
            qid, packet, qname = encode_query(name, qtype)
            self.asked += 1
            try:
                s.sendto(packet, ("127.0.0.1", self.port))
                while True:
                    data, _ = s.recvfrom(4096)
                    if struct.unpack(">H", data[:2])[0] == qid:
                        break
                rcode, addrs = parse_answer(data, len(qname))
                if name.startswith("www") and qtype == 1 and len(addrs) == 1 and addrs[0] in self.seen:
                    self.seen[addrs[0]] += 1
                if not self.judge(name, qtype, rcode, addrs):
                    self.wrong += 1
                    if len(self.examples) < 5:
                        self.examples.append(f"{name} {qtype}: rcode {rcode} {addrs}")
            except socket.timeout:
                self.unanswered += 1
            time.sleep(0.02)


def proc_report(pid):
    status = open(f"/proc/{pid}/status").read()
    rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    threads = int(re.search(r"Threads:\s+(\d+)", status).group(1))
    sockets = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            sockets += os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:")
        except OSError:
            pass
    return rss, threads, sockets


def wait_answer(port, limit=60):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        r = subprocess.run(["dig", "+short", "+time=1", "+tries=1", "@127.0.0.1", "-p", str(port), "static.faults.bench", "A"],
                           capture_output=True, text=True)
        if STATIC in r.stdout:
            return
        time.sleep(0.2)
    raise SystemExit(f"instance on port {port} did not answer within {limit} s")


def dnsperf_counts(text):
    def num(label):
        m = re.search(label + r":\s+(\d+)", text)
        return int(m.group(1)) if m else 0
    codes = dict(re.findall(r"(NOERROR|NXDOMAIN|SERVFAIL|REFUSED|FORMERR|NOTIMP) (\d+)", text.split("Response codes:")[-1]))
    qps = re.search(r"Queries per second:\s+([\d.]+)", text)
    return num("Queries sent"), num("Queries completed"), num("Queries lost"), {k: int(v) for k, v in codes.items()}, float(qps.group(1)) if qps else 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--bin", default=os.environ.get("GEODNS_BIN"))
    args = ap.parse_args()
    for tool in ("dotnet", "dig", "dnsperf", "redis-server"):
        if not shutil.which(tool):
            raise SystemExit(f"faults bench: needs {tool} (apt-get install -y dnsperf redis-server bind9-dnsutils)")
    work = tempfile.mkdtemp(prefix="geodns-faults-")
    procs = {}

    def start(name, cmd):
        procs[name] = subprocess.Popen(cmd, stdout=open(os.path.join(work, name + ".log"), "w"), stderr=subprocess.STDOUT,
                                       cwd=work, start_new_session=True)
        return procs[name]

    def stop(name):
        p = procs.pop(name, None)
        if p and p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill(); p.wait()

    try:
        dll = args.bin
        if not dll:
            print("building geodns (Release)...", flush=True)
            subprocess.run(["dotnet", "build", os.path.join(ROOT, "src/GeoDns/GeoDns.csproj"), "-c", "Release", "-o",
                            os.path.join(work, "bin"), "-v", "quiet", "-nologo"], check=True, stdout=subprocess.DEVNULL)
            dll = os.path.join(work, "bin", "geodns.dll")
        redis_port, eu_port, us_port = free_port(), free_port(), free_port()
        dns = [free_port(socket.SOCK_DGRAM), free_port(socket.SOCK_DGRAM)]
        zones = os.path.join(work, "zones"); os.mkdir(zones)
        serial = [1]

        def write_zone():
            tmp = os.path.join(work, "zone.tmp")  # written outside the watched folder, then renamed in
            with open(tmp, "w") as f:
                f.write(ZONE.format(serial=serial[0], static=STATIC, eu=EU, us=US, eu_port=eu_port, us_port=us_port))
            os.replace(tmp, os.path.join(zones, "faults.bench.zone"))
            serial[0] += 1

        write_zone()
        redis_cmd = ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        start("redis", redis_cmd)
        flapper = Flapper(eu_port, 1.0); Steady(us_port).start()
        for i, port in enumerate(dns):
            start(f"geodns-{i}", ["dotnet", dll, "serve", "--zones", zones, "--dns", f"127.0.0.1:{port}",
                                  "--redis", f"127.0.0.1:{redis_port}", "--instance", f"i{i}", "--log-format", "json"])
        for port in dns:
            wait_answer(port)
        time.sleep(2)
        before = [proc_report(procs[f"geodns-{i}"].pid) for i in range(2)]
        with open(os.path.join(work, "queries.txt"), "w") as f:
            f.write("\n".join(QUERIES) + "\n")
        flapper.start()
        checkers = [Checker(p) for p in dns]
        for c in checkers:
            c.start()
        perf = [subprocess.Popen(["dnsperf", "-s", "127.0.0.1", "-p", str(p), "-d", os.path.join(work, "queries.txt"),
                                  "-l", str(args.seconds), "-c", "4", "-q", "200", "-t", "2"],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for p in dns]
        started = time.monotonic(); reloads = 0; redis_killed = redis_back = None
        while time.monotonic() - started < args.seconds:
            time.sleep(2)
            write_zone(); reloads += 1
            t = time.monotonic() - started
            if redis_killed is None and t >= args.seconds / 2:
                procs["redis"].kill(); procs["redis"].wait(); redis_killed = t
                print(f"[{t:5.1f} s] redis-server killed", flush=True)
            elif redis_killed is not None and redis_back is None and t >= redis_killed + 3:
                start("redis", redis_cmd); redis_back = t
                print(f"[{t:5.1f} s] redis-server restarted", flush=True)
        outputs = [p.communicate(timeout=args.seconds + 60)[0] for p in perf]
        for c in checkers:
            c.stop.set()
        flapper.stop.set()
        for c in checkers:
            c.join(3)
        time.sleep(3)
        after = [proc_report(procs[f"geodns-{i}"].pid) for i in range(2)]
        alive = [procs[f"geodns-{i}"].poll() is None for i in range(2)]
        print(f"\n{args.seconds} s: backend flips {flapper.flips}, zone rewrites {reloads} (last serial {serial[0] - 1}), "
              f"redis killed at {redis_killed:.0f} s and back at {redis_back:.0f} s")
        print(f"{'instance':9} {'sent':>9} {'completed':>9} {'lost':>7} {'q/s':>8} {'SERVFAIL':>8}  rcodes")
        for i, out in enumerate(outputs):
            sent, done, lost, codes, qps = dnsperf_counts(out)
            print(f"i{i:<8} {sent:9d} {done:9d} {lost:7d} {qps:8.0f} {codes.get('SERVFAIL', 0):8d}  {codes}")
        print(f"{'instance':9} {'checked':>8} {'wrong':>6} {'unanswered':>10} {'eu-west':>8} {'us-east':>8}  examples")
        for i, c in enumerate(checkers):
            print(f"i{i:<8} {c.asked:8d} {c.wrong:6d} {c.unanswered:10d} {c.seen[EU]:8d} {c.seen[US]:8d}  {'; '.join(c.examples)}")
        print(f"{'instance':9} {'alive':>5} {'RSS MB before':>13} {'after':>6} {'threads':>8} {'after':>6} {'sockets':>8} {'after':>6} {'zone loads':>10} {'failed':>6}")
        for i in range(2):
            log = open(os.path.join(work, f"geodns-{i}.log")).read()
            loaded = log.count("Loaded zone faults.bench")
            failed = log.count("not loaded")
            print(f"i{i:<8} {str(alive[i]):>5} {before[i][0]:13.1f} {after[i][0]:6.1f} {before[i][1]:8d} {after[i][1]:6d} "
                  f"{before[i][2]:8d} {after[i][2]:6d} {loaded:10d} {failed:6d}")
        bad = any(not a for a in alive) or any(c.wrong for c in checkers) or any(dnsperf_counts(o)[3].get("SERVFAIL", 0) for o in outputs)
        print("\nRESULT:", "FAIL" if bad else "ok", f"(logs in {work})")
        return 1 if bad else 0
    finally:
        for name in list(procs):
            stop(name)


if __name__ == "__main__":
    sys.exit(main())
