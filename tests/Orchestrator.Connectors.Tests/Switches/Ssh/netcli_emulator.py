#!/usr/bin/python3
"""A stand-in for a network OS command line, run by sshd's ForceCommand on a pty.

    netcli_emulator.py --os ios|aoscx|junos|asa --state STATE.json     serve one login session
    netcli_emulator.py --os ios|aoscx|junos|asa --init STATE.json      write the sample device's state

One small switch per OS (the same twelve ports in each OS's naming): edge hosts on ports 1-8 (port 5 with a
desk phone on IOS), a LAG of ports 23-24 (Po1 / lag1 / ae0), an access port 47 with another switch behind it
(LLDP), and trunk 48 to the core (CDP/LLDP). The state file is read before and written after every command, so
a change made in one session is what the next read (in any session) sees. Every command typed is appended to
state["log"], every login counted in state["logins"], and the process id written to STATE.json.pid. A command
listed in state["hang"] is never answered.

Commands are checked against each vendor's documented syntax; anything else gets the OS's own error. The
output layouts follow the vendors' command references and published sample output:
  IOS / IOS-XE:
    - show interfaces status, show interfaces trunk, show etherchannel summary, show cdp neighbors,
      show mac address-table: Catalyst 2950/3750/9300 command references (cisco.com) and the EtherChannel
      chapter of the Catalyst 2950 guide (docslib.org/doc/3922722/configuring-etherchannels);
      courseiva.com/commands/cisco/show-etherchannel-summary for the summary's flag legend and Ports column
    - status words connected/notconnect/disabled/err-disabled: configurationsapien.com/tag/layer-1/
    - '% Invalid input detected at '^' marker.', enable / 'Password:' / '% Bad secrets': IOS CLI behaviour
  AOS-CX 10.x (support.hpe.com techhub, AOS-CX command-line reference):
    - show mac-address-table: .../OS-CX_10.02/5200-5308/GUID-8C219361-0AE6-4373-9281-AF5F31F9C62E.html
    - show lldp neighbor-info: .../OS-CX_10.03/5200-5950/GUID-0C8B61EA-44B5-4F2E-9AED-E45BBE4B55F5.html
    - show arp: .../OS-CX_10.01/5200-5143/GUID-AAE986F4-1189-4ED9-8F8C-28BB1866C066.html
    - show interface [brief]: .../OS-CX_10.03/5200-5950/GUID-2F8F47F3-6BBA-4206-9168-9EBDB466F605.html
    - interface / vlan access / shutdown: OpenStack networking-generic-switch aruba.py (see
      shared/docs/domain/network-containment.md)
  Junos ELS (juniper.net techpubs):
    - configure private / commit, lock messages ("Users currently editing the configuration: root terminal p3
      (pid 1088) on since ..."), no 'commit confirmed' in private mode: swconfig-cli "Using the configure
      exclusive Command" (Junos 9.3) and swconfig85-cli "Using the configure private Command"
    - show ethernet-switching table | display xml: the l2ng-mac-entry fields PyEZ's L2ngEthernetSwitchingTable
      reads (l2ng-l2-mac-vlan-name, -address, -flags, -logical-interface)
    - show interfaces terse (aenet --> ae0.0): genieparser junos ShowInterfacesTerse tests
    - show lldp neighbors: junos13.2 show-lldp-neighbors-lldp-ex-series
  Cisco ASA (--os asa, a firewall, not a switch: shuns only):
    - shun source_ip [dest_ip source_port dest_port [protocol]], no shun source_ip, privileged EXEC, not in the
      system execution space of a multiple-context ASA: ASA command reference S, "shun"
      (cisco.com/c/en/us/td/docs/security/asa/asa-cli-reference/S/asa-command-ref-S/m_shox-sn.html); the protocol
      defaults to 0 (any). The reference shows IPv4 only, so the stand-in takes IPv4 only.
    - 'Shun A.B.C.D successful' and the PIX 'show shun' layout 'Shun 192.168.1.10 0.0.0.0 0 0':
      ciscoarticles.com/CCSP-Cisco-Certified-Security-Professional/Shunning.html
    - the ASA 'show shun' layout 'shun (outside) 10.1.1.27 10.2.2.89 555 666 6' (interface, source, destination,
      ports, protocol): the ASA command reference's show shun example, as scripts that read it parse it
    - 'ERROR: % Invalid input detected at '^' marker.' under a caret, 'asa>' / 'enable' / 'Password:':
      a captured ASA session (pastebin.com/index/MCacpzXh); 'terminal pager 0' turns paging off for the session
    - NOT found in any documentation (the stand-in's own guesses, which the driver never relies on): the answer to a
      shun that already exists ('ERROR: Shun A.B.C.D already exists'), to 'no shun' of an address not shunned
      ('ERROR: Shun A.B.C.D not found'), and to a wrong enable secret ('Invalid password' per try, 'Access denied.'
      after the third).
"""
import argparse
import ipaddress
import json
import os
import re
import sys
import termios
import time

PORT_NUMBERS = [1, 2, 3, 4, 5, 6, 7, 8, 23, 24, 47, 48]


def mac_bytes(mac):
    return [int(x, 16) for x in mac.split(":")]


def cisco_mac(mac):
    h = mac.replace(":", "")
    return f"{h[0:4]}.{h[4:8]}.{h[8:12]}"


def initial_asa_state():
    """A single-context ASA with an inside and a dmz network (everything else is outside) and no shuns."""
    return {
        "os": "asa",
        "hostname": "asa",
        "enable_secret": "en-s3cret",
        "privileged_login": False,
        "context": "single",   # "system": the system execution space of a multiple-context ASA, which has no shun
        "interfaces": [{"name": "inside", "network": "10.0.0.0/8"}, {"name": "dmz", "network": "172.16.0.0/12"}],
        "shuns": [],
        "logins": 0,
        "log": [],
    }


def initial_state(os_name):
    if os_name == "asa":
        return initial_asa_state()

    def name(n):
        return {"ios": f"Gi1/0/{n}", "aoscx": f"1/1/{n}", "junos": f"ge-0/0/{n}"}[os_name]

    ports = []
    for n in PORT_NUMBERS:
        ports.append({"name": name(n), "admin_up": True, "link_up": n not in (3, 4), "mode": "access",
                      "vlan": 10, "description": None, "lag": None})
    by = {p["name"]: p for p in ports}
    by[name(1)]["description"] = "printer"
    by[name(7)]["description"] = "desk 7"
    by[name(47)]["description"] = "to dist-sw2"
    by[name(48)].update(mode="trunk", description="uplink core")
    for n in (23, 24):
        by[name(n)].update(mode="trunk", lag=1)
    lag = {"ios": "Po1", "aoscx": "lag1", "junos": "ae0"}[os_name]
    ports.append({"name": lag, "admin_up": True, "link_up": True, "mode": "trunk", "vlan": 1, "description": None, "lag": None, "is_lag": True})

    macs = [{"mac": f"02:1a:2b:00:00:0{n}", "vlan": 10, "port": name(n)} for n in (1, 2, 5, 6, 7, 8)]
    macs += [{"mac": "02:1a:2b:00:05:ee", "vlan": 20, "port": name(5)},   # the desk phone on port 5
             {"mac": "02:1a:2b:00:00:23", "vlan": 10, "port": lag},
             {"mac": "02:1a:2b:00:00:47", "vlan": 10, "port": name(47)},
             {"mac": "02:1a:2b:00:00:48", "vlan": 10, "port": name(48)}]
    arp = [{"ip": f"10.0.10.{n}", "mac": f"02:1a:2b:00:00:0{n}", "iface": "vlan10"} for n in (1, 2, 5, 6, 7, 8)]
    arp += [{"ip": "10.0.10.47", "mac": "02:1a:2b:00:00:47", "iface": "vlan10"},
            {"ip": "10.0.10.23", "mac": "02:1a:2b:00:00:23", "iface": "vlan10"}]
    return {
        "os": os_name,
        "hostname": {"ios": "Switch", "aoscx": "switch", "junos": "ex"}[os_name],
        "enable_secret": "en-s3cret",
        "privileged_login": False,
        "ports": ports,
        "vlans": {"1": "default", "10": "users", "20": "voice", "99": "quarantine"},
        "macs": macs,
        "arp": arp,
        # CDP (IOS only): the core behind 48, a desk phone on 5. LLDP: another switch behind 47, the core behind 48.
        "cdp": [{"port": name(48), "device": "core-sw.example.com", "caps": "R S I", "platform": "WS-C3850-", "remote": "Gig 1/0/1"},
                {"port": name(5), "device": "SEP001122334455", "caps": "H P M", "platform": "IP Phone", "remote": "Port 1"}] if os_name == "ios" else [],
        "lldp": [{"port": name(47), "device": "dist-sw2", "caps": "B,R", "chassis": "00:19:e2:50:3f:c0", "remote": "1/1/1"},
                 {"port": name(48), "device": "core-sw", "caps": "B,R", "chassis": "00:19:e2:50:3f:c1", "remote": "1/1/52"}],
        "locked_commits": 0,
        "lock_holder": "admin terminal p1 (pid 4321) on since 2026-11-24 03:58:02 UTC, idle 00:12:40",
        "commit_attempts": 0,
        "logins": 0,
        "log": [],
    }


class Device:
    def __init__(self, path):
        self.path = path

    def load(self):
        with open(self.path) as f:
            return json.load(f)

    def save(self, state):
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(state, f, indent=1)
        os.replace(tmp, self.path)


def out(text=""):
    # The pty turns "\n" into "\r\n" (onlcr), as a device's own terminal handling does.
    sys.stdout.write(text)
    sys.stdout.flush()


def line(text=""):
    out(text + "\n")


def read_line(echo=True):
    fd = sys.stdin.fileno()
    old = None
    if not echo and os.isatty(fd):
        old = termios.tcgetattr(fd)
        new = termios.tcgetattr(fd)
        new[3] &= ~termios.ECHO
        termios.tcsetattr(fd, termios.TCSADRAIN, new)
    try:
        text = sys.stdin.readline()
    finally:
        if old is not None:
            termios.tcsetattr(fd, termios.TCSADRAIN, old)
    if text == "":
        raise EOFError
    return text.rstrip("\r\n")


def find_port(state, name):
    key = port_key(state["os"], name)
    for p in state["ports"]:
        if port_key(state["os"], p["name"]) == key:
            return p
    return None


IOS_TYPES = {"gigabitethernet": "gi", "gi": "gi", "gig": "gi", "port-channel": "po", "po": "po"}
IOS_FULL = {"gi": "GigabitEthernet", "po": "Port-channel"}


def port_key(os_name, name):
    if os_name != "ios":
        return name.lower()
    m = re.match(r"^([A-Za-z-]+)\s*([\d/.]+)$", name)
    if not m or m.group(1).lower() not in IOS_TYPES:
        return None
    return IOS_TYPES[m.group(1).lower()] + m.group(2)


def port_macs(state):
    """MACs as the switch has learned them now: none on a port that is down; an access port's in its VLAN."""
    result = []
    for e in state["macs"]:
        p = find_port(state, e["port"])
        if p is None or not p["admin_up"] or not p["link_up"]:
            continue
        vlan = e["vlan"] if p["mode"] == "trunk" or e["vlan"] == 20 else p["vlan"]
        result.append((e["mac"], vlan, p))
    return result


class Syntax(Exception):
    """A command the CLI does not accept; 'at' is the index of the offending word (None = incomplete)."""

    def __init__(self, at):
        super().__init__(at)
        self.at = at


PROTOCOLS = {"tcp": 6, "udp": 17}


def is_ipv4(word):
    try:
        ipaddress.IPv4Address(word)
        return True
    except ValueError:
        return False


def match(words, grammar):
    """Matches words against templates (lists of words; '<n>' a number, '<if>' an interface, '<text>' the rest).
    Returns (template, values) or raises Syntax with the first word no template accepts."""
    best = 0
    for template in grammar:
        values = []
        i = 0
        ok = True
        for i, expected in enumerate(template):
            if expected == "<text>":
                if i >= len(words):
                    ok = False
                    break
                values.append(" ".join(words[i:]))
                return template, values
            if i >= len(words):
                ok = False
                best = max(best, len(words))
                break
            w = words[i]
            if expected == "<n>" and w.isdigit():
                values.append(int(w))
            elif expected == "<if>" and re.match(r"^[A-Za-z0-9][\w/.:-]*$", w):
                values.append(w)
            elif expected == "<ip>" and is_ipv4(w):
                values.append(w)
            elif expected == "<proto>" and (w.isdigit() or w in PROTOCOLS):
                values.append(int(w) if w.isdigit() else PROTOCOLS[w])
            elif expected == w:
                pass
            else:
                ok = False
                best = max(best, i)
                break
        else:
            if len(words) == len(template):
                return template, values
            best = max(best, len(template))
            ok = False
        if not ok:
            continue
    if best >= len(words):
        raise Syntax(None)
    raise Syntax(best)


# ---------------------------------------------------------------- Cisco IOS / IOS-XE


IOS_EXEC = [["enable"], ["exit"], ["terminal", "length", "<n>"], ["show", "version"]]
IOS_PRIV = IOS_EXEC + [
    ["disable"], ["configure", "terminal"],
    ["show", "interfaces", "status"], ["show", "interfaces", "trunk"], ["show", "etherchannel", "summary"],
    ["show", "mac", "address-table"], ["show", "mac", "address-table", "dynamic"],
    ["show", "cdp", "neighbors"], ["show", "lldp", "neighbors"], ["show", "ip", "arp"],
    ["show", "running-config", "interface", "<if>"],
]
IOS_CONFIG = [["interface", "<if>"], ["end"], ["exit"]]
IOS_IF = [["description", "<text>"], ["no", "description"], ["shutdown"], ["no", "shutdown"],
          ["switchport", "access", "vlan", "<n>"], ["switchport", "mode", "access"], ["end"], ["exit"]]


class Ios:
    ERROR = ""                        # what starts an error line ('ERROR: ' on the ASA)
    WRONG_SECRET = None               # printed after each refused enable secret
    SECRETS_EXHAUSTED = "% Bad secrets"

    def __init__(self, device):
        self.device = device
        state = device.load()
        self.host = state["hostname"]
        self.privileged = state["privileged_login"]
        self.mode = "exec"
        self.interface = None

    def prompt(self):
        suffix = {"exec": "", "config": "(config)", "if": "(config-if)"}[self.mode]
        return f"{self.host}{suffix}{'#' if self.privileged else '>'}"

    def invalid(self, command, error):
        if error.at is None:
            line(self.ERROR + "% Incomplete command.")
        else:
            words = command.split()
            offset = len(self.prompt()) + command.index(words[error.at]) if error.at < len(words) else len(self.prompt()) + len(command)
            line(" " * offset + "^")
            line(self.ERROR + "% Invalid input detected at '^' marker.")
        line()

    def grammar(self, state):
        return {"exec": IOS_PRIV if self.privileged else IOS_EXEC, "config": IOS_CONFIG, "if": IOS_IF}[self.mode]

    def run(self, command, state):
        words = command.split()
        if not words:
            return
        try:
            template, values = match(words, self.grammar(state))
        except Syntax as e:
            self.invalid(command, e)
            return
        key = " ".join(template)
        handler = getattr(self, "do_" + re.sub(r"[^a-z]+", "_", key.replace("<", "").replace(">", "")).strip("_"))
        handler(state, command, *values)

    def do_enable(self, state, command):
        if self.privileged:
            return
        for _ in range(3):
            out("Password: ")
            secret = read_line(echo=False)
            line()
            if secret == state["enable_secret"]:
                self.privileged = True
                return
            if self.WRONG_SECRET:
                line(self.WRONG_SECRET)
        line(self.SECRETS_EXHAUSTED)
        line()

    def do_disable(self, state, command):
        self.privileged = False

    def do_exit(self, state, command):
        if self.mode == "exec":
            raise EOFError
        self.mode = "config" if self.mode == "if" else "exec"

    def do_end(self, state, command):
        self.mode = "exec"

    def do_terminal_length_n(self, state, command, n):
        pass

    def do_show_version(self, state, command):
        line("Cisco IOS XE Software, Version 17.09.04a")

    def do_configure_terminal(self, state, command):
        line("Enter configuration commands, one per line.  End with CNTL/Z.")
        self.mode = "config"

    def do_interface_if(self, state, command, name):
        port = find_port(state, name)
        if port is None:
            self.invalid(command, Syntax(1))
            return
        self.interface = port["name"]
        self.mode = "if"

    def port(self, state):
        return find_port(state, self.interface)

    def do_description_text(self, state, command, text):
        self.port(state)["description"] = text

    def do_no_description(self, state, command):
        self.port(state)["description"] = None

    def do_shutdown(self, state, command):
        self.port(state)["admin_up"] = False

    def do_no_shutdown(self, state, command):
        self.port(state)["admin_up"] = True

    def do_switchport_mode_access(self, state, command):
        self.port(state)["mode"] = "access"

    def do_switchport_access_vlan_n(self, state, command, vlan):
        if not 1 <= vlan <= 4094:
            self.invalid(command, Syntax(3))
            return
        if str(vlan) not in state["vlans"]:
            line(f"% Access VLAN does not exist. Creating vlan {vlan}")
            state["vlans"][str(vlan)] = f"VLAN{vlan:04d}"
        self.port(state)["vlan"] = vlan

    def do_show_interfaces_status(self, state, command):
        line()
        line(f"{'Port':<13}{'Name':<19}{'Status':<13}{'Vlan':<11}{'Duplex':>6} {'Speed':>6} Type")
        for p in state["ports"]:
            status = "disabled" if not p["admin_up"] else "connected" if p["link_up"] else "notconnect"
            vlan = "trunk" if p["mode"] == "trunk" else str(p["vlan"])
            kind = "" if p.get("is_lag") else "10/100/1000BaseTX"
            up = p["admin_up"] and p["link_up"]
            line(f"{p['name']:<13}{(p['description'] or '')[:18]:<19}{status:<13}{vlan:<11}{'a-full' if up else 'auto':>6} {'a-1000' if up else 'auto':>6} {kind}".rstrip())

    def do_show_interfaces_trunk(self, state, command):
        trunks = [p for p in state["ports"] if p["mode"] == "trunk" and p["lag"] is None]
        line()
        line(f"{'Port':<12}{'Mode':<17}{'Encapsulation':<15}{'Status':<14}Native vlan")
        for p in trunks:
            line(f"{p['name']:<12}{'on':<17}{'802.1q':<15}{'trunking':<14}1")
        line()
        line(f"{'Port':<12}Vlans allowed on trunk")
        for p in trunks:
            line(f"{p['name']:<12}1-4094")
        line()

    def do_show_etherchannel_summary(self, state, command):
        line("Flags:  D - down        P - bundled in port-channel")
        line("        I - stand-alone s - suspended")
        line("        H - Hot-standby (LACP only)")
        line("        R - Layer3      S - Layer2")
        line("        U - in use      f - failed to allocate aggregator")
        line()
        line("        M - not in use, minimum links not met")
        line("        u - unsuitable for bundling")
        line("        w - waiting to be aggregated")
        line("        d - default port")
        line()
        line()
        members = [p["name"] for p in state["ports"] if p["lag"] == 1]
        line("Number of channel-groups in use: 1")
        line("Number of aggregators:           1")
        line()
        line("Group  Port-channel  Protocol    Ports")
        line("------+-------------+-----------+-----------------------------------------------")
        line("1      Po1(SU)         LACP      " + "  ".join(f"{m}(P)" for m in members))
        line()

    def do_show_mac_address_table(self, state, command):
        self.mac_table(state, dynamic_only=False)

    def do_show_mac_address_table_dynamic(self, state, command):
        self.mac_table(state, dynamic_only=True)

    def mac_table(self, state, dynamic_only):
        line("          Mac Address Table")
        line("-------------------------------------------")
        line()
        line("Vlan    Mac Address       Type        Ports")
        line("----    -----------       --------    -----")
        rows = 0
        if not dynamic_only:
            line(" All    0100.0ccc.cccc    STATIC      CPU")
            rows += 1
        for mac, vlan, p in port_macs(state):
            line(f"{vlan:>4}    {cisco_mac(mac)}    DYNAMIC     {p['name']}")
            rows += 1
        line(f"Total Mac Addresses for this criterion: {rows}")

    def do_show_cdp_neighbors(self, state, command):
        line("Capability Codes: R - Router, T - Trans Bridge, B - Source Route Bridge")
        line("                  S - Switch, H - Host, I - IGMP, r - Repeater, P - Phone,")
        line("                  D - Remote, C - CVTA, M - Two-port Mac Relay")
        line()
        line(f"{'Device ID':<17}{'Local Intrfce':<18}{'Holdtme':<11}{'Capability':<12}{'Platform':<10}Port ID")
        for n in state["cdp"]:
            local = re.sub(r"^Gi", "Gig ", n["port"])
            if len(n["device"]) > 16:
                line(n["device"])
                line(f"{'':<17}{local:<18}{'155':<11}{n['caps']:>10}  {n['platform']:<10}{n['remote']}")
            else:
                line(f"{n['device']:<17}{local:<18}{'143':<11}{n['caps']:>10}  {n['platform']:<10}{n['remote']}")
        line()
        line(f"Total cdp entries displayed : {len(state['cdp'])}")

    def do_show_lldp_neighbors(self, state, command):
        line()
        line("Capability codes:")
        line("    (R) Router, (B) Bridge, (T) Telephone, (C) DOCSIS Cable Device")
        line("    (W) WLAN Access Point, (P) Repeater, (S) Station, (O) Other")
        line()
        line(f"{'Device ID':<20}{'Local Intf':<15}{'Hold-time':<11}{'Capability':<16}Port ID")
        for n in state["lldp"]:
            line(f"{n['device'][:20]:<20}{n['port']:<15}{'120':<11}{n['caps']:<16}{n['remote']}")
        line()
        line(f"Total entries displayed: {len(state['lldp'])}")
        line()

    def do_show_ip_arp(self, state, command):
        line("Protocol  Address          Age (min)  Hardware Addr   Type   Interface")
        line("Internet  10.0.10.254             -   0011.2233.4455  ARPA   Vlan10")
        for e in state["arp"]:
            line(f"Internet  {e['ip']:<16}{'3':>9}   {cisco_mac(e['mac'])}  ARPA   Vlan10")
        line("Internet  10.0.10.99              0   Incomplete      ARPA")

    def do_show_running_config_interface_if(self, state, command, name):
        p = find_port(state, name)
        if p is None:
            self.invalid(command, Syntax(3))
            return
        body = []
        if p["description"]:
            body.append(f" description {p['description']}")
        if p["mode"] == "trunk":
            body.append(" switchport mode trunk")
        else:
            if p["vlan"] != 1:
                body.append(f" switchport access vlan {p['vlan']}")
            body.append(" switchport mode access")
        if p["lag"]:
            body.append(f" channel-group {p['lag']} mode active")
        if not p["admin_up"]:
            body.append(" shutdown")
        if p["mode"] != "trunk":
            body.append(" spanning-tree portfast")
        full = IOS_FULL[port_key("ios", p["name"])[:2]] + port_key("ios", p["name"])[2:]
        text = "\n".join([f"interface {full}"] + body + ["end"])
        line("Building configuration...")
        line()
        line(f"Current configuration : {len(text)} bytes")
        line("!")
        line(text)
        line()


# ---------------------------------------------------------------- Aruba AOS-CX


CX_MANAGER = [
    ["exit"], ["no", "page"], ["page"], ["configure", "terminal"], ["configure"], ["config"],
    ["show", "interface", "brief"], ["show", "interface", "<if>", "brief"], ["show", "mac-address-table"],
    ["show", "lacp", "aggregates"], ["show", "lldp", "neighbor-info"], ["show", "arp"],
    ["show", "running-config", "interface", "<if>"],
]
CX_CONFIG = [["interface", "<if>"], ["end"], ["exit"]]
CX_IF = [["description", "<text>"], ["no", "description"], ["shutdown"], ["no", "shutdown"],
         ["vlan", "access", "<n>"], ["no", "routing"], ["end"], ["exit"]]


class Aoscx(Ios):
    def prompt(self):
        # An operator-role login gets '>' and may only show; administrators get '#' (no enable on AOS-CX).
        suffix = {"exec": "", "config": "(config)", "if": "(config-if)"}[self.mode]
        return f"{self.host}{suffix}{'>' if self.device.load().get('operator_login') else '#'}"

    def invalid(self, command, error):
        words = command.split()
        if error.at is None:
            line("% Command incomplete.")
        else:
            line(f"Invalid input: {words[error.at]}")

    def run(self, command, state):
        words = command.split()
        if not words:
            return
        grammar = {"exec": CX_MANAGER, "config": CX_CONFIG, "if": CX_IF}[self.mode]
        try:
            template, values = match(words, grammar)
        except Syntax as e:
            self.invalid(command, e)
            return
        key = " ".join(template).replace("<", "").replace(">", "")
        handler = getattr(self, "cx_" + re.sub(r"[^a-z]+", "_", key).strip("_"), None) or getattr(self, "do_" + re.sub(r"[^a-z]+", "_", key).strip("_"))
        handler(state, command, *values)

    def cx_no_page(self, state, command):
        pass

    cx_page = cx_no_page

    def cx_configure(self, state, command):
        self.mode = "config"

    cx_configure_terminal = cx_configure
    cx_config = cx_configure

    def cx_no_routing(self, state, command):
        pass

    def cx_vlan_access_n(self, state, command, vlan):
        if str(vlan) not in state["vlans"]:
            line(f"VLAN {vlan} does not exist.")
            return
        self.port(state)["vlan"] = vlan

    def brief(self, ports):
        rule = "-" * 104
        line(rule)
        line(f"{'Port':<11}{'Native':<8}{'Mode':<7}{'Type':<15}{'Enabled':<8}{'Status':<8}{'Reason':<24}{'Speed':<8}Description")
        line(f"{'':<11}{'VLAN':<8}{'':<7}{'':<15}{'':<8}{'':<8}{'':<24}(Mb/s)")
        line(rule)
        for p in ports:
            up = p["admin_up"] and p["link_up"]
            reason = "" if up else "Administratively down" if not p["admin_up"] else "Waiting for link"
            native = "1" if p["mode"] == "trunk" else str(p["vlan"])
            kind = "--" if p.get("is_lag") else "1GbT"
            line(f"{p['name']:<11}{native:<8}{p['mode']:<7}{kind:<15}{'yes' if p['admin_up'] else 'no':<8}{'up' if up else 'down':<8}{reason:<24}{'1000' if up else '--':<8}{p['description'] or '--'}")

    def cx_show_interface_brief(self, state, command):
        self.brief(state["ports"])

    def cx_show_interface_if_brief(self, state, command, name):
        p = find_port(state, name)
        if p is None:
            self.invalid(command, Syntax(2))
            return
        self.brief([p])

    def cx_show_mac_address_table(self, state, command):
        macs = port_macs(state)
        line("MAC age-time            : 300 seconds")
        line(f"Number of MAC addresses : {len(macs)}")
        line()
        line(f"{'MAC Address':<21}{'VLAN':<9}{'Type':<11}Port")
        line("-" * 50)
        for mac, vlan, p in macs:
            line(f"{mac:<21}{vlan:<9}{'dynamic':<11}{p['name']}")

    def cx_show_lacp_aggregates(self, state, command):
        members = " ".join(p["name"] for p in state["ports"] if p["lag"] == 1)
        line()
        line(f"{'Aggregate name':<33}: lag1")
        line(f"{'Interfaces':<33}: {members}")
        line(f"{'Heartbeat rate':<33}: Slow")
        line(f"{'Hash':<33}: l3-src-dst")
        line(f"{'Aggregate mode':<33}: Active")
        line()

    def cx_show_lldp_neighbor_info(self, state, command):
        line()
        line("LLDP Neighbor Information")
        line("=========================")
        line()
        line(f"Total Neighbor Entries          : {len(state['lldp'])}")
        line("Total Neighbor Entries Deleted  : 0")
        line("Total Neighbor Entries Dropped  : 0")
        line("Total Neighbor Entries Aged-Out : 0")
        line()
        line(f"{'LOCAL-PORT':<12}{'CHASSIS-ID':<19}{'PORT-ID':<14}{'PORT-DESC':<14}{'TTL':<9}SYS-NAME")
        line("-" * 80)
        for n in state["lldp"]:
            line(f"{n['port']:<12}{n['chassis']:<19}{n['remote']:<14}{n['remote']:<14}{'120':<9}{n['device']}")

    def cx_show_arp(self, state, command):
        line()
        line(f"{'IPv4 Address':<17}{'MAC':<19}{'Port':<13}{'Physical Port':<17}State")
        line("-" * 79)
        count = 0
        for e in state["arp"]:
            mac_port = next((p for m, _, p in port_macs(state) if m == e["mac"]), None)
            line(f"{e['ip']:<17}{e['mac']:<19}{e['iface']:<13}{(mac_port or {}).get('name', '--'):<17}reachable")
            count += 1
        line()
        line(f"Total Number Of ARP Entries Listed- {count}.")
        line("-" * 79)

    def cx_show_running_config_interface_if(self, state, command, name):
        p = find_port(state, name)
        if p is None:
            self.invalid(command, Syntax(3))
            return
        line(f"interface {p['name']}")
        line("    shutdown" if not p["admin_up"] else "    no shutdown")
        if p["description"]:
            line(f"    description {p['description']}")
        if p["lag"]:
            line(f"    lag {p['lag']}")
        else:
            line("    no routing")
            if p["mode"] == "trunk":
                line("    vlan trunk native 1")
                line("    vlan trunk allowed all")
            elif p["vlan"] != 1:
                line(f"    vlan access {p['vlan']}")
        line("    exit")


# ---------------------------------------------------------------- Junos (EX/QFX, ELS)


JUNOS_OPERATIONAL = [
    ["exit"], ["quit"], ["set", "cli", "screen-length", "<n>"], ["set", "cli", "screen-width", "<n>"],
    ["configure"], ["configure", "private"], ["configure", "exclusive"],
    ["show", "interfaces", "terse"], ["show", "interfaces", "terse", "<if>"],
    ["show", "configuration", "interfaces", "|", "display", "set"],
    ["show", "configuration", "interfaces", "<if>", "|", "display", "set"],
    ["show", "vlans"], ["show", "ethernet-switching", "table", "|", "display", "xml"], ["show", "ethernet-switching", "table"],
    ["show", "lldp", "neighbors"], ["show", "arp", "no-resolve"],
]
JUNOS_CONFIG = [
    ["set", "interfaces", "<if>", "disable"], ["delete", "interfaces", "<if>", "disable"],
    ["set", "interfaces", "<if>", "description", "<text>"], ["delete", "interfaces", "<if>", "description"],
    ["set", "interfaces", "<if>", "unit", "0", "family", "ethernet-switching", "vlan", "members", "<if>"],
    ["delete", "interfaces", "<if>", "unit", "0", "family", "ethernet-switching", "vlan", "members"],
    ["commit"], ["rollback", "0"], ["exit"], ["quit"], ["show", "|", "compare"],
]


class Junos:
    def __init__(self, device):
        self.device = device
        state = device.load()
        self.host = state["hostname"]
        self.user = os.environ.get("USER") or os.environ.get("LOGNAME") or "user"
        self.candidate = None  # the private candidate's ports while in configure private

    def prompt(self):
        return f"{self.user}@{self.host}{'#' if self.candidate is not None else '>'} "

    def run(self, command, state):
        words = command.split()
        if not words:
            if self.candidate is not None:
                line()
                line("[edit]")
            return
        try:
            template, values = match(words, JUNOS_CONFIG if self.candidate is not None else JUNOS_OPERATIONAL)
        except Syntax as e:
            if e.at == 0 and self.candidate is None:
                line(" " * len(self.prompt()) + "^")
                line("unknown command.")
            else:
                at = len(command) if e.at is None or e.at >= len(words) else command.index(words[e.at], sum(len(w) + 1 for w in words[:e.at]))
                line(" " * (len(self.prompt()) + at) + "^")
                line("syntax error." if e.at is not None else "syntax error, expecting <command>.")
            if self.candidate is not None:
                line()
                line("[edit]")
            return
        key = " ".join(template).replace("<", "").replace(">", "").replace("|", "pipe")
        getattr(self, "j_" + re.sub(r"[^a-z]+", "_", key).strip("_"))(state, *values)
        if self.candidate is not None and template[0] not in ("exit", "quit"):
            line()
            line("[edit]")

    # operational mode

    def j_exit(self, state):
        if self.candidate is None:
            raise EOFError
        if self.changed(state):
            line("The configuration has been changed but not committed")
            out("Discard uncommitted changes? [yes,no] (yes) ")
            if read_line().strip() not in ("", "yes"):
                line()
                line("[edit]")
                return
        self.candidate = None
        line("Exiting configuration mode")
        line()

    j_quit = j_exit

    def j_set_cli_screen_length_n(self, state, n):
        line(f"Screen length set to {n}")

    def j_set_cli_screen_width_n(self, state, n):
        line(f"Screen width set to {n}")

    def j_configure(self, state):
        line("error: this switch stand-in supports 'configure private' only")

    j_configure_exclusive = j_configure

    def j_configure_private(self, state):
        line("warning: uncommitted changes will be discarded on exit")
        line("Entering configuration mode")
        self.candidate = json.loads(json.dumps(state["ports"]))

    def terse(self, ports):
        line(f"{'Interface':<24}{'Admin':<6}{'Link':<5}{'Proto':<9}{'Local':<22}Remote")
        for p in ports:
            admin = "up" if p["admin_up"] else "down"
            link = "up" if p["admin_up"] and p["link_up"] else "down"
            line(f"{p['name']:<24}{admin:<6}{link}")
            proto = f"{'aenet':<9}-->  ae0.0" if p["lag"] else "eth-switch"
            line(f"{p['name'] + '.0':<24}{'up':<6}{link:<5}{proto}")

    def j_show_interfaces_terse(self, state):
        self.terse(state["ports"])
        line(f"{'me0':<24}{'up':<6}up")
        line(f"{'me0.0':<24}{'up':<6}{'up':<5}{'inet':<9}192.0.2.10/24")

    def j_show_interfaces_terse_if(self, state, name):
        p = find_port(state, name)
        if p is None:
            line(f"error: device {name} not found")
            return
        self.terse([p])

    def sets(self, p):
        n = p["name"]
        lines = []
        if p["description"]:
            d = p["description"]
            lines.append(f"set interfaces {n} description " + (f'"{d}"' if " " in d else d))
        if not p["admin_up"]:
            lines.append(f"set interfaces {n} disable")
        if p["lag"]:
            lines.append(f"set interfaces {n} ether-options 802.3ad ae0")
            return lines
        mode = "trunk" if p["mode"] == "trunk" else "access"
        lines.append(f"set interfaces {n} unit 0 family ethernet-switching interface-mode {mode}")
        if p["mode"] == "trunk":
            lines += [f"set interfaces {n} unit 0 family ethernet-switching vlan members users",
                      f"set interfaces {n} unit 0 family ethernet-switching vlan members quarantine"]
        elif p.get("member") is not None:
            lines.append(f"set interfaces {n} unit 0 family ethernet-switching vlan members {p['member']}")
        elif p["vlan"] != 1:
            lines.append(f"set interfaces {n} unit 0 family ethernet-switching vlan members {self.vlan_name(p['vlan'])}")
        return lines

    def vlan_name(self, vlan):
        return self.device.load()["vlans"].get(str(vlan), str(vlan))

    def j_show_configuration_interfaces_pipe_display_set(self, state):
        for p in state["ports"]:
            for s in self.sets(p):
                line(s)

    def j_show_configuration_interfaces_if_pipe_display_set(self, state, name):
        p = find_port(state, name)
        for s in self.sets(p) if p else []:
            line(s)

    def j_show_vlans(self, state):
        line()
        line(f"{'Routing instance':<24}{'VLAN name':<22}{'Tag':<13}Interfaces")
        for vid, name in sorted(state["vlans"].items(), key=lambda v: v[1]):
            line(f"{'default-switch':<24}{name:<22}{vid}")
            for p in state["ports"]:
                if not p["lag"] and (p["mode"] == "trunk" and vid in ("10", "99") or p["mode"] == "access" and str(p["vlan"]) == vid):
                    line(f"{'':<59}{p['name']}.0*")
        line()

    def j_show_ethernet_switching_table_pipe_display_xml(self, state):
        macs = port_macs(state)
        line('<rpc-reply xmlns:junos="http://xml.juniper.net/junos/21.4R3/junos">')
        line("    <l2ng-l2ald-rtb-macdb>")
        line('        <l2ng-l2ald-mac-entry-vlan junos:style="brief-rtb">')
        line(f"            <mac-count-global>{len(macs)}</mac-count-global>")
        line(f"            <learnt-mac-count>{len(macs)}</learnt-mac-count>")
        line("            <l2ng-l2-mac-routing-instance>default-switch</l2ng-l2-mac-routing-instance>")
        for mac, vlan, p in macs:
            line("            <l2ng-mac-entry>")
            line(f"                <l2ng-l2-mac-vlan-name>{state['vlans'].get(str(vlan), str(vlan))}</l2ng-l2-mac-vlan-name>")
            line(f"                <l2ng-l2-mac-address>{mac}</l2ng-l2-mac-address>")
            line("                <l2ng-l2-mac-flags>D</l2ng-l2-mac-flags>")
            line("                <l2ng-l2-mac-age>-</l2ng-l2-mac-age>")
            line(f"                <l2ng-l2-mac-logical-interface>{p['name']}.0</l2ng-l2-mac-logical-interface>")
            line("                <l2ng-l2-mac-fwd-next-hop>0</l2ng-l2-mac-fwd-next-hop>")
            line("                <l2ng-l2-mac-rtr-id>0</l2ng-l2-mac-rtr-id>")
            line("            </l2ng-mac-entry>")
        line("        </l2ng-l2ald-mac-entry-vlan>")
        line("    </l2ng-l2ald-rtb-macdb>")
        line("    <cli>")
        line("        <banner></banner>")
        line("    </cli>")
        line("</rpc-reply>")

    def j_show_ethernet_switching_table(self, state):
        line("MAC flags (S - static MAC, D - dynamic MAC, L - locally learned, P - Persistent static)")
        for mac, vlan, p in port_macs(state):
            line(f"   {state['vlans'].get(str(vlan), str(vlan)):<20}{mac:<20}D        -   {p['name']}.0")

    def j_show_lldp_neighbors(self, state):
        line(f"{'Local Interface':<19}{'Parent Interface':<20}{'Chassis Id':<20}{'Port info':<19}System Name")
        for n in state["lldp"]:
            line(f"{n['port']:<19}{'-':<20}{n['chassis']:<20}{n['remote']:<19}{n['device']}")
        line()

    def j_show_arp_no_resolve(self, state):
        line(f"{'MAC Address':<18}{'Address':<16}{'Interface':<18}Flags")
        for e in state["arp"]:
            line(f"{e['mac']:<18}{e['ip']:<16}{'irb.10':<25}none")
        line(f"Total entries: {len(state['arp'])}")

    # configuration mode (private candidate)

    def cport(self, name):
        for p in self.candidate:
            if p["name"].lower() == name.lower():
                return p
        p = {"name": name, "unknown": True, "admin_up": True, "link_up": False, "mode": "access", "vlan": 1, "description": None, "lag": None}
        self.candidate.append(p)
        return p

    def changed(self, state):
        return json.dumps(self.candidate, sort_keys=True) != json.dumps(state["ports"], sort_keys=True)

    def j_set_interfaces_if_disable(self, state, name):
        self.cport(name)["admin_up"] = False

    def j_delete_interfaces_if_disable(self, state, name):
        p = self.cport(name)
        if p["admin_up"]:
            line("warning: statement not found")
        p["admin_up"] = True

    def j_set_interfaces_if_description_text(self, state, name, text):
        if text.startswith('"') != text.endswith('"') or (" " in text and not text.startswith('"')):
            line(" " * (len(self.prompt()) + len(f"set interfaces {name} description ")) + "^")
            line("syntax error.")
            return
        self.cport(name)["description"] = text.strip('"')

    def j_delete_interfaces_if_description(self, state, name):
        p = self.cport(name)
        if p["description"] is None:
            line("warning: statement not found")
        p["description"] = None

    def j_set_interfaces_if_unit_family_ethernet_switching_vlan_members_if(self, state, name, member):
        p = self.cport(name)
        p["member"] = member

    def j_delete_interfaces_if_unit_family_ethernet_switching_vlan_members(self, state, name):
        p = self.cport(name)
        p["vlan"] = 1
        p["member"] = None

    def j_show_pipe_compare(self, state):
        pass

    def j_rollback(self, state):
        self.candidate = json.loads(json.dumps(state["ports"]))
        line("load complete")

    def j_commit(self, state):
        state["commit_attempts"] += 1
        if state["locked_commits"] > 0:
            state["locked_commits"] -= 1
            line("error: configuration database locked by:")
            line(f"  {state['lock_holder']}")
            line("      exclusive [edit]")
            return
        names = {v: int(k) for k, v in state["vlans"].items()}
        for p in self.candidate:
            if p.get("unknown"):
                line("[edit interfaces]")
                line(f"  '{p['name']}'")
                line(f"    error: device {p['name']} not found")
                line("error: configuration check-out failed")
                return
            member = p.pop("member", None)
            if member is not None:
                vid = names.get(member) or (int(member) if member.isdigit() else None)
                if vid is None:
                    line("[edit interfaces " + p["name"] + " unit 0 family ethernet-switching vlan]")
                    line(f"  'members {member}'")
                    line(f"    error: vlan with name {member} not found")
                    line("error: configuration check-out failed")
                    p["member"] = member
                    return
                p["vlan"] = vid
        state["ports"] = json.loads(json.dumps(self.candidate))
        self.candidate = json.loads(json.dumps(state["ports"]))
        line("commit complete")


# ---------------------------------------------------------------- Cisco ASA (shun only)


ASA_EXEC = [["enable"], ["exit"], ["quit"], ["show", "version"]]
ASA_PRIV = ASA_EXEC + [["disable"], ["terminal", "pager", "<n>"], ["show", "shun"], ["show", "shun", "<ip>"]]
ASA_SHUN = [["shun", "<ip>"], ["shun", "<ip>", "<ip>", "<n>", "<n>"], ["shun", "<ip>", "<ip>", "<n>", "<n>", "<proto>"],
            ["no", "shun", "<ip>"]]


class Asa(Ios):
    ERROR = "ERROR: "
    WRONG_SECRET = "Invalid password"
    SECRETS_EXHAUSTED = "Access denied."

    def grammar(self, state):
        if not self.privileged:
            return ASA_EXEC
        # The system execution space of a multiple-context ASA has no shun (the command reference's mode table).
        return ASA_PRIV + ([] if state["context"] == "system" else ASA_SHUN)

    do_quit = Ios.do_exit

    def do_terminal_pager_n(self, state, command, n):
        pass

    def do_show_version(self, state, command):
        line("Cisco Adaptive Security Appliance Software Version 9.20(2)")

    def interface_of(self, state, address):
        ip = ipaddress.IPv4Address(address)
        return next((i["name"] for i in state["interfaces"] if ip in ipaddress.IPv4Network(i["network"])), "outside")

    def do_shun_ip(self, state, command, source, dest="0.0.0.0", source_port=0, dest_port=0, protocol=0):
        if any(s["source"] == source for s in state["shuns"]):
            line(f"ERROR: Shun {source} already exists")
            return
        state["shuns"].append({"interface": self.interface_of(state, source), "source": source, "dest": dest,
                               "source_port": source_port, "dest_port": dest_port, "protocol": protocol})
        line(f"Shun {source} successful")

    do_shun_ip_ip_n_n = do_shun_ip
    do_shun_ip_ip_n_n_proto = do_shun_ip

    def do_no_shun_ip(self, state, command, source):
        if not any(s["source"] == source for s in state["shuns"]):
            line(f"ERROR: Shun {source} not found")
            return
        state["shuns"] = [s for s in state["shuns"] if s["source"] != source]

    def do_show_shun(self, state, command, only=None):
        for s in state["shuns"]:
            if only in (None, s["source"]):
                line(f"shun ({s['interface']}) {s['source']} {s['dest']} {s['source_port']} {s['dest_port']} {s['protocol']}")

    do_show_shun_ip = do_show_shun


def serve(os_name, path):
    device = Device(path)
    with open(path + ".pid", "w") as f:
        f.write(str(os.getpid()))
    state = device.load()
    state["logins"] += 1
    device.save(state)
    cli = {"ios": Ios, "aoscx": Aoscx, "junos": Junos, "asa": Asa}[os_name](device)
    line()
    while True:
        out(cli.prompt())
        try:
            command = read_line().strip()
        except EOFError:
            return
        state = device.load()
        state["log"].append(command)
        if command in state.get("hang", []):
            # A device that never answers (a stuck CLI, a saturated control plane): the client must time out.
            time.sleep(120)
        try:
            cli.run(command, state)
        except EOFError:
            device.save(state)
            return
        device.save(state)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--os", required=True, choices=["ios", "aoscx", "junos", "asa"])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--state")
    group.add_argument("--init")
    args = parser.parse_args()
    if args.init:
        Device(args.init).save(initial_state(args.os))
        return
    serve(args.os, args.state)


if __name__ == "__main__":
    main()
