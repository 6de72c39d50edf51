#!/usr/bin/env python3
"""Start a DNS server and time how long until it answers a zone's SOA.

Usage: first_answer.py PORT ZONE -- COMMAND [ARG ...]

The clock starts just before the server process is spawned. A UDP SOA query goes to
127.0.0.1:PORT every POLL_MS milliseconds (default 2; one raw socket, so polling costs far less
CPU than starting dig each time) until a NOERROR reply with an answer comes back. Prints one line
"ms=<wall milliseconds> cpu_ms=<server user+system milliseconds up to then>", then stops the
server by its PID (SIGTERM, SIGKILL after 5 s). Exit 1 when no answer came within TIMEOUT_S.
"""
import os
import random
import signal
import socket
import struct
import subprocess
import sys
import time


def soa_query(zone: str, qid: int) -> bytes:
    name = b"".join(bytes([len(p)]) + p.encode() for p in zone.strip(".").split(".") if p) + b"\0"
    return struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0) + name + struct.pack(">HH", 6, 1)


def answered(reply: bytes, qid: int) -> bool:
    if len(reply) < 12:
        return False
    rid, flags, _, ancount = struct.unpack(">HHHH", reply[:8])
    return rid == qid and flags & 0x8000 and flags & 0xF == 0 and ancount > 0


def cpu_ms(pid: int) -> float:
    # utime + stime of the whole process (all its threads), in clock ticks
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")
    except OSError:
        return float("nan")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main() -> int:
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    port, zone, command = int(sys.argv[1]), sys.argv[2], sys.argv[4:]
    poll = float(os.environ.get("POLL_MS", "2")) / 1000
    limit = float(os.environ.get("TIMEOUT_S", "30"))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect(("127.0.0.1", port))
    sock.settimeout(poll)
    log = open(os.environ.get("SERVER_LOG", os.devnull), "ab")
    t0 = time.monotonic()
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        while time.monotonic() - t0 < limit:
            if proc.poll() is not None:
                print(f"server exited with {proc.returncode} before answering", file=sys.stderr)
                return 1
            qid = random.randrange(1, 65536)
            try:
                sock.send(soa_query(zone, qid))
                deadline = time.monotonic() + poll
                while time.monotonic() < deadline:
                    if answered(sock.recv(4096), qid):
                        elapsed = (time.monotonic() - t0) * 1000
                        print(f"ms={elapsed:.1f} cpu_ms={cpu_ms(proc.pid):.0f}")
                        return 0
            except ConnectionRefusedError:
                time.sleep(poll)  # nothing bound yet (ICMP port unreachable)
            except socket.timeout:
                pass
        print(f"no answer within {limit} s", file=sys.stderr)
        return 1
    finally:
        stop(proc)


if __name__ == "__main__":
    sys.exit(main())
