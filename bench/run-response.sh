#!/usr/bin/env bash
# Response latency on this machine, loopback only: syslog TCP at a fixed rate into `serve` with the
# playbooks in bench/playbooks, and the time from an event committed to the first step of its run
# starting. A warm-up phase (WARMUP lines at the same rate) runs first; the quantiles are taken
# from the difference of the orchestrator_run_start_seconds histogram between the end of the
# warm-up and the end of the measured phase (bucket upper bounds, as Prometheus would).
# Usage: bench/run-response.sh [RATE] [LINES] [WARMUP]     (defaults 10000 200000 50000)
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-10000}
lines=${2:-200000}
warmup=${3:-50000}
work=$(mktemp -d /tmp/orch-response.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build src/Orchestrator -c Release -v q -nologo >/dev/null
dotnet build bench/Orchestrator.LoadGen -c Release -v q -nologo >/dev/null
python3 ../shared/bench/gen-sep-risk.py "$((lines + warmup))" "$work/all.log" >/dev/null
head -n "$warmup" "$work/all.log" > "$work/warmup.log"
tail -n "+$((warmup + 1))" "$work/all.log" > "$work/sep.log"
cat > "$work/config.yaml" <<YAML
storage:
  synchronous: ${SYNC:-full}
response:
  playbooks: $PWD/bench/playbooks
YAML
dotnet src/Orchestrator/bin/Release/net10.0/orchestrator.dll serve --data "$work/data" --config "$work/config.yaml" \
  --http 127.0.0.1:18090 --syslog-tcp 127.0.0.1:15590 --syslog-udp off >"${SERVER_LOG:-$work/server.log}" 2>&1 &
for _ in $(seq 100); do curl -sf http://127.0.0.1:18090/healthz >/dev/null && break; sleep 0.1; done
loadgen="dotnet bench/Orchestrator.LoadGen/bin/Release/net10.0/loadgen.dll tcp --target 127.0.0.1:15590 --rate $rate --metrics http://127.0.0.1:18090/metrics"

echo "== warm-up: $warmup SEP lines at $rate lines/s (not measured)"
$loadgen --file "$work/warmup.log" | grep committed
curl -s http://127.0.0.1:18090/metrics > "$work/before.txt"
echo "== $lines SEP lines at $rate lines/s over syslog TCP"
$loadgen --file "$work/sep.log"
curl -s http://127.0.0.1:18090/metrics > "$work/after.txt"
python3 - "$work/before.txt" "$work/after.txt" <<'PY'
import sys
def buckets(path):
    out = {}
    for line in open(path):
        if line.startswith('orchestrator_run_start_seconds_bucket{le="'):
            le = line.split('"')[1]
            out[float('inf') if le == '+Inf' else float(le)] = int(line.rsplit(' ', 1)[1])
        if line.startswith('orchestrator_rule_decisions_total '):
            out['decisions'] = int(line.rsplit(' ', 1)[1])
    return out
before, after = buckets(sys.argv[1]), buckets(sys.argv[2])
bounds = sorted(k for k in after if k != 'decisions')
diff = [(b, after[b] - before.get(b, 0)) for b in bounds]
total = diff[-1][1]
print(f"runs started in the measured phase: {total} (decisions: {after['decisions'] - before['decisions']})")
for q in (0.5, 0.9, 0.99):
    need = q * total
    bound = next(b for b, c in diff if c >= need)
    print(f"run start latency p{int(q * 100)}: <= {bound * 1000:g} ms")
PY
