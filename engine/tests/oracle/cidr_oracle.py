"""The oracle for `netdoc cidr`: Python 3's ipaddress module answers the same requests.

Reads one JSON request per line on stdin, writes one JSON answer per line. Usable hosts
are Python's own `hosts()`: enumerated for networks of up to 2^16 addresses; for larger
ones the first host is `next(hosts())` and the count and last host follow the rule
ipaddress implements (network and broadcast excluded for IPv4 below /31, only the
network address for IPv6 below /127).
"""
import ipaddress
import itertools
import json
import sys


def usable(net):
    if net.num_addresses <= 1 << 16:
        hs = list(net.hosts())
        return len(hs), str(hs[0]), str(hs[-1])
    first = next(net.hosts())
    if net.version == 4:
        return net.num_addresses - 2, str(first), str(net.broadcast_address - 1)
    return net.num_addresses - 1, str(first), str(net.broadcast_address)


def info(net):
    count, first, last = usable(net)
    return {
        "cidr": str(net),
        "version": net.version,
        "network": str(net.network_address),
        "prefix": net.prefixlen,
        "netmask": str(net.netmask),
        "hostmask": str(net.hostmask),
        "first_address": str(net.network_address),
        "last_address": str(net.broadcast_address),
        "broadcast": str(net.broadcast_address) if net.version == 4 else None,
        "addresses": str(net.num_addresses),
        "hosts": str(count),
        "first_host": first,
        "last_host": last,
    }


def hosts_prefix(n, v6):
    width = 128 if v6 else 32
    base = ipaddress.IPv6Address(0) if v6 else ipaddress.IPv4Address(0)
    for p in range(width, -1, -1):
        net = ipaddress.ip_network((base, p))
        if usable(net)[0] >= n:
            return p
    return None


for line in sys.stdin:
    req = json.loads(line)
    op = req["op"]
    if op == "info":
        out = info(ipaddress.ip_network(req["net"], strict=False))
    elif op == "split":
        net = ipaddress.ip_network(req["net"], strict=False)
        subs = net.subnets(new_prefix=req["prefix"])
        out = {
            "count": str(1 << (req["prefix"] - net.prefixlen)),
            "subnets": [str(s) for s in itertools.islice(subs, req["limit"])],
        }
    elif op == "hosts":
        out = {"prefix": hosts_prefix(int(req["n"]), req["v6"])}
    elif op == "overlap":
        nets = [ipaddress.ip_network(n, strict=False) for n in req["nets"]]
        pairs = []
        for i, a in enumerate(nets):
            for b in nets[i + 1:]:
                if a.version == b.version and a.overlaps(b):
                    shared = b if b.subnet_of(a) else a
                    pairs.append({"a": str(a), "b": str(b), "shared": str(shared)})
        out = {"overlaps": pairs}
    print(json.dumps(out), flush=False)
