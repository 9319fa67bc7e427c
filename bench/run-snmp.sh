#!/usr/bin/env bash
# SNMP benchmark: starts net-snmp snmpd on a loopback ephemeral port with its own config and a random community,
# then measures GETs/s with several numbers of requests in flight on one client (target >= 5,000/s) and the BER
# encode/decode cost. Needs the Debian package snmpd.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
community="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
cat >"$dir/snmpd.conf" <<CONF
agentaddress udp:127.0.0.1:$port
rocommunity $community 127.0.0.1
CONF
SNMP_PERSISTENT_DIR="$dir/persist" MIBS= /usr/sbin/snmpd -C -c "$dir/snmpd.conf" -f -LOn -p "$dir/snmpd.pid" >"$dir/snmpd.log" 2>&1 &
agent=$!
trap 'kill "$agent" 2>/dev/null || true; wait "$agent" 2>/dev/null || true; rm -rf "$dir"' EXIT
echo "snmpd on 127.0.0.1:$port"
dotnet build bench/snmp-load -c Release -v q -nologo >/dev/null
load=bench/snmp-load/bin/Release/net10.0/SnmpLoad
"$load" ber "${SNMP_BER_ITERATIONS:-1000000}"
# shellcheck disable=SC2086
"$load" gets 127.0.0.1 "$port" "$community" "${SNMP_GETS:-50000}" ${SNMP_CONCURRENCY:-1 8 32 128}
