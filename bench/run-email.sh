#!/usr/bin/env bash
# Email benchmark: starts aiosmtpd (discarding what it accepts) on a loopback ephemeral port and
# runs the load generator against it: throughput over one connection, paced latency, rate-limited burst.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp)
/usr/bin/python3 tests/Orchestrator.Connectors.Tests/Email/smtp_test_server.py --discard >"$out" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 100); do grep -q '^READY ' "$out" && break; sleep 0.1; done
port=$(awk '/^READY /{print $2}' "$out")
echo "aiosmtpd on 127.0.0.1:$port"
dotnet build bench/email-load -c Release -v q -nologo >/dev/null
load=bench/email-load/bin/Release/net10.0/EmailLoad
"$load" 127.0.0.1 "$port" count "${EMAIL_COUNT:-5000}"
"$load" 127.0.0.1 "$port" paced "${EMAIL_RATE:-10}" "${EMAIL_SECONDS:-30}"
"$load" 127.0.0.1 "$port" burst "${EMAIL_BURST:-10000}" "${EMAIL_LIMIT:-10}"
