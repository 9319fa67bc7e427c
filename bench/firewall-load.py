#!/usr/bin/env python3
"""Event committed -> nftables element present, and a burst of blocks, through a running Orchestrator and the lab's router.

  latency ROUNDS   each round POSTs an infection.traced event whose source is a new address (10.250.x.y); `nft monitor`
                   in the router namespace timestamps the element's arrival in the blocked set. Times (ms): from just
                   before the POST ("posted") and from its 202 ("commit", the event is committed by then): p50/p90/p99/max.
  burst N          POSTs N such events in one NDJSON batch, then waits until the ledger has N active blocks and the
                   router's set has N elements; prints both times and checks that each address is there exactly once.

Usage: firewall-load.py URL INGEST_KEY ADMIN_KEY LAB_JSON latency ROUNDS [WARMUP] | burst N
"""
import json
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.request

url, ingest_key, admin_key, lab_json, mode = sys.argv[1:6]
lab = json.load(open(lab_json))
rtr = lab["namespaces"]["rtr"]


def request(method, path, key, body=None, content_type="application/json"):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    req = urllib.request.Request(url.rstrip("/") + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + key, "Content-Type": content_type})
    with urllib.request.urlopen(req, timeout=120) as response:
        text = response.read()
        return response.status, (json.loads(text) if text else None)


def address(n, net=250):
    """The n-th source address in 10.NET.0.0/16 (n < 62,500)."""
    return "10.%d.%d.%d" % (net, n // 250, n % 250 + 1)


def event(n, net=250):
    return {"@timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "event": {"category": "malware"},
            "host": {"name": "VICTIM-%d-%d" % (net, n)}, "source": {"ip": address(n, net)}, "rule": {"name": "W32.Worm.Share"}}


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def nft_elements():
    out = subprocess.run(["ip", "netns", "exec", rtr, "nft", "-j", "list", "ruleset"], capture_output=True, text=True, check=True).stdout
    found = []
    for item in json.loads(out)["nftables"]:
        s = item.get("set")
        if s and s.get("name") == "blocked":
            for e in s.get("elem", []):
                v = e.get("elem", {}).get("val") if isinstance(e, dict) else e
                found.append(v if isinstance(v, str) else json.dumps(v))
    return found


if mode == "latency":
    rounds = int(sys.argv[6])
    warmup = int(sys.argv[7]) if len(sys.argv) > 7 else 3
    arrivals = queue.Queue()
    monitor = subprocess.Popen(["ip", "netns", "exec", rtr, "nft", "monitor", "elements"], stdout=subprocess.PIPE, text=True, bufsize=1)

    def read():
        for line in monitor.stdout:
            stamp = time.monotonic()
            if line.startswith("add element"):
                for a in re.findall(r"\d+\.\d+\.\d+\.\d+", line):
                    arrivals.put((stamp, a))

    threading.Thread(target=read, daemon=True).start()
    time.sleep(0.5)
    posted, commit = [], []
    for n in range(rounds):
        want = address(n)
        t0 = time.monotonic()
        status, _ = request("POST", "/api/v1/events", ingest_key, event(n))
        t1 = time.monotonic()
        assert status == 202, status
        deadline = time.monotonic() + 10
        while True:
            stamp, got = arrivals.get(timeout=max(0.01, deadline - time.monotonic()))
            if got == want:
                break
        if n >= warmup:
            posted.append((stamp - t0) * 1000)
            commit.append((stamp - t1) * 1000)
        time.sleep(0.05)
    monitor.terminate()
    for name, values in (("posted", posted), ("commit", commit)):
        print("%-7s n=%d  p50=%.1f ms  p90=%.1f ms  p99=%.1f ms  max=%.1f ms" % (name, len(values), pct(values, 50), pct(values, 90), pct(values, 99), max(values)))
elif mode == "burst":
    n = int(sys.argv[6])
    body = ("\n".join(json.dumps(event(i, 251)) for i in range(n)) + "\n").encode()
    t0 = time.monotonic()
    status, answer = request("POST", "/api/v1/events", ingest_key, body, "application/x-ndjson")
    assert status == 202 and answer["stored"] == n, answer
    t_ledger = t_device = None
    while time.monotonic() - t0 < 120 and (t_ledger is None or t_device is None):
        if t_ledger is None:
            _, listed = request("GET", "/api/v1/containments?active=true&limit=10000", admin_key)
            active = [c for c in listed["containments"] if c["status"] == "active" and c["target"].startswith("10.251.")]
            if len(active) >= n:
                t_ledger = time.monotonic()
        if t_device is None and len([e for e in nft_elements() if e.startswith("10.251.")]) >= n:
            t_device = time.monotonic()
        time.sleep(0.05)
    elements = [e for e in nft_elements() if e.startswith("10.251.")]
    _, listed = request("GET", "/api/v1/containments?limit=10000", admin_key)
    records = [c for c in listed["containments"] if c["target"].startswith("10.251.")]
    targets = [c["target"] for c in records]
    print("burst   n=%d  all on the device after %.2f s, all active in the ledger after %.2f s" % (
        n, (t_device - t0) if t_device else float("nan"), (t_ledger - t0) if t_ledger else float("nan")))
    print("exact   device elements=%d (distinct %d), ledger records=%d (distinct targets %d, active %d, failed %d)" % (
        len(elements), len(set(elements)), len(records), len(set(targets)),
        sum(c["status"] == "active" for c in records), sum(c["status"] == "failed" for c in records)))
else:
    sys.exit("mode: latency or burst")
