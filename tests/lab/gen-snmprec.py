#!/usr/bin/env python3
"""Writes snmprec/switch48.snmprec: a 48-port Cisco-style access switch for snmpsim (and cisco24*.snmprec: a PVST one, below).

What Linux does not expose and the drivers must read from a vendor switch: 2,000 learned MACs
(Q-BRIDGE dot1qTpFdbPort), Cisco vmVlan, dot1qPvid, a trunk (port 47) and an uplink (port 48,
with an LLDP neighbour and most of the MACs). snmpsim serves it under the community "switch48"
(community = file name). Deterministic: the same file every run, so the output is checked in.

Layout (ifIndex differs from the port number, as on a Catalyst: Gi1/0/N has ifIndex 10100+N,
bridge port N):
  ports 1-40   access, VLAN 10, one PC each
  ports 41-46  access, VLAN 10, a phone and a PC (voice VLAN 20) - two MACs each
  port 47      trunk (VLANs 10,20,99) to an access point - 148 MACs
  port 48      uplink trunk to the distribution switch - 1,800 MACs, LLDP neighbour "dist-1"
"""
import os
import sys

WC = "writecache"  # snmpsim variation: a SET is kept (per OID) and read back
PORTS = range(1, 49)
TRUNK, UPLINK = 47, 48


def if_index(port):
    return 10100 + port


def mac(n):
    # Locally administered unicast prefix 02:..; n spreads across the low three bytes.
    return [0x02, 0x1A, 0x2B, (n >> 16) & 0xFF, (n >> 8) & 0xFF, n & 0xFF]


def port_list(ports):
    """A Q-BRIDGE PortList for 48 ports as hex: port p is bit p-1, most significant bit of the first octet first."""
    bits = bytearray(6)
    for p in ports:
        bits[(p - 1) // 8] |= 0x80 >> ((p - 1) % 8)
    return bits.hex()


def octets(text):
    return text.encode().hex()


def fdb_entries():
    """(vlan, mac bytes, bridge port) - 2,000 in all."""
    entries, n = [], 1
    for port in range(1, 41):
        entries.append((10, mac(n), port)); n += 1
    for port in range(41, 47):
        entries.append((10, mac(n), port)); n += 1
        entries.append((20, mac(n), port)); n += 1
    for i in range(148):
        entries.append(((10, 20, 99)[i % 3], mac(n), TRUNK)); n += 1
    for i in range(1800):
        entries.append(((10, 20)[i % 2], mac(n), UPLINK)); n += 1
    assert len(entries) == 2000
    return entries


def records():
    r = []
    add = lambda oid, tag, value: r.append((oid, tag, value))
    # SNMPv2-MIB system group. sysObjectID is in Cisco's product arc (1.3.6.1.4.1.9.1); the model number is illustrative.
    add("1.3.6.1.2.1.1.1.0", "4", "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E8, RELEASE SOFTWARE (fc1)")
    add("1.3.6.1.2.1.1.2.0", "6", "1.3.6.1.4.1.9.1.1208")
    add("1.3.6.1.2.1.1.3.0", "67", "123456789")
    add("1.3.6.1.2.1.1.4.0", "4", "netops@example.org")
    add("1.3.6.1.2.1.1.5.0", "4", "access-sw-48")
    add("1.3.6.1.2.1.1.6.0", "4:" + WC, "value=lab rack 1")  # the write probe
    add("1.3.6.1.2.1.2.1.0", "2", "48")  # ifNumber
    for p in PORTS:
        i = if_index(p)
        add(f"1.3.6.1.2.1.2.2.1.1.{i}", "2", str(i))
        add(f"1.3.6.1.2.1.2.2.1.2.{i}", "4", f"GigabitEthernet1/0/{p}")
        add(f"1.3.6.1.2.1.2.2.1.3.{i}", "2", "6")  # ethernetCsmacd
        add(f"1.3.6.1.2.1.2.2.1.6.{i}", "4x", "00" + "1b2c3d4e" + f"{p:02x}")
        add(f"1.3.6.1.2.1.2.2.1.7.{i}", "2:" + WC, "value=1")  # ifAdminStatus, writable
        add(f"1.3.6.1.2.1.2.2.1.8.{i}", "2", "1")
        add(f"1.3.6.1.2.1.31.1.1.1.1.{i}", "4", f"Gi1/0/{p}")
        alias = {TRUNK: "trunk ap-floor1", UPLINK: "uplink dist-1 Te1/0/7"}.get(p, f"desk {p:02d}")
        add(f"1.3.6.1.2.1.31.1.1.1.18.{i}", "4:" + WC, "value=" + alias)  # ifAlias, writable (containment marks it)
    # BRIDGE-MIB dot1dBasePortIfIndex: bridge port -> ifIndex
    for p in PORTS:
        add(f"1.3.6.1.2.1.17.1.4.1.2.{p}", "2", str(if_index(p)))
    # Q-BRIDGE dot1qTpFdbPort / dot1qTpFdbStatus (3 = learned), index fdbId.mac; fdbId = VLAN id here
    entries = fdb_entries()
    for vlan, m, port in entries:
        add("1.3.6.1.2.1.17.7.1.2.2.1.2.%d.%s" % (vlan, ".".join(map(str, m))), "2", str(port))
    for vlan, m, port in entries:
        add("1.3.6.1.2.1.17.7.1.2.2.1.3.%d.%s" % (vlan, ".".join(map(str, m))), "2", "3")
    # dot1qVlanFdbId.0.<vlan> and static VLAN names
    vlans = {1: "default", 10: "users", 20: "voice", 99: "quarantine"}
    for v in vlans:
        add(f"1.3.6.1.2.1.17.7.1.4.2.1.3.0.{v}", "66", str(v))
    for v, name in vlans.items():
        add(f"1.3.6.1.2.1.17.7.1.4.3.1.1.{v}", "4", name)
    # dot1qVlanStaticEgressPorts / UntaggedPorts (writable PortLists: bit = bridge port - 1, MSB first).
    # Access ports untagged in 10; phones tagged in 20; trunk and uplink carry 1 (native), 10, 20, and 99 on the trunk.
    members = {
        1: ([TRUNK, UPLINK], [TRUNK, UPLINK]),
        10: (list(range(1, 47)) + [TRUNK, UPLINK], list(range(1, 47))),
        20: (list(range(41, 47)) + [TRUNK, UPLINK], []),
        99: ([TRUNK], []),
    }
    for v, (egress, untagged) in members.items():
        add(f"1.3.6.1.2.1.17.7.1.4.3.1.2.{v}", "4:" + WC, "hexvalue=" + port_list(egress))
        add(f"1.3.6.1.2.1.17.7.1.4.3.1.4.{v}", "4:" + WC, "hexvalue=" + port_list(untagged))
    # dot1qPvid (Gauge32, writable) and dot1qPortAcceptableFrameTypes (1 = admitAll, 2 = tagged only)
    for p in PORTS:
        add(f"1.3.6.1.2.1.17.7.1.4.5.1.1.{p}", "66:" + WC, "value=" + ("1" if p in (TRUNK, UPLINK) else "10"))
    for p in PORTS:
        add(f"1.3.6.1.2.1.17.7.1.4.5.1.2.{p}", "2", "2" if p == UPLINK else "1")
    # LLDP-MIB: the uplink's neighbour, index lldpRemTimeMark.lldpRemLocalPortNum.lldpRemIndex
    rem = "1.0.8802.1.1.2.1.4.1.1"
    add(f"{rem}.4.0.{UPLINK}.1", "2", "4")  # chassisId subtype macAddress
    add(f"{rem}.5.0.{UPLINK}.1", "4x", "00aabbcc0001")
    add(f"{rem}.6.0.{UPLINK}.1", "2", "5")  # portId subtype interfaceName
    add(f"{rem}.7.0.{UPLINK}.1", "4", "Te1/0/7")
    add(f"{rem}.8.0.{UPLINK}.1", "4", "TenGigabitEthernet1/0/7")
    add(f"{rem}.9.0.{UPLINK}.1", "4", "dist-1")
    add(f"{rem}.10.0.{UPLINK}.1", "4", "Cisco IOS Software, C9300 Software")
    add(f"{rem}.11.0.{UPLINK}.1", "4x", "2800")  # bridge, router
    add(f"{rem}.12.0.{UPLINK}.1", "4x", "2800")
    # Cisco VLAN membership: vmVlanType (1 = static) and vmVlan (writable) per access ifIndex
    for p in PORTS:
        if p not in (TRUNK, UPLINK):
            add(f"1.3.6.1.4.1.9.9.68.1.2.2.1.1.{if_index(p)}", "2", "1")
    for p in PORTS:
        if p not in (TRUNK, UPLINK):
            add(f"1.3.6.1.4.1.9.9.68.1.2.2.1.2.{if_index(p)}", "2:" + WC, "value=10")
    # vmVoiceVlanId on the phone ports
    for p in range(41, 47):
        add(f"1.3.6.1.4.1.9.9.68.1.5.1.1.1.{if_index(p)}", "2", "20")
    # vlanTrunkPortDynamicState (1 = on, 2 = off) and native VLAN
    for p in PORTS:
        add(f"1.3.6.1.4.1.9.9.46.1.6.1.1.5.{if_index(p)}", "2", "1")
    for p in PORTS:
        add(f"1.3.6.1.4.1.9.9.46.1.6.1.1.13.{if_index(p)}", "2", "1" if p in (TRUNK, UPLINK) else "2")
    # snmpsim answers GETNEXT in file order: the file must be sorted by OID.
    r.sort(key=lambda rec: tuple(int(x) for x in rec[0].split(".")))
    return r


# A Cisco PVST access switch without Q-BRIDGE (cisco24*.snmprec): each VLAN has its own BRIDGE-MIB instance,
# read with the community "cisco24@<vlan>" (snmpsim: community = file name). VLAN 20 numbers its bridge ports
# 30 + port, unlike the default instance, so a reader must map them through that VLAN's dot1dBasePortIfIndex.
#   Fa0/1-12 access VLAN 10, one PC each (02:1c:24:00:10:NN); Fa0/13-23 access VLAN 20 (02:1c:24:00:20:NN);
#   Fa0/24 trunk uplink (trunking), 20 MACs in each VLAN. Default instance = VLAN 1's (cisco24@1 too): the uplink.
CISCO_PORTS = range(1, 25)
CISCO_UPLINK = 24


def cisco_if_index(port):
    return 10000 + port


def cisco_vlan_of(port):
    return 10 if port <= 12 else 20


def cisco_bridge_port(vlan, port):
    return 30 + port if vlan == 20 else port


def cisco_records(vlan):
    r = []
    add = lambda oid, tag, value: r.append((oid, tag, value))
    if vlan is None:
        add("1.3.6.1.2.1.1.1.0", "4", "Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), Version 15.0(2)SE11, RELEASE SOFTWARE (fc3)")
        add("1.3.6.1.2.1.1.5.0", "4", "access-pvst-24")
        for p in CISCO_PORTS:
            i = cisco_if_index(p)
            add(f"1.3.6.1.2.1.2.2.1.7.{i}", "2:" + WC, "value=1")
            add(f"1.3.6.1.2.1.31.1.1.1.1.{i}", "4", f"Fa0/{p}")
            add(f"1.3.6.1.2.1.31.1.1.1.18.{i}", "4:" + WC, "value=" + ("uplink dist-1" if p == CISCO_UPLINK else f"room {p:02d}"))
        add(f"1.3.6.1.2.1.17.1.4.1.2.{CISCO_UPLINK}", "2", str(cisco_if_index(CISCO_UPLINK)))
        add("1.3.6.1.2.1.17.4.3.1.2." + ".".join(map(str, [0x02, 0x1C, 0x24, 0x00, 0x01, 0x01])), "2", str(CISCO_UPLINK))
        # vtpVlanState.<domain 1>.<vlan>: operational(1); 1002-1005 are the legacy defaults every Catalyst lists
        for v in (1, 10, 20, 1002, 1003, 1004, 1005):
            add(f"1.3.6.1.4.1.9.9.46.1.3.1.1.2.1.{v}", "2", "1")
        for p in CISCO_PORTS:
            add(f"1.3.6.1.4.1.9.9.46.1.6.1.1.14.{cisco_if_index(p)}", "2", "1" if p == CISCO_UPLINK else "2")
        for p in CISCO_PORTS:
            if p != CISCO_UPLINK:
                add(f"1.3.6.1.4.1.9.9.68.1.2.2.1.2.{cisco_if_index(p)}", "2:" + WC, "value=%d" % cisco_vlan_of(p))
    else:
        ports = [p for p in CISCO_PORTS if p == CISCO_UPLINK or cisco_vlan_of(p) == vlan]
        if vlan == 1:  # VLAN 1's instance is the default one: only the uplink, and the one MAC learned on it
            add(f"1.3.6.1.2.1.17.1.4.1.2.{CISCO_UPLINK}", "2", str(cisco_if_index(CISCO_UPLINK)))
            add("1.3.6.1.2.1.17.4.3.1.2." + ".".join(map(str, [0x02, 0x1C, 0x24, 0x00, 0x01, 0x01])), "2", str(CISCO_UPLINK))
            return r
        for p in ports:
            add(f"1.3.6.1.2.1.17.1.4.1.2.{cisco_bridge_port(vlan, p)}", "2", str(cisco_if_index(p)))
        for p in ports:
            if p == CISCO_UPLINK:
                for n in range(20):
                    add("1.3.6.1.2.1.17.4.3.1.2." + ".".join(map(str, [0x02, 0x1C, 0x24, 0x01, vlan, n + 1])), "2", str(cisco_bridge_port(vlan, p)))
            else:
                add("1.3.6.1.2.1.17.4.3.1.2." + ".".join(map(str, [0x02, 0x1C, 0x24, 0x00, vlan, p])), "2", str(cisco_bridge_port(vlan, p)))
    r.sort(key=lambda rec: tuple(int(x) for x in rec[0].split(".")))
    return r


def write(name, recs):
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "snmprec", name)
    with open(out, "w", encoding="ascii") as f:
        for oid, tag, value in recs:
            f.write(f"{oid}|{tag}|{value}\n")
    print(out, file=sys.stderr)


def main():
    write("switch48.snmprec", records())
    write("cisco24.snmprec", cisco_records(None))
    for vlan in (1, 10, 20):
        write(f"cisco24@{vlan}.snmprec", cisco_records(vlan))


if __name__ == "__main__":
    main()
