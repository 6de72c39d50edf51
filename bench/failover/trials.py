#!/usr/bin/env python3
"""Failover trials for run.sh: kill/restart the primary backend, poll the DNS answer.

Polls over a UDP socket from this one process every 50 ms (forking dig per poll adds
hundreds of ms of noise on a loaded machine). Prints one line per trial, then median and worst.
usage: trials.py TRIALS DNS_PORT HTTP_PORT WWW_DIR
"""
import os, random, signal, socket, statistics, struct, subprocess, sys, time

trials, dns_port, http_port, www = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
NAME = b"\x03www\x03gtm\x05bench\x00"
POLL = 0.05


def answer():
    """First A record of www.gtm.bench. as text, or None."""
    qid = random.randrange(65536)
    query = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + NAME + struct.pack(">HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(1)
        s.sendto(query, ("127.0.0.1", dns_port))
        try:
            data = s.recv(1500)
        except socket.timeout:
            return None
    if struct.unpack(">H", data[:2])[0] != qid or struct.unpack(">H", data[6:8])[0] == 0:
        return None
    at = 12 + len(NAME) + 4
    at += 2 if data[at] & 0xC0 == 0xC0 else len(NAME)
    rtype, _, _, length = struct.unpack(">HHIH", data[at:at + 10])
    return socket.inet_ntoa(data[at + 10:at + 14]) if rtype == 1 and length == 4 else None


def wait_for(expected, limit=10.0):
    start = time.monotonic()
    while answer() != expected:
        if time.monotonic() - start > limit:
            raise SystemExit(f"no answer {expected} within {limit} s")
        time.sleep(POLL)
    return time.monotonic()


def backend(address):
    return subprocess.Popen([sys.executable, "-m", "http.server", str(http_port), "--bind", address, "--directory", www],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def listening(address):
    try:
        socket.create_connection((address, http_port), timeout=0.2).close()
        return True
    except OSError:
        return False


pid = int(open(os.path.join(www, "..", "primary.pid")).read())
wait_for("127.0.0.2", 20)
time.sleep(1)
failovers, failbacks = [], []
primary = None
for trial in range(1, trials + 1):
    t0 = time.monotonic()
    if primary is None:
        os.kill(pid, signal.SIGKILL)
    else:
        primary.kill()
        primary.wait()
    t1 = wait_for("127.0.0.3")
    primary = backend("127.0.0.2")
    while not listening("127.0.0.2"):
        time.sleep(0.01)
    t2 = time.monotonic()
    t3 = wait_for("127.0.0.2")
    failovers.append(t1 - t0)
    failbacks.append(t3 - t2)
    print(f"trial {trial}: failover {t1 - t0:.3f} s, failback {t3 - t2:.3f} s", flush=True)
    time.sleep(1)
primary.kill()
primary.wait()
for name, values in (("failover", failovers), ("failback", failbacks)):
    print(f"{name}: median {statistics.median(values):.3f} s, worst {max(values):.3f} s over {len(values)} trials")
