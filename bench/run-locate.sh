#!/usr/bin/env bash
# Host locator benchmark: snmpsim serves the lab's simulated 48-port switch (tests/lab/snmprec/switch48.snmprec:
# 2,000 learned MACs, trunk, uplink, LLDP) on a loopback ephemeral port; SnmpLoad reads all the tables the locator
# needs cold (every column over SNMP, then locate), then times cached lookups. Targets: < 1 s cold, < 1 ms cached.
# Needs the Debian package snmpsim. No root, no namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
mkdir -p "$dir/data" "$dir/cache"
cp tests/lab/snmprec/switch48.snmprec "$dir/data/"
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
user=()
[ "$(id -u)" = 0 ] && { chown -R nobody "$dir"; user=(--process-user=nobody --process-group=nogroup); }
snmpsimd "${user[@]}" --data-dir="$dir/data" --cache-dir="$dir/cache" --agent-udpv4-endpoint="127.0.0.1:$port" >"$dir/snmpsim.log" 2>&1 &
agent=$!
trap 'kill "$agent" 2>/dev/null || true; wait "$agent" 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do snmpget -v2c -c switch48 -t 1 -r 0 "127.0.0.1:$port" 1.3.6.1.2.1.1.5.0 >/dev/null 2>&1 && break; sleep 0.2; done
echo "snmpsim on 127.0.0.1:$port"
dotnet build bench/snmp-load -c Release -v q -nologo >/dev/null
bench/snmp-load/bin/Release/net10.0/SnmpLoad locate 127.0.0.1 "$port" switch48 "${LOCATE_ROUNDS:-3}"
