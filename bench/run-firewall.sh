#!/usr/bin/env bash
# Firewall blocks end to end in the lab (needs root): lab.sh up, `serve` (SQLite, dry_run false) with the lab's router
# in the inventory (nftables over SSH, pinned host key) and one playbook that blocks the source of every
# infection.traced event; bench/firewall-load.py posts the events and watches the router's set.
#   latency: event committed -> element present in the nftables set (`nft monitor`); target p99 < 300 ms
#   burst:   N blocks in one burst to the one router: batched, target < 5 s, ledger exact
# Usage: bench/run-firewall.sh [ROUNDS BURST MAX_CONCURRENT_RUNS]   (defaults 200 1000 64)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-200} burst=${2:-1000} concurrency=${3:-64}
[ "$(id -u)" = 0 ] || { echo "run-firewall.sh needs root (the lab)" >&2; exit 2; }
work=$(mktemp -d /tmp/orch-firewall.XXXXXX)
lab=""
cleanup() { kill $(jobs -p) 2>/dev/null || true; [ -z "$lab" ] || tests/lab/lab.sh down --name "$lab" || true; rm -rf "$work"; }
trap cleanup EXIT
ingest=bench-ingest-key-0123456789abcdef admin=bench-admin-key-0123456789abcdef
hash() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
field() { /usr/bin/python3 -c "import json,sys; d=json.load(open('$1')); print(eval('d' + sys.argv[1]))" "$2"; }
dotnet build src/Orchestrator -c Release -v q -nologo >/dev/null
lab=$(tests/lab/lab.sh up)
state=/run/orchlab/$lab
mkdir -p "$work/playbooks"
cat > "$work/playbooks/inventory.yaml" <<YAML
devices:
  lab-rtr:
    driver: nftables
    address: $(field "$state/lab.json" "['router']['managementAddress']"):$(field "$state/lab.json" "['router']['sshPort']")
    credentials: { username: "\${env:ORCH_LAB_SSH_USER}", key: "\${file:$(field "$state/lab.json" "['sshPrivateKey']")}" }
    options: { host_key_sha256: "$(field "$state/lab.json" "['router']['sshHostKeyFingerprint']")" }
YAML
cat > "$work/playbooks/block.yaml" <<'YAML'
id: block-traced-source
on: infection.traced
when: event.source.ip != null
steps:
  - firewall.block: { device: lab-rtr, ip: "{{ event.source.ip }}", for: 1h, reason: "bench" }
YAML
cat > "$work/config.yaml" <<YAML
http:
  listen: 127.0.0.1:18099
  keys:
    - { name: bench-ingest, role: ingest, sha256: $(hash $ingest) }
    - { name: bench-admin, role: admin, sha256: $(hash $admin) }
syslog: { udp: off, tcp: off }
response:
  playbooks: $work/playbooks
  dry_run: false
  max_concurrent_runs: $concurrency
  blast_radius: { global: 100000, per_playbook: 100000 }
  containment: { repeat: { multiplier: 1 } }
YAML
start() {
  ORCH_LAB_SSH_USER=root dotnet src/Orchestrator/bin/Release/net10.0/orchestrator.dll serve --config "$work/config.yaml" --data "$work/data" >>"$work/serve.log" 2>&1 &
  for _ in $(seq 100); do curl -sf http://127.0.0.1:18099/healthz >/dev/null && break; sleep 0.1; done
}
load() { /usr/bin/python3 bench/firewall-load.py http://127.0.0.1:18099 "$ingest" "$admin" "$state/lab.json" "$@" ||
  { echo "the load generator failed; the service's log ends:" >&2; tail -n 30 "$work/serve.log" >&2; exit 1; }; }
start
echo "lab $lab, serve on 127.0.0.1:18099 (max_concurrent_runs $concurrency)"
load latency "$rounds"
load burst "$burst"
