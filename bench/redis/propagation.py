#!/usr/bin/env python3
"""Drain propagation benchmark: one redis-server and two `geodns serve` instances on loopback.

Each trial drains a region through instance A's admin API and polls instance B every
millisecond until B's answer changes (or, with --observe api, until B's /api/v1/pools shows
the member unusable), then undrains and waits for B to revert. Prints p50/p99 over the trials.

  bench/redis/propagation.py --geodns src/GeoDns/bin/Release/net10.0/geodns \
      --zones bench/redis/zones --name www.gtm.bench.test --region eu-west --trials 50

The zone must route the name to the drained region while it is undrained (bench/redis/zones
does: a failover pool whose first member is in eu-west).
"""
import argparse, json, os, shutil, signal, socket, struct, subprocess, sys, tempfile, time, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import encode_query, free_port, http, write_token  # noqa: E402


def dns_query(port, name, timeout=0.2):
    _, packet, _ = encode_query(name)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(packet, ("127.0.0.1", port))
        data, _ = s.recvfrom(4096)
    return data[12:]  # the answer, header stripped (ID differs per query)


def wait(cond, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if cond():
                return
        except OSError:
            pass
        time.sleep(0.01)
    raise SystemExit("timed out waiting for " + what)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--geodns", default="src/GeoDns/bin/Release/net10.0/geodns")
    ap.add_argument("--zones", default=os.path.join(os.path.dirname(__file__), "zones"))
    ap.add_argument("--name", default="www.gtm.bench.test")
    ap.add_argument("--region", default="eu-west")
    ap.add_argument("--pool", default="www.gtm.bench.test.", help="pool whose member state --observe api reads")
    ap.add_argument("--observe", choices=["dns", "api"], default="dns")
    ap.add_argument("--trials", type=int, default=50)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="geodns-bench-")
    token, token_file = write_token(work, "bench")
    redis_port = free_port()
    procs = []
    try:
        procs.append(subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                       "--appendonly", "no"], stdout=subprocess.DEVNULL))
        nodes = {}
        for name in ("a", "b"):
            dns, admin = free_port(socket.SOCK_DGRAM), free_port()
            log = open(os.path.join(work, name + ".log"), "w")
            procs.append(subprocess.Popen([args.geodns, "serve", "--zones", args.zones, "--dns", f"127.0.0.1:{dns}",
                                           "--admin", f"127.0.0.1:{admin}", "--admin-token-file", token_file,
                                           "--redis", f"127.0.0.1:{redis_port}", "--instance", name],
                                          stdout=log, stderr=subprocess.STDOUT))
            nodes[name] = (dns, f"http://127.0.0.1:{admin}")
        for name, (dns, admin) in nodes.items():
            wait(lambda: http("GET", admin + "/readyz")[0] == 200, 20, f"{name} ready")
            wait(lambda: dns_query(dns, args.name), 20, f"{name} answering")
        a_admin, (b_dns, b_admin) = nodes["a"][1], nodes["b"]

        print("without token:", http("POST", f"{a_admin}/api/v1/regions/{args.region}/drain")[0])

        def observe():
            if args.observe == "dns":
                return dns_query(b_dns, args.name)
            pools = json.loads(http("GET", b_admin + "/api/v1/pools")[1])
            return tuple(m["usable"] for p in pools["pools"] if p["name"] == args.pool for m in p["members"])

        times, posts = [], []
        for trial in range(args.trials):
            before = observe()
            start = time.perf_counter()
            status, body = http("POST", f"{a_admin}/api/v1/regions/{args.region}/drain", token)
            posts.append((time.perf_counter() - start) * 1000)
            if status != 200:
                raise SystemExit(f"drain failed: {status} {body!r}")
            while observe() == before:
                if time.perf_counter() - start > 5:
                    raise SystemExit("B's answer did not change within 5 s")
                time.sleep(0.001)
            times.append((time.perf_counter() - start) * 1000)
            http("POST", f"{a_admin}/api/v1/regions/{args.region}/undrain", token)
            wait(lambda: observe() == before, 5, "undrain on B")
        slowest = sorted(enumerate(times, 1), key=lambda t: -t[1])[:3]
        times.sort()
        p = lambda q: times[min(len(times) - 1, int(q * len(times)))]
        print(f"drain on A -> changed answer on B ({args.observe}), {len(times)} trials: "
              f"p50 {p(0.5):.1f} ms, p99 {p(0.99):.1f} ms, max {times[-1]:.1f} ms "
              f"(slowest: {', '.join(f'trial {i} {t:.1f} ms' for i, t in slowest)}); "
              f"of which A's POST round trip: median {sorted(posts)[len(posts) // 2]:.1f} ms, "
              f"in the slowest trial {posts[slowest[0][0] - 1]:.1f} ms")
        return 0 if p(0.99) <= 100 else 1
    finally:
        for proc in reversed(procs):
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
