#!/usr/bin/env bash
# Alerts end to end, loopback only: aiosmtpd (recording when it accepts each message's DATA) and
# `serve` (SQLite, dry_run false) with one playbook that emails on every ransomware detection.
#   1. paced: RATE detections/s over HTTP for SECONDS; event posted -> SMTP DATA accepted, p50/p90/p99
#   2. burst: BURST detections at once with a rate limit of LIMIT per recipient per PER; the SMTP
#      server must accept exactly LIMIT alerts plus one digest that counts the rest
# Usage: bench/run-alerts-e2e.sh [RATE SECONDS BURST LIMIT PER]   (defaults 10 30 10000 10 20s)
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-10} seconds=${2:-30} burst=${3:-10000} limit=${4:-10} per=${5:-20s}
work=$(mktemp -d /tmp/orch-alerts.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
key=bench-ingest-key-0123456789abcdef
hash=$(printf %s "$key" | sha256sum | cut -d' ' -f1)
dotnet build src/Orchestrator -c Release -v q -nologo >/dev/null
orch="dotnet src/Orchestrator/bin/Release/net10.0/orchestrator.dll"

run() { # $1 = name, $2 = max_per_recipient; then the load generator's arguments
  local name=$1 max=$2; shift 2
  : > "$work/times-$name"
  /usr/bin/python3 tests/Orchestrator.Connectors.Tests/Email/smtp_test_server.py --discard --times "$work/times-$name" >"$work/smtp-$name.out" 2>&1 &
  local smtp=$!
  for _ in $(seq 100); do grep -q '^READY ' "$work/smtp-$name.out" && break; sleep 0.1; done
  local port; port=$(awk '/^READY /{print $2}' "$work/smtp-$name.out")
  mkdir -p "$work/playbooks"
  cat > "$work/playbooks/alert.yaml" <<'YAML'
id: alert-every-detection
on: infection.detected
when: event.rule.name matches '(?i)ransom'
steps:
  - email: { to: [soc@example.org], subject: "alert {{ event.host.name }}", body: "{{ event.rule.name }} on {{ event.host.name }}", attach_event: false }
YAML
  cat > "$work/config.yaml" <<YAML
http:
  listen: 127.0.0.1:18097
  keys: [ { name: bench, role: ingest, sha256: $hash } ]
syslog: { udp: off, tcp: off }
response: { playbooks: $work/playbooks, dry_run: false, max_concurrent_runs: 16 }
alerting:
  smtp: { host: 127.0.0.1, port: $port, security: none, from: orchestrator@example.org, max_per_recipient: $max, per: $per }
YAML
  $orch serve --data "$work/data-$name" --config "$work/config.yaml" >"$work/server-$name.log" 2>&1 &
  local server=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:18097/healthz >/dev/null && break; sleep 0.1; done
  python3 bench/alerts-load.py http://127.0.0.1:18097 "$key" "$work/times-$name" "$@"
  kill "$server"; wait "$server" 2>/dev/null || true
  kill "$smtp"; wait "$smtp" 2>/dev/null || true
}

run paced 0 paced "$rate" "$seconds" 5
run burst "$limit" burst "$burst" 300
