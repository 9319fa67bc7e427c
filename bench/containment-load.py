#!/usr/bin/env python3
"""Event committed -> switch port contained, in the lab, through a running Orchestrator.

Each round: h1 pings its gateway (so the switch's ARP table knows it, as it would in real life); an
infection.traced event naming h1's IP as the source is POSTed; `ip monitor link` in the switch namespace
says when h1's port changes (admin down for shutdown, master br99 for quarantine); then the containment is
released through the API and the port is seen back. Times (ms) per round:
  posted  : from just before the POST to the port change (upper bound: includes HTTP and the commit)
  commit  : from the POST's 202 (the event is committed by then) to the port change
Prints p50/p90/p99/max of both after WARMUP rounds.

Usage: containment-load.py URL INGEST_KEY ADMIN_KEY LAB_JSON ACTION ROUNDS [WARMUP]
  ACTION: shutdown | quarantine (must match the playbook the service runs)
"""
import json
import queue
import re
import subprocess
import sys
import threading
import time
import urllib.request

url, ingest_key, admin_key, lab_json, action, rounds = sys.argv[1:7]
rounds = int(rounds)
warmup = int(sys.argv[7]) if len(sys.argv) > 7 else 3
lab = json.load(open(lab_json))
sw, h1 = lab["namespaces"]["sw"], lab["namespaces"]["h1"]
h1_ip, gateway = lab["addresses"]["h1"], lab["addresses"]["gateway"]


def request(method, path, key, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url.rstrip("/") + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as response:
        text = response.read()
        return response.status, (json.loads(text) if text else None)


# `ip -o monitor link` prints one line per change: "5: p1@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> ... master br10 state UP ..."
changes = queue.Queue()
monitor = subprocess.Popen(["ip", "-n", sw, "-o", "monitor", "link"], stdout=subprocess.PIPE, text=True, bufsize=1)


def read_monitor():
    for line in monitor.stdout:
        stamp = time.monotonic()
        m = re.match(r"^(?:Deleted )?\d+: p1[@:]", line)
        if not m:
            continue
        flags = re.search(r"<([^>]*)>", line)
        master = re.search(r" master (\S+)", line)
        changes.put((stamp, set(flags.group(1).split(",")) if flags else set(), master.group(1) if master else None))


threading.Thread(target=read_monitor, daemon=True).start()
time.sleep(0.5)


def contained(flags, master):
    return "UP" not in flags if action == "shutdown" else master == "br99"


def wait_change(predicate, seconds=10):
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the port did not change within %ds" % seconds)
        try:
            stamp, flags, master = changes.get(timeout=left)
        except queue.Empty:
            continue
        if predicate(flags, master):
            return stamp


def drain():
    while not changes.empty():
        changes.get_nowait()


posted_ms, commit_ms = [], []
for n in range(rounds):
    subprocess.run(["ip", "netns", "exec", h1, "ping", "-c1", "-W1", "-n", gateway], stdout=subprocess.DEVNULL, check=False)
    drain()
    event = {"@timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "event": {"category": "malware"},
             "host": {"name": "VICTIM-%d" % n}, "source": {"ip": h1_ip}, "rule": {"name": "W32.Worm.Share"}}
    t0 = time.monotonic()
    status, _ = request("POST", "/api/v1/events", ingest_key, event)
    t1 = time.monotonic()
    assert status == 202, status
    t2 = wait_change(contained)
    if n >= warmup:
        posted_ms.append((t2 - t0) * 1000)
        commit_ms.append((t2 - t1) * 1000)
    # The run records the containment after the change is read back; release it once it is active.
    active = []
    for _ in range(200):
        _, listed = request("GET", "/api/v1/containments?active=true", admin_key)
        active = [c for c in listed["containments"] if c["status"] == "active"]
        if active:
            break
        time.sleep(0.01)
    assert len(active) == 1, "expected one active containment, got %s" % active
    request("POST", "/api/v1/containments/%s/release" % active[0]["id"], admin_key, {"comment": "bench round %d" % n})
    wait_change(lambda flags, master: not contained(flags, master))
    time.sleep(0.1)

monitor.terminate()


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


for name, values in (("posted", posted_ms), ("commit", commit_ms)):
    print("%-7s %s  n=%d  p50=%.1f ms  p90=%.1f ms  p99=%.1f ms  max=%.1f ms" % (
        name, action, len(values), pct(values, 50), pct(values, 90), pct(values, 99), max(values)))
