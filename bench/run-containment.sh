#!/usr/bin/env bash
# Event committed -> switch port contained, end to end in the lab (needs root): lab.sh up, `serve` (SQLite,
# dry_run false) with the lab's Linux switch in the inventory (linux-bridge over SSH, pinned host key) and
# one playbook that contains the source of every infection.traced event; bench/containment-load.py posts
# the events, watches the port with `ip monitor link` and releases each containment through the API.
# Target (issue 5): p99 < 500 ms.
# Usage: bench/run-containment.sh [ACTION ROUNDS]   ACTION: shutdown (default) | quarantine; ROUNDS default 200
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:-shutdown} rounds=${2:-200}
case "$action" in shutdown) step=switch.shutdown_port ;; quarantine) step=switch.quarantine ;; *) echo "ACTION: shutdown or quarantine" >&2; exit 2 ;; esac
[ "$(id -u)" = 0 ] || { echo "run-containment.sh needs root (the lab)" >&2; exit 2; }
work=$(mktemp -d /tmp/orch-containment.XXXXXX)
lab=""
cleanup() { kill $(jobs -p) 2>/dev/null || true; [ -z "$lab" ] || tests/lab/lab.sh down --name "$lab" || true; rm -rf "$work"; }
trap cleanup EXIT
ingest=bench-ingest-key-0123456789abcdef admin=bench-admin-key-0123456789abcdef
hash() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
dotnet build src/Orchestrator -c Release -v q -nologo >/dev/null
lab=$(tests/lab/lab.sh up)
state=/run/orchlab/$lab
mgmt=$(cat "$state/mgmt_address")
mkdir -p "$work/playbooks"
cat > "$work/playbooks/inventory.yaml" <<YAML
devices:
  lab-sw:
    driver: linux-bridge
    address: $mgmt:22
    credentials: { username: "\${env:ORCH_LAB_SSH_USER}", key: "\${file:$state/ssh/id_ed25519}" }
    options: { vlan_bridges: "br10=10,br99=99", host_key_sha256: "$(cat "$state/ssh/host_key_fingerprint")" }
    quarantine_vlan: 99
YAML
cat > "$work/playbooks/contain.yaml" <<YAML
id: contain-traced-source
on: infection.traced
when: event.source.ip != null
steps:
  - $step: { target: "{{ event.source.ip }}" }
YAML
cat > "$work/config.yaml" <<YAML
http:
  listen: 127.0.0.1:18098
  keys:
    - { name: bench-ingest, role: ingest, sha256: $(hash $ingest) }
    - { name: bench-admin, role: admin, sha256: $(hash $admin) }
syslog: { udp: off, tcp: off }
response: { playbooks: $work/playbooks, dry_run: false, blast_radius: { global: 100000, per_playbook: 100000 } }
YAML
ORCH_LAB_SSH_USER=root dotnet src/Orchestrator/bin/Release/net10.0/orchestrator.dll serve --config "$work/config.yaml" --data "$work/data" >"$work/serve.log" 2>&1 &
for _ in $(seq 100); do curl -sf http://127.0.0.1:18098/healthz >/dev/null && break; sleep 0.1; done
echo "lab $lab, serve on 127.0.0.1:18098, $rounds rounds of $action"
/usr/bin/python3 bench/containment-load.py http://127.0.0.1:18098 "$ingest" "$admin" "$state/lab.json" "$action" "$rounds" ||
  { echo "the load generator failed; the service's log ends:" >&2; tail -n 30 "$work/serve.log" >&2; exit 1; }
