#!/usr/bin/env bash
# The shared workload end to end and durable, in the service, loopback only: 1,000,000 SEP lines over
# one syslog TCP connection at full speed into `serve` (SQLite, synchronous=full), alternately with
# an empty playbook folder and with the shared rule (bench/playbooks/worm-source.yaml) alone, so that
# the hour's CPU speed (which varies on this VM) is the same for both. For each run: committed
# events/s (loadgen), then the wait until the rules engine's checkpoint reaches the last event, and
# the decisions made (expected 500 with the rule), the server's CPU time and its GC pauses.
# Usage: bench/run-rules-e2e.sh [ROUNDS] [LINES]     (defaults 3 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
lines=${2:-1000000}
work=$(mktemp -d /tmp/orch-rules-e2e.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

dotnet build src/Orchestrator -c Release -v q -nologo >/dev/null
dotnet build bench/Orchestrator.LoadGen -c Release -v q -nologo >/dev/null
python3 ../shared/bench/gen-sep-risk.py "$lines" "$work/sep.log" >/dev/null
mkdir -p "$work/none" "$work/rule"
cp bench/playbooks/worm-source.yaml "$work/rule/"
orch="dotnet src/Orchestrator/bin/Release/net10.0/orchestrator.dll"
loadgen="dotnet bench/Orchestrator.LoadGen/bin/Release/net10.0/loadgen.dll"
metric() { curl -s http://127.0.0.1:18095/metrics | awk -v name="$1" '$1 == name { print $2 }'; }

run() { # $1 = playbook folder name (none | rule), $2 = round
  local data="$work/data-$1-$2"
  cat > "$work/config.yaml" <<YAML
storage:
  synchronous: ${SYNC:-full}
response:
  playbooks: $work/$1
YAML
  $orch serve --data "$data" --config "$work/config.yaml" --http 127.0.0.1:18095 --syslog-tcp 127.0.0.1:15595 --syslog-udp off >"$work/server-$1-$2.log" 2>&1 &
  local server=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:18095/healthz >/dev/null && break; sleep 0.1; done
  local committed
  committed=$($loadgen tcp --target 127.0.0.1:15595 --file "$work/sep.log" --metrics http://127.0.0.1:18095/metrics | grep -o '[0-9,]* events/s' | head -1)
  local waited=0
  if [ "$1" = rule ]; then
    while [ "$(metric orchestrator_rules_checkpoint)" != "$lines" ] && [ $waited -lt 600 ]; do sleep 0.1; waited=$((waited + 1)); done
  fi
  echo "$1 round $2: committed $committed; rules checkpoint reached the last event $((waited / 10)).$((waited % 10)) s after; decisions $(metric orchestrator_rule_decisions_total); server CPU $(metric process_cpu_seconds_total) s, GC paused $(metric dotnet_gc_pause_seconds_total) s in $(curl -s http://127.0.0.1:18095/metrics | awk '$1 ~ /^dotnet_gc_collections_total/ { printf "%s ", $2 }')collections (gen 0 1 2)"
  kill "$server"; wait "$server" 2>/dev/null || true
  rm -rf "$data"
}

for round in $(seq "$rounds"); do
  run none "$round"
  run rule "$round"
done
