#!/usr/bin/env python3
"""Shared-state acceptance checks: one redis-server and two real `geodns serve` instances on loopback.

  bench/redis/acceptance.py [--geodns src/GeoDns/bin/Release/net10.0/geodns]

(a) a drain through A's admin API shows in B's DNS answers within 0.2 s, 10 trials out of 10;
(b) a POST without the token (and with a wrong one) is refused with 401/403;
(c) redis-server killed (SIGKILL): both instances answer 400 of 400 queries each, the answers stay
    what they were, no member turns Down or unusable (checked over more than 3 vote lifetimes);
(d) redis-server restarted empty (no persistence) after A changed overrides during the outage:
    B converges on A's overrides and sees fresh votes from A within 10 s.

The zone (written to a temporary directory) has a failover pool www.gtm.accept.test with
members eu-west 198.51.100.10 and us-east 192.0.2.10, both health-checked (tcp, 250 ms) against a
listener this script runs on 127.0.0.1, so the instances have votes to share.
Exit status 0 when every check passes. Prints one line per check and the figures.
"""
import argparse, json, os, shutil, signal, socket, statistics, struct, subprocess, sys, tempfile, threading, time
import urllib.request
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import encode_query, free_port, http, write_token  # noqa: E402

NAME = "www.gtm.accept.test"
POOL = NAME + "."
EU, US = "198.51.100.10", "192.0.2.10"


def answer(port, timeout=1.0):
    """The first A record for NAME as text ('' when the answer is empty), or None on no reply / error rcode."""
    qid, query, qname = encode_query(NAME)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(query, ("127.0.0.1", port))
        try:
            while True:
                data = s.recv(1500)
                if struct.unpack(">H", data[:2])[0] == qid:
                    break
        except socket.timeout:
            return None
    if data[3] & 0x0F != 0:
        return None
    if struct.unpack(">H", data[6:8])[0] == 0:
        return ""
    at = 12 + len(qname) + 4
    at += 2 if data[at] & 0xC0 == 0xC0 else len(qname)
    rtype, _, _, length = struct.unpack(">HHIH", data[at:at + 10])
    return socket.inet_ntoa(data[at + 10:at + 14]) if rtype == 1 and length == 4 else "?"


def wait(cond, timeout, interval=0.005):
    """Polls cond until true; returns the seconds it took, or None on timeout."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if cond():
                return time.monotonic() - start
        except OSError:
            pass
        time.sleep(interval)
    return None


def listener():
    """A TCP listener on 127.0.0.1 that accepts and closes: the tcp health check target."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)

    def loop():
        while True:
            try:
                conn, _ = server.accept()
                conn.close()
            except OSError:
                return

    threading.Thread(target=loop, daemon=True).start()
    return server


class Node:
    def __init__(self, name, dns, admin):
        self.name, self.dns, self.admin = name, dns, f"http://127.0.0.1:{admin}"

    def pools(self):
        return json.loads(http("GET", self.admin + "/api/v1/pools")[1])

    def members(self):
        return [m for p in self.pools()["pools"] if p["name"] == POOL for m in p["members"]]

    def overrides(self):
        o = json.loads(http("GET", self.admin + "/api/v1/overrides")[1])
        return (sorted(o["drainedRegions"]), sorted((m["pool"], m["member"], m["state"]) for m in o["members"]),
                sorted((p["pool"], p["region"]) for p in o["pins"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--geodns", default="src/GeoDns/bin/Release/net10.0/geodns")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="geodns-accept-")
    token, token_file = write_token(work, "accept")
    target = listener()
    zones = os.path.join(work, "zones")
    os.mkdir(zones)
    with open(os.path.join(zones, "accept.test.zone"), "w") as f:
        f.write(f"""$ORIGIN accept.test.
$TTL 60
@        SOA    ns1 hostmaster 1 7200 900 1209600 60
@        NS     ns1
ns1      A      192.0.2.53
$REGION  us-east  continents=NA countries=US
$REGION  eu-west  continents=EU countries=IE
$CHECK   alive tcp port={target.getsockname()[1]} target=127.0.0.1 interval=250ms timeout=200ms
www.gtm  5  POOL    A  policy=failover max-answers=1 check=alive
www.gtm  5  MEMBER  eu-west  {EU}
www.gtm  5  MEMBER  us-east  {US}
""")
    redis_port = free_port()
    redis_cmd = ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    procs = []
    results = []

    def check(label, ok, detail):
        results.append(ok)
        print(f"({label}) {'PASS' if ok else 'FAIL'}: {detail}", flush=True)

    def start_redis():
        proc = subprocess.Popen(redis_cmd, stdout=subprocess.DEVNULL)
        procs.append(proc)
        if wait(lambda: socket.create_connection(("127.0.0.1", redis_port), 0.2).close() or True, 10) is None:
            raise SystemExit("redis-server did not start")
        return proc

    try:
        redis = start_redis()
        nodes = []
        for name in ("a", "b"):
            dns, admin = free_port(socket.SOCK_DGRAM), free_port()
            log = open(os.path.join(work, name + ".log"), "w")
            procs.append(subprocess.Popen([args.geodns, "serve", "--zones", zones, "--dns", f"127.0.0.1:{dns}",
                                           "--admin", f"127.0.0.1:{admin}", "--admin-token-file", token_file,
                                           "--redis", f"127.0.0.1:{redis_port}", "--instance", name],
                                          stdout=log, stderr=subprocess.STDOUT))
            nodes.append(Node(name, dns, admin))
        a, b = nodes
        for n in nodes:
            if wait(lambda: http("GET", n.admin + "/readyz")[0] == 200 and answer(n.dns) == EU, 30, 0.05) is None:
                raise SystemExit(f"instance {n.name} never became ready answering {EU}; log in {work}")
        # both instances see both members up, and each other's votes
        wait(lambda: all(len(m["votes"]) == 2 for n in nodes for m in n.members()), 10, 0.05)

        # (a) drain on A -> B's answer within 0.2 s, 10 trials
        times = []
        for _ in range(10):
            start = time.perf_counter()
            status, body = http("POST", f"{a.admin}/api/v1/regions/eu-west/drain", token)
            if status != 200:
                raise SystemExit(f"drain failed: {status} {body!r}")
            seen = wait(lambda: answer(b.dns) == US, 5, 0.001)
            times.append((time.perf_counter() - start) * 1000 if seen is not None else float("inf"))
            http("POST", f"{a.admin}/api/v1/regions/eu-west/undrain", token)
            if wait(lambda: answer(b.dns) == EU, 5) is None:
                raise SystemExit("undrain never reached B")
        check("a", all(t <= 200 for t in times),
              f"drain on A seen in B's answers: {sum(t <= 200 for t in times)}/10 within 0.2 s; "
              f"median {statistics.median(times):.1f} ms, max {max(times):.1f} ms ({', '.join(f'{t:.0f}' for t in times)} ms)")

        # (b) no token / wrong token
        codes = [http("POST", f"{a.admin}/api/v1/regions/eu-west/drain")[0],
                 http("POST", f"{a.admin}/api/v1/regions/eu-west/drain", "wrong-token")[0],
                 http("POST", f"{b.admin}/api/v1/pools/{POOL}/members/{EU}/state?state=down")[0]]
        unchanged = answer(a.dns) == EU and answer(b.dns) == EU and a.overrides() == ([], [], [])
        check("b", all(c in (401, 403) for c in codes) and unchanged,
              f"POST without token -> {codes[0]}, wrong token -> {codes[1]}, member state on B without token -> {codes[2]}; "
              f"overrides unchanged: {unchanged}")

        # (c) pin to us-east (shared), then kill Redis: 400 queries to each, answers unchanged, nothing Down
        status, _ = http("POST", f"{a.admin}/api/v1/pools/{POOL}/pin/us-east", token)
        if status != 200 or wait(lambda: answer(b.dns) == US, 5) is None:
            raise SystemExit(f"pin failed or never reached B ({status})")
        before = {n.name: n.members() for n in nodes}
        redis.kill()
        redis.wait()
        killed = time.monotonic()
        answered = {n.name: 0 for n in nodes}
        same = {n.name: 0 for n in nodes}
        bad = []
        for i in range(400):
            for n in nodes:
                got = answer(n.dns)
                answered[n.name] += got is not None
                same[n.name] += got == US
            if i % 40 == 0:
                for n in nodes:
                    for m in n.members():
                        if not m["usable"] or "down" in (m["local"], m["shared"]):
                            bad.append((n.name, m["member"], m["usable"], m["local"], m["shared"]))
            time.sleep(0.008)
        outage = time.monotonic() - killed
        degraded = all(n.pools()["sharedState"]["degraded"] for n in nodes)
        after = {n.name: [(m["member"], m["usable"], m["shared"]) for m in n.members()] for n in nodes}
        before_cmp = {k: [(m["member"], m["usable"], m["shared"]) for m in v] for k, v in before.items()}
        ok = all(answered[n.name] == 400 and same[n.name] == 400 for n in nodes) and not bad and after == before_cmp
        check("c", ok and degraded,
              f"Redis killed: A answered {answered['a']}/400 ({same['a']} unchanged), B answered {answered['b']}/400 "
              f"({same['b']} unchanged) over {outage:.1f} s; members down/unusable seen: {len(bad)}; "
              f"member states same as before: {after == before_cmp}; both report degraded: {degraded}")

        # (d) during the outage A unpins and drains us-east (local only, 202); Redis restarts empty; B must converge
        s1, _ = http("POST", f"{a.admin}/api/v1/pools/{POOL}/unpin", token)
        s2, _ = http("POST", f"{a.admin}/api/v1/regions/us-east/drain", token)
        a_state = a.overrides()
        local_only = s1 == 202 and s2 == 202 and answer(a.dns) == EU and answer(b.dns) == US
        redis = start_redis()
        restarted = time.time()

        def converged():
            if b.overrides() != a.overrides() or answer(b.dns) != EU:
                return False
            for m in b.members():
                votes = {v["instance"]: v for v in m["votes"]}
                if "a" not in votes or votes["a"]["status"] != "up":
                    return False
                at = votes["a"]["at"]
                # a vote asserted after the restart proves it came through the new Redis
                if datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp() < restarted:
                    return False
            return True

        took = wait(converged, 10, 0.02)
        check("d", local_only and took is not None and a.overrides() == a_state,
              f"changes on A during the outage answered {s1}/{s2} (applied locally only: {local_only}); Redis restarted empty; "
              f"B converged on A's overrides {a_state} and fresh votes from A "
              + (f"in {took:.2f} s" if took is not None else f"NOT within 10 s (B has {b.overrides()})"))
        return 0 if all(results) else 1
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        target.close()
        if all(results) and results:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"logs kept in {work}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
