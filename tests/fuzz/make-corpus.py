#!/usr/bin/env python3
"""Writes the seed corpora of the wire targets (tests/fuzz/corpus/{query,tcp,roundtrip,edns}).

Real queries come from dig: a throw-away listener on 127.0.0.1 captures what dig sends (UDP
datagrams, TCP streams) and answers nothing. Tricky ones are built here. Run from anywhere:
    python3 tests/fuzz/make-corpus.py
The zone and admin corpora are hand-written files; this script leaves them alone.
"""
import os
import socket
import struct
import subprocess
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def capture_udp(dig_args):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.settimeout(5)
    proc = subprocess.Popen(["dig", "@127.0.0.1", "-p", str(port), "+tries=1", "+time=1", *dig_args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    data, _ = s.recvfrom(65535)
    proc.wait()
    s.close()
    return data


def capture_tcp(dig_args):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    s.settimeout(5)
    proc = subprocess.Popen(["dig", "@127.0.0.1", "-p", str(port), "+tcp", "+tries=1", "+time=1", *dig_args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    conn, _ = s.accept()
    conn.settimeout(3)
    data = b""
    while True:
        if len(data) >= 2 and len(data) >= 2 + struct.unpack(">H", data[:2])[0]:
            break
        chunk = conn.recv(65535)
        if not chunk:
            break
        data += chunk
    conn.close()
    proc.wait()
    s.close()
    return data


def name_wire(name):
    out = b""
    for label in name.strip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(name, qtype=1, qclass=1, qid=0x1234, flags=0x0100, qd=1, an=0, ns=0, ar=0, tail=b""):
    return struct.pack(">HHHHHH", qid, flags, qd, an, ns, ar) + name_wire(name) + struct.pack(">HH", qtype, qclass) + tail


def opt(size=1232, rcode=0, version=0, flags=0, options=b"", owner=b"\0"):
    return owner + struct.pack(">HHBBHH", 41, size, rcode, version, flags, len(options)) + options


def ecs(family, source, scope, address):
    data = struct.pack(">HBB", family, source, scope) + address
    return struct.pack(">HH", 8, len(data)) + data


DIG = [
    ("www-a", ["www.fuzz.test", "A"]),
    ("www-a-noedns", ["www.fuzz.test", "A", "+noedns"]),
    ("www-aaaa-dnssec", ["www.fuzz.test", "AAAA", "+dnssec"]),
    ("apex-soa", ["fuzz.test", "SOA", "+nocookie"]),
    ("apex-ns", ["fuzz.test", "NS"]),
    ("apex-mx", ["fuzz.test", "MX", "+norec"]),
    ("apex-any", ["fuzz.test", "ANY", "+notcp"]),
    ("alias", ["alias.fuzz.test", "A"]),
    ("chain", ["chain1.fuzz.test", "A"]),
    ("loop", ["loop1.fuzz.test", "A"]),
    ("outside", ["outside.fuzz.test", "A"]),
    ("wildcard", ["a.b.wild.fuzz.test", "TXT"]),
    ("wildcard-cname", ["x.wcname.fuzz.test", "A"]),
    ("wildcard-pool", ["www.wpool.fuzz.test", "A", "+subnet=81.2.69.0/24"]),
    ("ent", ["b.ent.fuzz.test", "A"]),
    ("nxdomain", ["nothing.here.fuzz.test", "A"]),
    ("referral", ["host.sub.fuzz.test", "A"]),
    ("referral-ds", ["sub.fuzz.test", "DS"]),
    ("child-zone", ["www.child.fuzz.test", "A"]),
    ("dname", ["x.dn.fuzz.test", "A"]),
    ("dname-own", ["dn.fuzz.test", "DNAME"]),
    ("pool-geo-ecs4", ["www.gtm.fuzz.test", "A", "+subnet=81.2.69.0/24"]),
    ("pool-geo-ecs6", ["www.gtm.fuzz.test", "A", "+subnet=2001:db8:e0::/48"]),
    ("pool-geo-ecs0", ["www.gtm.fuzz.test", "A", "+subnet=0.0.0.0/0"]),
    ("pool-cidr", ["www.gtm.fuzz.test", "A", "+subnet=203.0.113.0/24"]),
    ("pool-failover", ["fo.gtm.fuzz.test", "A"]),
    ("pool-weighted-sticky", ["wt.gtm.fuzz.test", "A", "+subnet=198.51.100.0/24"]),
    ("pool-nearest", ["near.gtm.fuzz.test", "A", "+subnet=130.0.0.0/8"]),
    ("pool-all", ["all.gtm.fuzz.test", "A"]),
    ("pool-aaaa", ["v6.gtm.fuzz.test", "AAAA", "+subnet=2001:db8::/32"]),
    ("pool-cname", ["cn.gtm.fuzz.test", "CNAME"]),
    ("pool-nodata", ["www.gtm.fuzz.test", "TXT"]),
    ("cname-to-pool", ["topool.fuzz.test", "A"]),
    ("big-txt-udp", ["big.fuzz.test", "TXT", "+bufsize=4096"]),
    ("big-txt-512", ["big.fuzz.test", "TXT", "+noedns"]),
    ("many-a", ["many.fuzz.test", "A"]),
    ("mx-many", ["mxmany.fuzz.test", "MX"]),
    ("svcb", ["svc.fuzz.test", "SVCB"]),
    ("https", ["https.fuzz.test", "HTTPS"]),
    ("naptr", ["naptr.fuzz.test", "NAPTR"]),
    ("srv", ["_sip._udp.fuzz.test", "SRV"]),
    ("generic-type", ["unknown.fuzz.test", "TYPE65280"]),
    ("refused", ["www.example.org", "A"]),
    ("sample-www", ["www.example.com", "A", "+subnet=81.2.69.0/24"]),
    ("case", ["WwW.MiXeD.FuZz.TeSt", "A"]),
    ("nsid-cookie", ["www.fuzz.test", "A", "+nsid", "+cookie=0102030405060708"]),
    ("chaos", ["version.bind", "TXT", "CH"]),
]


def main():
    wire = {}
    for name, args in DIG:
        try:
            data = capture_udp(args)
        except TimeoutError:
            raise SystemExit(f"dig sent nothing over UDP for {name}: {args}")
        wire[name] = data
        write("query", "dig-" + name, data)

    # The round trip gets the same real queries (it checks more per input).
    for name in ["www-a", "www-a-noedns", "apex-any", "chain", "wildcard", "referral", "dname", "pool-geo-ecs4",
                 "pool-geo-ecs6", "pool-all", "pool-cname", "big-txt-udp", "big-txt-512", "many-a", "mx-many",
                 "svcb", "naptr", "refused", "case", "cname-to-pool", "wildcard-pool", "pool-nodata", "nxdomain"]:
        write("roundtrip", "dig-" + name, wire[name])

    # TCP: real dig streams, then pipelined and cut ones.
    for name, args in [("www-a", ["www.fuzz.test", "A"]), ("huge-txt", ["huge.fuzz.test", "TXT"]),
                       ("apex-any", ["fuzz.test", "ANY"]), ("pool", ["www.gtm.fuzz.test", "A", "+subnet=81.2.69.0/24"])]:
        write("tcp", "dig-" + name, capture_tcp(args))

    def frame(msg):
        return struct.pack(">H", len(msg)) + msg

    write("tcp", "pipelined-3", frame(wire["www-a"]) + frame(wire["chain"]) + frame(wire["pool-all"]))
    write("tcp", "pipelined-then-cut", frame(wire["www-a"]) + frame(wire["mx-many"])[:20])
    write("tcp", "zero-length", frame(wire["www-a"]) + b"\0\0" + frame(wire["www-a"]))
    write("tcp", "garbage-frame", frame(b"\x12") + frame(wire["www-a"]))

    # Tricky hand-built queries.
    tricky = {
        "short-header": b"\x12\x34\x01",
        "header-only": struct.pack(">HHHHHH", 1, 0x0100, 0, 0, 0, 0),
        "response-bit": query("www.fuzz.test", flags=0x8100),
        "opcode-update": query("fuzz.test", qtype=6, flags=5 << 11),
        "opcode-notify-noquestion": struct.pack(">HHHHHH", 7, 4 << 11, 0, 0, 0, 0),
        "two-questions": query("www.fuzz.test", qd=2) + name_wire("fuzz.test") + struct.pack(">HH", 1, 1),
        "pointer-in-question": struct.pack(">HHHHHH", 1, 0, 1, 0, 0, 0) + b"\xc0\x0c\x00\x01\x00\x01",
        "label-too-long": struct.pack(">HHHHHH", 1, 0, 1, 0, 0, 0) + b"\x40" + b"a" * 64 + b"\0\0\1\0\1",
        "name-255": query(".".join(["a" * 63] * 3 + ["b" * 61])),
        "qtype-opt": query("www.fuzz.test", qtype=41, ar=1, tail=opt()),
        "qtype-65535": query("www.fuzz.test", qtype=65535),
        "qtype-0": query("www.fuzz.test", qtype=0),
        "qclass-any": query("www.fuzz.test", qclass=255),
        "ixfr": query("fuzz.test", qtype=251),
        "axfr": query("fuzz.test", qtype=252),
        "edns-version-1": query("www.fuzz.test", ar=1, tail=opt(version=1)),
        "edns-two-opt": query("www.fuzz.test", ar=2, tail=opt() + opt()),
        "edns-opt-not-root": query("www.fuzz.test", ar=1, tail=opt(owner=b"\x01a\0")),
        "edns-size-0": query("www.fuzz.test", ar=1, tail=opt(size=0)),
        "edns-size-65535-big": query("huge.fuzz.test", qtype=16, ar=1, tail=opt(size=65535)),
        "ecs-scope-nonzero": query("www.gtm.fuzz.test", ar=1, tail=opt(options=ecs(1, 24, 8, b"\x51\x02\x45"))),
        "ecs-stray-bits": query("www.gtm.fuzz.test", ar=1, tail=opt(options=ecs(1, 20, 0, b"\x51\x02\x4f"))),
        "ecs-family-3": query("www.gtm.fuzz.test", ar=1, tail=opt(options=ecs(3, 0, 0, b""))),
        "ecs-v6-128": query("v6.gtm.fuzz.test", qtype=28, ar=1, tail=opt(options=ecs(2, 128, 0, bytes(range(16))))),
        "ecs-twice": query("www.gtm.fuzz.test", ar=1, tail=opt(options=ecs(1, 8, 0, b"\x51") + ecs(1, 8, 0, b"\x51"))),
        "option-cut": query("www.gtm.fuzz.test", ar=1, tail=opt(options=b"\x00\x08\x00\x09\x00\x01")),
        "answer-section-in-query": query("www.fuzz.test", an=1, tail=b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x04\xc0\x00\x02\x01"),
        "record-cut": query("www.fuzz.test", ns=1, tail=b"\xc0\x0c\x00\x01\x00\x01\x00\x00"),
        "trailing-garbage": query("www.fuzz.test") + b"\xff" * 7,
        "id-all-down": query("www.gtm.fuzz.test", qid=0x03FF),
        "id-drain-pin-v6": query("wt.gtm.fuzz.test", qid=0xE400 | 0x15),
        "id-pin-fo": query("fo.gtm.fuzz.test", qid=0x3003),
        "wildcard-deleg": query("x.y.wdeleg.fuzz.test"),
        "self-cname": query("self.fuzz.test"),
        "ds-at-apex": query("fuzz.test", qtype=43),
        "huge-udp-4096": query("huge.fuzz.test", qtype=16, ar=1, tail=opt(size=4096)),
        "mxmany-tcp-size": query("tomany.fuzz.test", qtype=15, ar=1, tail=opt(size=65000)),
    }
    for name, data in tricky.items():
        write("query", name, data)
        if name.startswith(("ecs", "edns", "qtype", "id-", "mxmany", "huge", "pointer", "two", "opcode")):
            write("roundtrip", name, data)

    # EDNS target: [question selector][UDP size][ext rcode][version][flags 2][options...]
    def edns(sel, size=1232, rcode=0, version=0, flags=0, options=b""):
        return struct.pack(">BHBBH", sel, size, rcode, version, flags) + options

    def option(code, data):
        return struct.pack(">HH", code, len(data)) + data

    def ecs_data(family, source, scope, address):
        return struct.pack(">HBB", family, source, scope) + address

    edns_cases = {
        "none": edns(0),
        "do-bit": edns(0, flags=0x8000),
        "version-1": edns(0, version=1),
        "small-size": edns(4, size=100),
        "ecs4-24": edns(0, options=option(8, ecs_data(1, 24, 0, b"\x51\x02\x45"))),
        "ecs4-32": edns(1, options=option(8, ecs_data(1, 32, 0, b"\xcb\x00\x71\x09"))),
        "ecs4-0": edns(0, options=option(8, ecs_data(1, 0, 0, b""))),
        "ecs4-13": edns(3, options=option(8, ecs_data(1, 13, 0, b"\x82\x08"))),
        "ecs6-56": edns(2, options=option(8, ecs_data(2, 56, 0, bytes.fromhex("20010db800e000")))),
        "ecs6-128": edns(2, options=option(8, ecs_data(2, 128, 0, bytes.fromhex("20010db800e000000000000000000001")))),
        "ecs-scope": edns(0, options=option(8, ecs_data(1, 24, 24, b"\x51\x02\x45"))),
        "ecs-family-0": edns(0, options=option(8, ecs_data(0, 0, 0, b""))),
        "ecs-too-long": edns(0, options=option(8, ecs_data(1, 8, 0, b"\x51\x02"))),
        "ecs-prefix-33": edns(0, options=option(8, ecs_data(1, 33, 0, b"\x51\x02\x45\x01\x00"))),
        "cookie": edns(0, options=option(10, bytes(range(8)))),
        "nsid-padding": edns(0, options=option(3, b"") + option(12, bytes(20))),
        "cookie-and-ecs": edns(5, options=option(10, bytes(range(24))) + option(8, ecs_data(1, 16, 0, b"\xc6\x33"))),
        "cut-header": edns(0, options=b"\x00\x08\x00"),
        "cut-data": edns(0, options=b"\x00\x08\x00\x08\x00\x01"),
        "opt-question": edns(11),
        "refused-ecs": edns(7, options=option(8, ecs_data(1, 24, 0, b"\x51\x02\x45"))),
        "big-truncated": edns(8, size=512, options=option(8, ecs_data(2, 48, 0, bytes.fromhex("20010db8e000")))),
        "child-pool": edns(10, options=option(8, ecs_data(1, 8, 0, b"\x3e"))),
    }
    for name, data in edns_cases.items():
        write("edns", name, data)


if __name__ == "__main__":
    main()
