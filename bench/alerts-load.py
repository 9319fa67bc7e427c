#!/usr/bin/env python3
"""Posts detections to a running Orchestrator and measures what reaches the SMTP server.

  paced RATE SECONDS [WARMUP]
                       one detection every 1/RATE s (host PC-<n>); then, from the SMTP server's
                       times file, event posted -> SMTP DATA accepted: p50/p90/p99/max, over all
                       alerts and over those after the first WARMUP seconds (default 5: start-up
                       compiles the response path and opens the SMTP connection)
  burst N              N detections at once (NDJSON batches of 1,000); then waits for the digest and
                       counts what the SMTP server accepted (messages and the digest's held count)

Usage: alerts-load.py URL INGEST_KEY TIMES_FILE paced RATE SECONDS [WARMUP] | burst N [TIMEOUT]
"""
import json
import re
import sys
import time
import urllib.request

url, key, times_file, mode = sys.argv[1:5]


def post(lines):
    body = ("\n".join(json.dumps(line) for line in lines) + "\n").encode()
    request = urllib.request.Request(url.rstrip("/") + "/api/v1/events", data=body, method="POST",
                                     headers={"Authorization": "Bearer " + key, "Content-Type": "application/x-ndjson"})
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 202, response.status


def detection(n):
    return {"@timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "event": {"category": "malware"},
            "host": {"name": "PC-%d" % n}, "rule": {"name": "Ransom.WannaCry"}}


def accepted():
    try:
        with open(times_file) as f:
            return [line.rstrip("\n").split("\t", 1) for line in f if "\t" in line]
    except FileNotFoundError:
        return []


def wait_for(count, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline and len(accepted()) < count:
        time.sleep(0.1)
    return accepted()


if mode == "paced":
    rate, seconds = float(sys.argv[5]), float(sys.argv[6])
    total = int(rate * seconds)
    posted = {}
    start = time.time()
    for n in range(total):
        due = start + n / rate
        time.sleep(max(0.0, due - time.time()))
        posted["alert PC-%d" % n] = time.time()
        post([detection(n)])
    warmup = float(sys.argv[7]) if len(sys.argv) > 7 else 5.0
    got = wait_for(total, 60)
    if len(got) < total:
        print("only %d of %d alerts reached the SMTP server" % (len(got), total))

    def describe(name, subjects):
        latencies = sorted((float(at) - posted[subject]) * 1000 for at, subject in got if subject in subjects)
        pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
        print("  %s: %d alerts, event posted -> SMTP DATA accepted: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms"
              % (name, len(latencies), pick(0.50), pick(0.90), pick(0.99), latencies[-1]))

    print("paced %.0f alerts/s for %.0f s:" % (rate, seconds))
    describe("all", set(posted))
    describe("after a %.0f s warm-up" % warmup, {s for s, t in posted.items() if t >= start + warmup})
    slow = sorted(((float(at) - posted[subject]) * 1000, posted[subject] - start) for at, subject in got if subject in posted)[-5:]
    print("  slowest: " + ", ".join("%.0f ms at %.1f s" % s for s in reversed(slow)))
elif mode == "burst":
    n = int(sys.argv[5])
    start = time.time()
    for first in range(0, n, 1000):
        post([detection(i) for i in range(first, min(n, first + 1000))])
    posted = time.time() - start
    # The limit's messages go at once; the digest when the recipient's window ends.
    # Done when a digest arrived and nothing more came for 2 s (or at the timeout).
    deadline = time.time() + (float(sys.argv[6]) if len(sys.argv) > 6 else 120)
    got, quiet_since = accepted(), time.time()
    while time.time() < deadline:
        time.sleep(0.2)
        now = accepted()
        if len(now) != len(got):
            got, quiet_since = now, time.time()
        elif any(subject.startswith("Digest:") for _, subject in got) and time.time() - quiet_since > 2:
            break
    digests = [subject for _, subject in got if subject.startswith("Digest:")]
    held = [int(m.group(1)) for s in digests for m in [re.search(r"(\d+)", s)] if m]
    print("burst of %d detections posted in %.1f s: the SMTP server accepted %d messages, %d of them digests (%s); alerts + held = %d"
          % (n, posted, len(got), len(digests), "; ".join(digests), len(got) - len(digests) + sum(held)))
