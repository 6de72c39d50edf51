#!/usr/bin/env python3
"""Spoofed-source UDP flood against one DNS server while a legitimate client keeps asking.

flood.py PORT SECONDS FLOOD_SOURCES LEGIT_SOURCE [RATE]
  FLOOD_SOURCES: comma-separated 127.0.0.x addresses the flood is sent from (one socket each,
  as a reflection attack spoofing a victim's network would); RATE: flood queries per second
  in total (default: as fast as Python sends). The legitimate client asks one query at a time
  (1 s deadline, 20 ms apart). Prints sent / full answers / truncated (TC=1) per source.
"""
import socket, struct, sys, threading, time

port, seconds = int(sys.argv[1]), float(sys.argv[2])
flood_sources = sys.argv[3].split(',')
legit_source = sys.argv[4]
rate = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
server = ('127.0.0.1', port)


def query(qid, name='www.rrl.bench'):
    q = struct.pack('>HHHHHH', qid & 0xFFFF, 0x0100, 1, 0, 0, 0)
    for label in name.split('.'):
        q += bytes([len(label)]) + label.encode()
    return q + b'\x00\x00\x01\x00\x01'


def classify(reply):
    tc = reply[2] & 0x02
    answers = struct.unpack('>H', reply[6:8])[0]
    return 'full' if answers > 0 and not tc else 'truncated' if tc else 'other'


stats = {s: {'sent': 0, 'full': 0, 'truncated': 0, 'other': 0} for s in flood_sources + [legit_source]}
stop = threading.Event()


def receiver(sock, source):
    sock.settimeout(0.2)
    while True:
        try:
            data = sock.recv(4096)
        except socket.timeout:
            if stop.is_set():
                return
            continue
        stats[source][classify(data)] += 1


def flooder():
    socks = []
    for s in flood_sources:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
        sock.bind((s, 0))
        sock.connect(server)
        socks.append((sock, s))
        threading.Thread(target=receiver, args=(sock, s), daemon=True).start()
    packet = query(1)
    end = time.monotonic() + seconds
    start = time.monotonic()
    i = 0
    while time.monotonic() < end:
        sock, s = socks[i % len(socks)]
        try:
            sock.send(packet)
            stats[s]['sent'] += 1
        except OSError:
            pass
        i += 1
        if rate and i % 100 == 0:
            ahead = i / rate - (time.monotonic() - start)
            if ahead > 0:
                time.sleep(ahead)


def legit():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((legit_source, 0))
    sock.connect(server)
    sock.settimeout(1.0)
    st = stats[legit_source]
    end = time.monotonic() + seconds
    qid = 0
    while time.monotonic() < end:
        qid += 1
        sock.send(query(qid))
        st['sent'] += 1
        try:
            while True:
                data = sock.recv(4096)
                if struct.unpack('>H', data[:2])[0] == qid & 0xFFFF:
                    st[classify(data)] += 1
                    break
        except socket.timeout:
            pass
        time.sleep(0.02)


threads = [threading.Thread(target=flooder), threading.Thread(target=legit)]
for t in threads:
    t.start()
for t in threads:
    t.join()
time.sleep(1.0)
stop.set()
time.sleep(0.3)
print(f"{'source':<14} {'role':<11} {'sent':>8} {'answered':>9} {'truncated':>10} {'unanswered':>11}")
for s, st in stats.items():
    role = 'legitimate' if s == legit_source else 'flood'
    lost = st['sent'] - st['full'] - st['truncated'] - st['other']
    print(f"{s:<14} {role:<11} {st['sent']:>8} {st['full']:>9} {st['truncated']:>10} {lost:>11}")
