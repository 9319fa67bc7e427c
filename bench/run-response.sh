#!/usr/bin/env bash
# Response latency on this machine, loopback only: syslog TCP at a fixed rate into `serve` with the
# playbooks in bench/playbooks, then the run-start latency quantiles from /metrics (from an event
# committed to the first step of its run starting). Usage: bench/run-response.sh [RATE] [LINES]
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-10000}
lines=${2:-200000}
work=$(mktemp -d /tmp/orch-response.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build src/Orchestrator -c Release -v q -nologo >/dev/null
dotnet build bench/Orchestrator.LoadGen -c Release -v q -nologo >/dev/null
python3 ../shared/bench/gen-sep-risk.py "$lines" "$work/sep.log" >/dev/null
cat > "$work/config.yaml" <<YAML
storage:
  synchronous: ${SYNC:-full}
response:
  playbooks: $PWD/bench/playbooks
YAML
dotnet src/Orchestrator/bin/Release/net10.0/orchestrator.dll serve --data "$work/data" --config "$work/config.yaml" \
  --http 127.0.0.1:18090 --syslog-tcp 127.0.0.1:15590 --syslog-udp off >"${SERVER_LOG:-$work/server.log}" 2>&1 &
for _ in $(seq 100); do curl -sf http://127.0.0.1:18090/healthz >/dev/null && break; sleep 0.1; done
echo "== $lines SEP lines at $rate lines/s over syslog TCP"
dotnet bench/Orchestrator.LoadGen/bin/Release/net10.0/loadgen.dll tcp --target 127.0.0.1:15590 --file "$work/sep.log" \
  --rate "$rate" --metrics http://127.0.0.1:18090/metrics
curl -s http://127.0.0.1:18090/metrics | grep -E '^orchestrator_(rule_decisions_total|run_start_latency_seconds|rules_checkpoint)'
