"""Helpers shared by the shared-state benchmark scripts (loopback only)."""
import os, random, socket, struct, urllib.error, urllib.request


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encode_query(name, qtype=1):
    """(id, packet, encoded question name) of a recursion-desired query for NAME."""
    qid = random.randrange(65536)
    qname = b"".join(bytes([len(l)]) + l.encode() for l in name.rstrip(".").split(".")) + b"\0"
    return qid, struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + qname + struct.pack(">HH", qtype, 1), qname


def http(method, url, token=None, body=None):
    data = body.encode() if body is not None else (b"" if method == "POST" else None)
    req = urllib.request.Request(url, method=method, data=data)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def write_token(work, prefix):
    """A random admin token and the file (in WORK) that geodns reads it from."""
    token = prefix + "-" + str(random.randrange(1 << 60))
    token_file = os.path.join(work, "token")
    with open(token_file, "w") as f:
        f.write(token + "\n")
    return token, token_file
