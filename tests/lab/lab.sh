#!/usr/bin/env bash
# The switch lab: network namespaces for hosts h1..h4, and a remediation server,
# cabled by veth pairs into a VLAN-filtering Linux bridge in a "switch" namespace that runs
# snmpd (as root, so ifAdminStatus SETs really down ports), sshd and snmpsim (a 48-port vendor switch);
# and a router (its own sshd, nftables/iptables/ipset/conntrack) between VLAN 10 and a server.
#
#   lab.sh up [--name PREFIX]     build a lab (PREFIX defaults to orchlab-<random>), print its name
#   lab.sh down --name PREFIX     tear it down (safe to run twice, or after a half-built up)
#   lab.sh status --name PREFIX   print what is up
#   lab.sh vlan --name PREFIX PORT VLAN   move an access port (p1..p5) to VLAN 10 or 99
#
# Layout (docs/adr/0016-the-switch-lab.md):
#   switch ns <P>-sw: one bridge per VLAN, br10 (production) and br99 (quarantine)
#     p1..p4  in br10 (VLAN 10)  -> <P>-h1..h4  eth0 10.199.10.11-14/24 (+ 10.199.99.11-14/24)
#     p5      in br99 (VLAN 99)  -> <P>-rem     eth0 10.199.99.1/24 (remediation server)
#     p6      in br10 (VLAN 10)  -> <P>-rtr     eth0 10.199.10.1/24 (the router, h1..h4's route to 10.199.20.0/24)
#     mgmt0   in no bridge       <- root-ns veth olab<hash>, a /30 from 10.199.255.0/24 (the only root-ns change)
#   router ns <P>-rtr: forwards between eth0 (VLAN 10) and eth1 10.199.20.1/24 -> <P>-srv eth0 10.199.20.10/24
#     mgmt0   <- root-ns veth olabr<hash>, a second /30 from 10.199.255.0/24; sshd on it (the firewall drivers)
#   Moving a port to a VLAN: ip netns exec <P>-sw ip link set pN master br99 (or lab.sh vlan).
# Everything the lab writes lives in its state dir /run/orchlab/<P>/ (lab.json is the summary).
set -euo pipefail

LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE_ROOT=/run/orchlab
LOCK="$STATE_ROOT/.lock"
HOSTS=(h1 h2 h3 h4)
MGMT_NET=10.199.255     # management /30s are carved from 10.199.255.0/24, one per lab
SNMPD_PORT=161
SNMPSIM_PORT=1161
SSH_PORT=22

die() { echo "lab.sh: $*" >&2; exit 1; }
log() { echo "lab.sh: $*" >&2; }

usage() { sed -n '6,9p' "$0" | sed 's/^# //' >&2; exit 2; }

cmd="${1:-}"; [ -n "$cmd" ] || usage; shift
name=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --name) name="${2:-}"; shift 2 ;;
    --name=*) name="${1#--name=}"; shift ;;
    -*) usage ;;
    *) args+=("$1"); shift ;;
  esac
done

[ "$(id -u)" = 0 ] || die "the lab needs root (network namespaces, snmpd as root)"

if [ -z "$name" ]; then
  [ "$cmd" = up ] || die "$cmd needs --name PREFIX (the name 'up' printed)"
  name="orchlab-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
fi
# The name becomes namespace names and a directory: keep it short and plain.
[[ "$name" =~ ^[a-z0-9][a-z0-9-]{0,30}$ ]] || die "--name '$name': use 1-31 of [a-z0-9-], starting with a letter or digit"

STATE="$STATE_ROOT/$name"
NS_SW="$name-sw"; NS_REM="$name-rem"; NS_RTR="$name-rtr"; NS_SRV="$name-srv"
ALL_NS=("$NS_SW" "${HOSTS[@]/#/$name-}" "$NS_REM" "$NS_RTR" "$NS_SRV")
# The namespaces that run an sshd get their own /etc/netns/<ns>/passwd (see start_sshd).
SSH_NS=("$NS_SW" "$NS_RTR")
# Interface names are limited to 15 characters and the root-side ones must be unique per lab
# (hex never contains the router's 'r', so no lab's switch veth can be another lab's router veth).
HASH="$(printf '%s' "$name" | sha1sum | cut -c1-8)"
ROOT_VETH="olab$HASH"; ROOT_VETH_RTR="olabr$HASH"

ns_exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }
in_ns() { local ns="$1"; shift; ip netns exec "$ns" "$@"; }

# ---------------------------------------------------------------------------------------------- down
kill_pidfile() {
  local f="$1" pid
  [ -f "$f" ] || return 0
  pid="$(cat "$f" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

lab_down() {
  local ns pid
  for f in "$STATE"/pids/*.pid; do [ -e "$f" ] && kill_pidfile "$f"; done
  for ns in "${ALL_NS[@]}"; do
    ns_exists "$ns" || continue
    # Anything still running inside the lab's own namespaces was started by the lab (an ssh session, a ping).
    for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null || true; done
    ip netns del "$ns" 2>/dev/null || true
  done
  for ns in "${SSH_NS[@]}"; do rm -rf "/etc/netns/$ns"; done
  rmdir /etc/netns 2>/dev/null || true
  # Deleting a namespace destroys its mgmt0 and with it the root-side peer; this catches a half-built up.
  for f in "$ROOT_VETH" "$ROOT_VETH_RTR"; do
    if ip link show "$f" >/dev/null 2>&1; then ip link del "$f" 2>/dev/null || true; fi
  done
  rm -rf "$STATE"
}

# ---------------------------------------------------------------------------------------------- status
lab_status() {
  local ns f
  [ -d "$STATE" ] || { echo "lab $name: not up"; for ns in "${ALL_NS[@]}"; do ns_exists "$ns" && echo "  leftover namespace $ns"; done; return 0; }
  echo "lab $name (state $STATE)"
  for ns in "${ALL_NS[@]}"; do
    if ns_exists "$ns"; then echo "  ns $ns: up"; else echo "  ns $ns: MISSING"; fi
  done
  for f in "$STATE"/pids/*.pid; do
    [ -e "$f" ] || continue
    if kill -0 "$(cat "$f")" 2>/dev/null; then echo "  $(basename "$f" .pid): running (pid $(cat "$f"))"; else echo "  $(basename "$f" .pid): NOT running"; fi
  done
  if ip link show "$ROOT_VETH" >/dev/null 2>&1; then echo "  mgmt: $ROOT_VETH $(ip -br -4 addr show dev "$ROOT_VETH" | awk '{print $3}') -> $(cat "$STATE/mgmt_address")"; fi
  if ip link show "$ROOT_VETH_RTR" >/dev/null 2>&1; then echo "  router mgmt: $ROOT_VETH_RTR $(ip -br -4 addr show dev "$ROOT_VETH_RTR" | awk '{print $3}') -> $(cat "$STATE/rtr_mgmt_address")"; fi
  if ns_exists "$NS_SW"; then in_ns "$NS_SW" bridge link show | sed 's/^/  /'; fi
}

# ---------------------------------------------------------------------------------------------- up
# Picks a free management /30 under a lock, refusing if 10.199.0.0/16 is routed anywhere but our own veths.
pick_mgmt_subnet() {
  local foreign used n
  foreign="$(ip -4 route show root 10.199.0.0/16 | grep -v ' dev olab' || true)"
  [ -z "$foreign" ] && [ -z "$(ip -4 route show 10.199.0.0/16)" ] ||
    die "10.199.0.0/16 is already in use on this machine ($foreign$(ip -4 route show 10.199.0.0/16)); the lab uses only that range and will not share it"
  used="$(ip -4 -o addr show | awk '{print $4}' | grep "^$MGMT_NET\." || true)"
  for n in $(seq 0 63); do
    if ! grep -q "^$MGMT_NET\.$((4 * n + 1))/" <<<"$used"; then echo "$n"; return 0; fi
  done
  die "no free management /30 left in $MGMT_NET.0/24 (32 labs up? each takes two)"
}

# Cables a lab namespace's mgmt0 to a new root-namespace veth on the next free /30 and sets MGMT_ROOT (the root
# side's address) and MGMT_NS (the namespace's). Called under the lock: the root-side address is in place before
# the next pick looks for a free /30. Not run in $(...): bash drops set -e there, and a failed step must stop up.
add_mgmt_link() {
  local ns="$1" root_if="$2" n
  n="$(pick_mgmt_subnet)"
  MGMT_ROOT="$MGMT_NET.$((4 * n + 1))"; MGMT_NS="$MGMT_NET.$((4 * n + 2))"
  ip link add "$root_if" type veth peer name mgmt0 netns "$ns"
  ip addr add "$MGMT_ROOT/30" dev "$root_if"
  ip link set "$root_if" up
  ip -n "$ns" addr add "$MGMT_NS/30" dev mgmt0
  ip -n "$ns" link set mgmt0 up
}

# sshd in a lab namespace, on its management address only: a generated host key (fingerprint recorded in
# DIR/host_key_fingerprint), the lab's client key for root (made once by lab_up), keys only.
# Inside the namespace root's home is the lab's own empty directory: bash run by sshd sources ~/.bashrc,
# and the host's (pyenv, cargo...) would add ~200 ms to every command a real switch or router answers at once.
# `ip netns exec` bind-mounts /etc/netns/<ns>/passwd over /etc/passwd for everything started in the namespace.
start_sshd() {
  local ns="$1" address="$2" dir="$3" pidfile="$4"
  mkdir -m 700 -p "$dir"
  ssh-keygen -q -t ed25519 -N '' -C "$ns host" -f "$dir/host_ed25519_key"
  ssh-keygen -l -E sha256 -f "$dir/host_ed25519_key.pub" | awk '{print $2}' >"$dir/host_key_fingerprint"
  cat >"$dir/sshd_config" <<EOF
ListenAddress $address:$SSH_PORT
HostKey $dir/host_ed25519_key
PidFile $pidfile
AuthorizedKeysFile $STATE/ssh/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
EOF
  mkdir -p /run/sshd  # sshd's privilege-separation directory (Debian creates it only when its service starts)
  mkdir -p "/etc/netns/$ns"
  awk -F: -v OFS=: -v home="$STATE/home" '$1 == "root" { $6 = home } { print }' /etc/passwd >"/etc/netns/$ns/passwd"
  in_ns "$ns" /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
}

lab_up() {
  [ ! -d "$STATE" ] || die "lab $name is already up (lab.sh down --name $name)"
  for tool in ip bridge snmpd snmpsimd ssh-keygen /usr/sbin/sshd python3 nft iptables ipset conntrack; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install iproute2 snmpd snmpsim openssh-server python3 nftables iptables ipset conntrack)"
  done
  mkdir -p "$STATE_ROOT"
  built=0
  trap 'if [ "$built" != 1 ]; then log "up failed, tearing down $name"; lab_down; fi' EXIT

  local mgmt_root mgmt_sw rtr_mgmt_root rtr_mgmt
  mkdir -m 700 "$STATE"
  # snmpsimd writes its pid file after dropping to nobody
  mkdir -m 755 "$STATE/pids"
  chown nobody:nogroup "$STATE/pids"
  for ns in "${ALL_NS[@]}"; do ip netns add "$ns"; in_ns "$ns" ip link set lo up; done
  exec 9>"$LOCK"
  flock 9
  add_mgmt_link "$NS_SW" "$ROOT_VETH"
  mgmt_root="$MGMT_ROOT"; mgmt_sw="$MGMT_NS"
  add_mgmt_link "$NS_RTR" "$ROOT_VETH_RTR"
  rtr_mgmt_root="$MGMT_ROOT"; rtr_mgmt="$MGMT_NS"
  flock -u 9
  exec 9>&-
  echo "$mgmt_sw" >"$STATE/mgmt_address"
  echo "$rtr_mgmt" >"$STATE/rtr_mgmt_address"

  # --- the switch: one Linux bridge per VLAN (br10 production, br99 quarantine); a port's VLAN is
  # the bridge it is enslaved to. This kernel has neither CONFIG_BRIDGE_VLAN_FILTERING nor
  # CONFIG_VLAN_8021Q (see the ADR), so there is no vlan_filtering and no tagged trunk.
  local s=(ip -n "$NS_SW")
  local vlan i port
  for vlan in 10 99; do
    "${s[@]}" link add "br$vlan" type bridge
    "${s[@]}" link set "br$vlan" up
  done
  # The switch is VLAN 10's gateway (an SVI, as on an L3 access switch): its ARP table maps the hosts' IPs to
  # MACs, which is how a containment given an IP finds the MAC. Forwarding stays off: it routes nothing.
  "${s[@]}" addr add 10.199.10.254/24 dev br10
  in_ns "$NS_SW" sysctl -qw net.ipv4.ip_forward=0
  for i in 1 2 3 4; do "${s[@]}" link add "p$i" type veth peer name eth0 netns "$name-h$i"; done
  "${s[@]}" link add p5 type veth peer name eth0 netns "$NS_REM"
  "${s[@]}" link add p6 type veth peer name eth0 netns "$NS_RTR"
  for port in p1 p2 p3 p4 p6; do "${s[@]}" link set "$port" master br10; done
  "${s[@]}" link set p5 master br99
  for port in p1 p2 p3 p4 p5 p6; do "${s[@]}" link set "$port" up; done

  # --- hosts: a production address in VLAN 10 and the address a quarantine lease would give (no DHCP here)
  for i in 1 2 3 4; do
    local h=(ip -n "$name-h$i")
    "${h[@]}" addr add "10.199.10.1$i/24" dev eth0
    "${h[@]}" addr add "10.199.99.1$i/24" dev eth0
    "${h[@]}" link set eth0 up
    "${h[@]}" route add 10.199.20.0/24 via 10.199.10.1
  done
  ip -n "$NS_REM" addr add 10.199.99.1/24 dev eth0
  ip -n "$NS_REM" link set eth0 up

  # --- the router: VLAN 10's way to the server network, and the firewall the nftables and iptables+ipset
  # drivers manage over its sshd. It forwards between its VLAN 10 leg and the server's, never to or from its
  # management link (forwarding off on mgmt0; nothing in the lab has a route to it anyway).
  local r=(ip -n "$NS_RTR")
  "${r[@]}" addr add 10.199.10.1/24 dev eth0
  "${r[@]}" link set eth0 up
  "${r[@]}" link add eth1 type veth peer name eth0 netns "$NS_SRV"
  "${r[@]}" addr add 10.199.20.1/24 dev eth1
  "${r[@]}" link set eth1 up
  in_ns "$NS_RTR" sysctl -qw net.ipv4.ip_forward=1
  in_ns "$NS_RTR" sysctl -qw net.ipv4.conf.mgmt0.forwarding=0
  # Stateful, as real routers are: the kernel tracks a namespace's flows only once a ruleset there reads conntrack,
  # and without tracked flows there would be nothing for a block's connection cut (conntrack -D) to cut.
  in_ns "$NS_RTR" nft -f - <<EOF
table inet lab-router {
  chain forward {
    type filter hook forward priority 0; policy accept;
    ct state established,related accept
  }
}
EOF
  ip -n "$NS_SRV" addr add 10.199.20.10/24 dev eth0
  ip -n "$NS_SRV" link set eth0 up
  ip -n "$NS_SRV" route add 10.199.10.0/24 via 10.199.20.1

  # --- port map: ifIndex inside the switch namespace (what snmpd's IF-MIB shows) and bridge port number
  {
    echo "{"
    local first=1 ifindex bport bridge
    for port in p1 p2 p3 p4 p5 p6; do
      ifindex="$(in_ns "$NS_SW" cat "/sys/class/net/$port/ifindex")"
      bridge="$(basename "$(in_ns "$NS_SW" readlink "/sys/class/net/$port/master")")"
      bport="$(( $(in_ns "$NS_SW" cat "/sys/class/net/$port/brport/port_no") ))"
      [ $first = 1 ] || echo ","
      first=0
      printf '  "%s": { "ifIndex": %d, "vlan": %d, "bridge": "%s", "bridgePort": %d }' "$port" "$ifindex" "${bridge#br}" "$bridge" "$bport"
    done
    echo; echo "}"
  } >"$STATE/ports.json"

  # --- snmpd as root in the switch namespace, on the management address only
  local community
  community="lab$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  echo "$community" >"$STATE/community"
  mkdir -m 700 "$STATE/snmpd"
  cat >"$STATE/snmpd/snmpd.conf" <<EOF
agentaddress udp:$mgmt_sw:$SNMPD_PORT
rwcommunity $community $mgmt_root
sysName $name-sw
sysLocation orchestrator lab $name
EOF
  # -C: no system config files; the persistent dir would otherwise be /var/lib/snmp.
  SNMP_PERSISTENT_DIR="$STATE/snmpd" MIBS="" MIBDIRS=/nonexistent in_ns "$NS_SW" snmpd -C -c "$STATE/snmpd/snmpd.conf" \
    -p "$STATE/pids/snmpd.pid" -Lf "$STATE/snmpd/snmpd.log" -r

  # --- sshd in the switch and in the router namespace: one client key for root, each its own host key
  mkdir -m 700 "$STATE/ssh" "$STATE/home"
  ssh-keygen -q -t ed25519 -N '' -C "$name client" -f "$STATE/ssh/id_ed25519"
  cp "$STATE/ssh/id_ed25519.pub" "$STATE/ssh/authorized_keys"
  start_sshd "$NS_SW" "$mgmt_sw" "$STATE/ssh" "$STATE/pids/sshd.pid"
  start_sshd "$NS_RTR" "$rtr_mgmt" "$STATE/ssh-rtr" "$STATE/pids/sshd-rtr.pid"

  # --- snmpsim: the vendor switch, as an unprivileged user, reading a copy of the data files
  mkdir -m 755 "$STATE/snmpsim" "$STATE/snmpsim/data"
  cp "$LAB_DIR"/snmprec/*.snmprec "$STATE/snmpsim/data/"
  chmod 644 "$STATE"/snmpsim/data/*
  mkdir -m 777 "$STATE/snmpsim/cache"
  chmod 711 "$STATE"
  in_ns "$NS_SW" snmpsimd --daemonize --process-user=nobody --process-group=nogroup \
    --pid-file="$STATE/pids/snmpsim.pid" --logging-method=file:"$STATE/snmpsim/snmpsim.log" \
    --data-dir="$STATE/snmpsim/data" --cache-dir="$STATE/snmpsim/cache" \
    --variation-module-options=writecache:file:"$STATE/snmpsim/cache/writecache.db" \
    --agent-udpv4-endpoint="$mgmt_sw:$SNMPSIM_PORT" >/dev/null 2>&1

  # --- wait until the daemons answer (snmpsim indexes the data file on first start)
  local ok=0
  for _ in $(seq 1 40); do
    if snmpget -v2c -c "$community" -t 1 -r 0 "$mgmt_sw:$SNMPD_PORT" 1.3.6.1.2.1.1.5.0 >/dev/null 2>&1 &&
       snmpget -v2c -c switch48 -t 1 -r 0 "$mgmt_sw:$SNMPSIM_PORT" 1.3.6.1.2.1.1.5.0 >/dev/null 2>&1 &&
       (exec 3<>"/dev/tcp/$mgmt_sw/$SSH_PORT") 2>/dev/null &&
       (exec 3<>"/dev/tcp/$rtr_mgmt/$SSH_PORT") 2>/dev/null; then ok=1; break; fi
    sleep 0.2
  done
  [ $ok = 1 ] || { log "daemons did not answer; logs in $STATE"; tail -n 5 "$STATE"/snmpd/snmpd.log "$STATE"/ssh/sshd.log "$STATE"/ssh-rtr/sshd.log "$STATE"/snmpsim/snmpsim.log >&2 2>/dev/null || true; false; }

  cat >"$STATE/lab.json" <<EOF
{
  "name": "$name",
  "stateDir": "$STATE",
  "namespaces": { "sw": "$NS_SW", "h1": "$name-h1", "h2": "$name-h2", "h3": "$name-h3", "h4": "$name-h4", "rem": "$NS_REM",
                  "rtr": "$NS_RTR", "srv": "$NS_SRV" },
  "addresses": { "h1": "10.199.10.11", "h2": "10.199.10.12", "h3": "10.199.10.13", "h4": "10.199.10.14",
                 "h1.quarantine": "10.199.99.11", "h2.quarantine": "10.199.99.12", "h3.quarantine": "10.199.99.13",
                 "h4.quarantine": "10.199.99.14", "rem": "10.199.99.1", "gateway": "10.199.10.254",
                 "rtr": "10.199.10.1", "rtr.srv": "10.199.20.1", "srv": "10.199.20.10" },
  "managementInterface": "$ROOT_VETH",
  "managementRootAddress": "$mgmt_root",
  "managementAddress": "$mgmt_sw",
  "snmpPort": $SNMPD_PORT,
  "snmpCommunity": "$community",
  "snmpsimPort": $SNMPSIM_PORT,
  "snmpsimCommunity": "switch48",
  "sshPort": $SSH_PORT,
  "sshUser": "root",
  "sshPrivateKey": "$STATE/ssh/id_ed25519",
  "sshHostPublicKey": "$STATE/ssh/host_ed25519_key.pub",
  "sshHostKeyFingerprint": "$(cat "$STATE/ssh/host_key_fingerprint")",
  "router": {
    "managementInterface": "$ROOT_VETH_RTR",
    "managementRootAddress": "$rtr_mgmt_root",
    "managementAddress": "$rtr_mgmt",
    "sshPort": $SSH_PORT,
    "sshHostPublicKey": "$STATE/ssh-rtr/host_ed25519_key.pub",
    "sshHostKeyFingerprint": "$(cat "$STATE/ssh-rtr/host_key_fingerprint")"
  },
  "pidFiles": ["$STATE/pids/snmpd.pid", "$STATE/pids/sshd.pid", "$STATE/pids/snmpsim.pid", "$STATE/pids/sshd-rtr.pid"]
}
EOF
  built=1
  echo "$name"
}

# ---------------------------------------------------------------------------------------------- vlan
lab_vlan() {
  [ ${#args[@]} = 2 ] || usage
  local port="${args[0]}" vlan="${args[1]}"
  [[ "$port" =~ ^p[1-5]$ ]] || die "vlan: port '$port' is not an access port of the lab (p1..p5)"
  [[ "$vlan" =~ ^(10|99)$ ]] || die "vlan: VLAN '$vlan' does not exist in the lab (10 or 99)"
  ns_exists "$NS_SW" || die "lab $name is not up"
  ip -n "$NS_SW" link set "$port" master "br$vlan"
}

case "$cmd" in
  up) lab_up ;;
  vlan) lab_vlan ;;
  down) lab_down ;;
  status) lab_status ;;
  *) usage ;;
esac
