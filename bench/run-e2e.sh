#!/usr/bin/env bash
# End-to-end ingestion benchmarks on this machine, loopback only. Prints the figures that go
# into bench/RESULTS.md. Usage: bench/run-e2e.sh [LINES]   (default 1000000)
#   - orchestrator ingest of a LINES-line SEP file (wall time, max RSS)
#   - syslog TCP -> parsed -> committed (events/s), from a fresh start and after a warm-up,
#     and HTTP NDJSON batches (events/s)
#   - resident memory of the server while 10 x LINES events arrive over TCP
set -euo pipefail
cd "$(dirname "$0")/.."
lines=${1:-1000000}
work=$(mktemp -d /tmp/orch-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build src/Orchestrator -c Release -v q -nologo >/dev/null
dotnet build bench/Orchestrator.LoadGen -c Release -v q -nologo >/dev/null
orch="dotnet src/Orchestrator/bin/Release/net10.0/orchestrator.dll"
loadgen="dotnet bench/Orchestrator.LoadGen/bin/Release/net10.0/loadgen.dll"

gen=../shared/bench/gen-sep-risk.py
[ -f "$gen" ] || { echo "needs ../shared/bench/gen-sep-risk.py" >&2; exit 1; }
python3 "$gen" "$lines" "$work/sep.log" >/dev/null
echo "workload: $lines SEP risk lines ($(du -h "$work/sep.log" | cut -f1))"

echo "== orchestrator ingest"
/usr/bin/time -f "wall %e s, max RSS %M KB" $orch ingest "$work/sep.log" --format sep --data "$work/ingest" 2>&1 | tail -n 2

start_server() { # $1 = data dir
  cat > "$work/bench.yaml" <<YAML
http:
  keys:
    - { name: bench, role: ingest, sha256: $(printf '%s' bench-key | sha256sum | cut -d' ' -f1) }
YAML
  # An empty playbook folder: this measures ingestion (and the detectors), not the example playbooks
  # answering the flood's outbreaks with runs (see bench/RESULTS.md, "What detection costs ingestion").
  mkdir -p "$work/playbooks"
  $orch serve --data "$1" --config "$work/bench.yaml" --http 127.0.0.1:18080 --syslog-tcp 127.0.0.1:15514 --syslog-udp off --playbooks "$work/playbooks" >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:18080/healthz >/dev/null && return; sleep 0.1; done
  cat "$work/server.log"; exit 1
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; }

echo "== syslog TCP (LF framing), one connection, server just started"
start_server "$work/tcp"
$loadgen tcp --target 127.0.0.1:15514 --file "$work/sep.log" --metrics http://127.0.0.1:18080/metrics --pid "$server"
stop_server

echo "== syslog TCP (LF framing), one connection, after 100,000 events of warm-up"
start_server "$work/tcp-warm"
$loadgen tcp --target 127.0.0.1:15514 --file "$work/sep.log" --warmup 100000 --metrics http://127.0.0.1:18080/metrics --pid "$server"
stop_server

echo "== syslog TCP (octet counting), one connection"
start_server "$work/octet"
$loadgen tcp --target 127.0.0.1:15514 --file "$work/sep.log" --framing octet --metrics http://127.0.0.1:18080/metrics --pid "$server"
stop_server

echo "== HTTP NDJSON batches"
start_server "$work/http"
$loadgen http --url http://127.0.0.1:18080 --key bench-key --events "$lines" --batch 2000 --parallel 4 --pid "$server"
stop_server

echo "== resident memory: 10 x $lines events over TCP"
start_server "$work/rss"
$loadgen tcp --target 127.0.0.1:15514 --file "$work/sep.log" --repeat 10 --metrics http://127.0.0.1:18080/metrics --pid "$server"
stop_server
