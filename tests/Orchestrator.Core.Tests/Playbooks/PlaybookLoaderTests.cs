using Orchestrator.Core.Playbooks;
using Orchestrator.Core.Runs;

namespace Orchestrator.Core.Tests.Playbooks;

public sealed class PlaybookLoaderTests
{
    private const string Inventory = """
        lists:
          protected_networks: [10.0.0.0/24, 192.168.1.1]
        protected:
          hosts: [DC01]
          macs: [aa:bb:cc:dd:ee:ff]
          lists: [protected_networks]
        devices:
          core-fw:
            driver: nftables
            address: 10.0.0.1
            credentials: { password: "${env:FW_PASSWORD}" }
        """;

    private static PlaybookSet Load(string yaml, string? inventory = Inventory, PlaybookLoaderOptions? options = null) =>
        PlaybookLoader.Load([new PlaybookSource("playbooks/worm.yaml", yaml)], inventory is null ? null : new PlaybookSource("playbooks/inventory.yaml", inventory), options);

    private static string Errors(PlaybookSet set) => string.Join("\n", set.Errors);

    [Fact]
    public void Load_FullPlaybook_ReadsEveryKey()
    {
        var set = Load("""
            id: share-worm-source
            description: blocks the source
            on: [infection.traced]
            when: event.source.ip != null and not (event.source.ip in lists.protected_networks)
            group_by: event.source.ip
            threshold: { distinct: event.host.name, count: 3, within: 10m }
            throttle: 1h
            mode: dry-run
            steps:
              - id: ask
                approve: { timeout: 15m, default: proceed }
              - id: tell
                notify: { message: "{{ event.source.ip }} infected {{ window.distinct }} hosts" }
                retry: { attempts: 3, backoff: { initial: 2s, max: 1m } }
                timeout: 30s
                continue_on_error: true
              - log: { message: "notified {{ steps.tell.channel }}" }
                if: steps.tell.sent == true
            on_failure:
              - notify: { message: failed }
            """);

        Assert.True(set.IsValid, Errors(set));
        var playbook = Assert.Single(set.Playbooks);
        Assert.Equal("share-worm-source", playbook.Id);
        Assert.Equal(["infection.traced"], playbook.On);
        Assert.Equal(["event.source.ip"], playbook.GroupBy);
        Assert.Equal(new Threshold(3, "event.host.name", TimeSpan.FromMinutes(10)), playbook.Threshold);
        Assert.Equal(TimeSpan.FromHours(1), playbook.Throttle);
        Assert.Equal(PlaybookMode.DryRun, playbook.Mode);
        Assert.Equal(new ApprovalPolicy(TimeSpan.FromMinutes(15), ApprovalDefault.Proceed, null), playbook.Steps[0].Approval! with { Message = null });
        Assert.Equal(new RetryPolicy(3, TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(1)), playbook.Steps[1].Retry);
        Assert.True(playbook.Steps[1].ContinueOnError);
        Assert.Equal("steps.tell.sent == true", playbook.Steps[2].If?.Text);
        Assert.Equal("notify", Assert.Single(playbook.OnFailure).Type);
        Assert.Equal(new SourceLocation("playbooks/worm.yaml", 4, 7), playbook.When?.Location);
    }

    [Fact]
    public void Load_SeveralDocuments_ReadsEachPlaybook()
    {
        var set = Load("""
            id: one
            on: process.unknown
            steps: [ { log: { message: a } } ]
            ---
            id: two
            on: outbreak.source
            steps: [ { log: { message: b } } ]
            """);

        Assert.True(set.IsValid, Errors(set));
        Assert.Equal(["one", "two"], set.Playbooks.Select(p => p.Id));
        Assert.Equal(2, set.PlaybookCount);
    }

    [Fact]
    public void Load_ManyMistakes_ReportsEachWithFileLineColumn()
    {
        var set = Load("""
            id: worm
            on: infection.tracde
            trhottle: 1h
            group_by: source.ip
            threshold: { count: 0, within: 10x, distinct: event.host.nme }
            steps:
              - firewal.block: { ip: "{{ event.source.ip }}" }
              - notify: { message: hi }
                continue_on_eror: true
              - log: { message: "{{ steps.later.port }}" }
              - id: later
                log: { message: x }
              - id: later
                log: { message: x }
            """, options: new PlaybookLoaderOptions { Steps = StepCatalog.BuiltIn.With(new StepDefinition("firewall.block", "Block", [], AllowsOtherParameters: true)) });

        Assert.Equal(
        [
            "playbooks/worm.yaml:2:5: unknown event kind 'infection.tracde' (did you mean 'infection.traced'?) (known: infection.detected, infection.traced, network.connection, other, outbreak.source, process.started, process.unknown)",
            "playbooks/worm.yaml:3:1: unknown key 'trhottle' in the playbook (did you mean 'throttle'?)",
            "playbooks/worm.yaml:4:11: 'group_by': unknown event field 'source.ip' (did you mean 'event.source.ip'?)",
            "playbooks/worm.yaml:5:21: 'count' must be at least 1, not 0",
            "playbooks/worm.yaml:5:32: 'within': '10x' is not a duration (use a number and a unit: 500ms, 30s, 10m, 24h, 7d, 2w)",
            "playbooks/worm.yaml:5:47: 'distinct': unknown event field 'event.host.nme' (did you mean 'event.host.name'?)",
            "playbooks/worm.yaml:7:5: unknown step 'firewal.block' (did you mean 'firewall.block'?)",
            "playbooks/worm.yaml:9:5: unknown key 'continue_on_eror' in the step (did you mean 'continue_on_error'?)",
            "playbooks/worm.yaml:10:31: 'steps.later' refers to no earlier step (give an earlier step 'id: later')",
            "playbooks/worm.yaml:13:9: step id 'later' is used twice in this playbook",
        ], set.Errors.Select(e => e.ToString()));
        Assert.Empty(set.Playbooks);
    }

    [Fact]
    public void Load_MissingRequiredKeys_NamesEach()
    {
        var set = Load("description: nothing else\n");

        Assert.Equal(
        [
            "playbooks/worm.yaml:1:1: the playbook has no 'id' (unique name of the playbook across all files)",
            "playbooks/worm.yaml:1:1: the playbook has no 'on' (the event kinds it listens to: one or a list)",
            "playbooks/worm.yaml:1:1: the playbook has no 'steps' (the steps to run, in order)",
        ], set.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Load_YamlSyntaxError_ReportsPosition()
    {
        var set = Load("id: x\non: [infection.traced\nsteps: []\n");

        var error = Assert.Single(set.Errors);
        Assert.Equal("playbooks/worm.yaml", error.File);
        Assert.True(error.Line >= 2, error.ToString());
        Assert.DoesNotContain("(Line:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TheByHandId_IsReservedForContainmentsMadeByHand()
    {
        var set = PlaybookLoader.Load([new PlaybookSource("a.yaml", "id: by-hand\non: other\nsteps: [ { log: { message: a } } ]\n")], null);

        Assert.Equal("a.yaml:1:5: playbook id 'by-hand' is reserved for containments and releases made by hand; choose another id", Assert.Single(set.Errors).ToString());
    }

    [Fact]
    public void Load_DuplicateIdAcrossFiles_PointsAtFirst()
    {
        const string Yaml = "id: same\non: other\nsteps: [ { log: { message: a } } ]\n";
        var set = PlaybookLoader.Load([new PlaybookSource("a.yaml", Yaml), new PlaybookSource("b.yaml", Yaml)], null);

        Assert.Equal("b.yaml:1:5: duplicate playbook id 'same' (first defined at a.yaml:1:5)", Assert.Single(set.Errors).ToString());
        Assert.Single(set.Playbooks);
    }

    [Fact]
    public void Load_UnknownListAndDevice_Suggests()
    {
        var set = Load("""
            id: x
            on: infection.traced
            when: event.source.ip in lists.protected_network and event.rule.name != 'lists.nothing'
            steps:
              - notify: { message: a, device: core-fv }
            """);

        Assert.Equal(
        [
            "playbooks/worm.yaml:3:26: 'when': unknown list 'lists.protected_network' (did you mean 'lists.protected_networks'?); the inventory defines: lists.protected_networks",
            "playbooks/worm.yaml:5:35: unknown device 'core-fv' (did you mean 'core-fw'?) (devices are defined in inventory.yaml)",
        ], set.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Load_TemplateSyntaxError_PointsIntoTheTemplate()
    {
        var set = Load("""
            id: x
            on: other
            steps:
              - log: { message: "source {{ event.source.ip | }}" }
            """);

        var error = Assert.Single(set.Errors);
        Assert.StartsWith("playbooks/worm.yaml:4:", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("template error", error.Message, StringComparison.Ordinal);
        Assert.InRange(error.Column, 22, 50);
    }

    [Fact]
    public void Load_UnknownEventFieldInTemplate_Suggests()
    {
        var set = Load("""
            id: x
            on: other
            steps:
              - log: { message: "source {{ event.source.iip }}" }
            """);

        Assert.Equal("playbooks/worm.yaml:4:32: unknown event field 'event.source.iip' (did you mean 'event.source.ip'?)", Assert.Single(set.Errors).ToString());
    }

    [Fact]
    public void Load_ApproveWithoutTimeoutOrBadDefault_Reports()
    {
        var set = Load("""
            id: x
            on: other
            steps:
              - approve: { default: maybe }
            """);

        Assert.Equal(
        [
            "playbooks/worm.yaml:4:14: the 'approve' step has no 'timeout' (how long to wait for an answer)",
            "playbooks/worm.yaml:4:25: 'default' must be abort or proceed, not 'maybe'",
        ], set.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Load_TwoActionsInOneStep_AsksToSplit()
    {
        var set = Load("""
            id: x
            on: other
            steps:
              - log: { message: a }
                notify: { message: b }
            """);

        Assert.Equal("playbooks/worm.yaml:5:5: a step has exactly one action; this one has 'log' and 'notify' (split it into two steps)", Assert.Single(set.Errors).ToString());
    }

    [Fact]
    public void Load_BadInventoryEntries_ReportsEach()
    {
        var set = Load("id: x\non: other\nsteps: [ { log: { message: a } } ]\n", """
            lists:
              nets: [10.0.0.0/33, host-a, 10.0.0.256]
            protected:
              ips: [10.0.0.0/24]
              macs: [aa:bb:cc:dd:ee]
            devices:
              fw:
                driver: nftables
                address: 10.0.0.1
                credentials: { password: hunter2 }
            """);

        Assert.Equal(
        [
            "playbooks/inventory.yaml:2:10: '10.0.0.0/33' in list 'nets' is not a valid IP address or CIDR network",
            "playbooks/inventory.yaml:2:31: '10.0.0.256' in list 'nets' is not a valid IP address or CIDR network",
            "playbooks/inventory.yaml:4:9: '10.0.0.0/24' in protected ips is not an IP address (put networks under 'networks')",
            "playbooks/inventory.yaml:5:10: 'aa:bb:cc:dd:ee' in protected macs is not a MAC address (aa:bb:cc:dd:ee:ff)",
            "playbooks/inventory.yaml:10:30: credential 'password' of device 'fw' must be a reference, ${env:NAME} or ${file:PATH}, not the secret itself",
        ], set.Errors.Select(e => e.ToString()));
        Assert.False(set.Inventory.Devices.ContainsKey("fw"), "a device described with a mistake is never acted on");
    }

    [Fact]
    public void Load_Inventory_ParsesListsProtectedAndDevices()
    {
        var set = Load("id: x\non: other\nsteps: [ { log: { message: a } } ]\n");

        Assert.True(set.IsValid, Errors(set));
        Assert.Equal(2, set.Inventory.Lists["protected_networks"].Networks.Count);
        Assert.Contains("dc01", set.Inventory.Protected.Hosts);
        Assert.Equal(2, set.Inventory.Protected.Networks.Count);
        Assert.Equal("${env:FW_PASSWORD}", set.Inventory.Devices["core-fw"].Credentials["password"]);
    }

    [Fact]
    public void Load_SwitchDevice_ParsesAddressUplinksProtectedPortsAndQuarantineVlan()
    {
        var set = Load("id: x\non: other\nsteps: [ { log: { message: a } } ]\n", """
            devices:
              access-sw1:
                driver: cisco-ios
                address: sw1.example.org:2222
                credentials: { username: "${env:SW_USER}", key: "${file:/etc/orchestrator/sw.key}" }
                uplinks: [Gi1/0/48, Po1]
                protected_ports: Gi1/0/1
                quarantine_vlan: 999
              lab-sw:
                driver: snmp
                address: "[2001:db8::7]:1161"
            """);

        Assert.True(set.IsValid, Errors(set));
        var sw1 = set.Inventory.Devices["access-sw1"];
        Assert.Equal(Orchestrator.Core.Network.DeviceKind.Switch, sw1.Kind);
        Assert.Equal(("sw1.example.org", 2222), (sw1.Address.Host, sw1.Address.Port));
        Assert.Equal(["Gi1/0/48", "Po1"], sw1.Uplinks.Select(p => p.Value));
        Assert.Equal(["Gi1/0/1"], sw1.ProtectedPorts.Select(p => p.Value));
        Assert.Equal(999, sw1.QuarantineVlan?.Value);
        Assert.Equal("[2001:db8::7]:1161", set.Inventory.Devices["lab-sw"].Address.ToString());
        Assert.Null(set.Inventory.Devices["lab-sw"].QuarantineVlan);
    }

    [Fact]
    public void Load_BadSwitchDevices_ReportEachValueThatWouldReachADevice()
    {
        var set = Load("id: x\non: other\nsteps: [ { log: { message: a } } ]\n", """
            devices:
              sw1:
                driver: cisco-iso
                address: 10.0.0.300
              sw2:
                driver: snmp
                address: "sw2; reboot"
                uplinks: ["Gi1/0/1; reload", Gi1/0/2]
                quarantine_vlan: 4095
              fw:
                driver: nftables
                address: 10.0.0.1
                quarantine_vlan: 99
            """);

        Assert.Equal(
        [
            "playbooks/inventory.yaml:3:13: device 'sw1': unknown driver 'cisco-iso' (did you mean 'cisco-ios'?) (known: snmp, cisco-ios, aruba-aoscx, junos, linux-bridge, nftables, iptables, cisco-asa, paloalto, fortigate, opnsense, mikrotik)",
            "playbooks/inventory.yaml:4:14: device 'sw1': address '10.0.0.300' is not an IP address or host name (with :port when not the driver's default)",
            "playbooks/inventory.yaml:7:14: device 'sw2': address 'sw2; reboot' is not an IP address or host name (with :port when not the driver's default)",
            "playbooks/inventory.yaml:8:15: device 'sw2': 'Gi1/0/1; reload' in 'uplinks' is not a port name (letters, digits and / . : - _, at most 64)",
            "playbooks/inventory.yaml:9:22: device 'sw2': quarantine_vlan '4095' is not a VLAN id (1-4094)",
            "playbooks/inventory.yaml:13:5: device 'fw': 'quarantine_vlan' is for switches; driver 'nftables' drives a firewall",
        ], set.Errors.Select(e => e.ToString()));
    }

    [Fact]
    public void Load_ConditionError_MapsOffsetToFilePosition()
    {
        // The stand-in compiler rejects the first '@' in a condition.
        ConditionCheck? RejectAt(string source, ConditionUse use) =>
            source.IndexOf('@', StringComparison.Ordinal) is var at and >= 0 ? new ConditionCheck(at, "unexpected '@'") : null;

        var set = Load("""
            id: x
            on: other
            when: event.host.name == @x
            steps:
              - log: { message: a }
                if: "steps   @"
              - log: { message: b }
                if: >
                  event.host.name == 'a'
                  and @
            """, options: new PlaybookLoaderOptions { ValidateCondition = RejectAt });

        Assert.Equal(
        [
            "playbooks/worm.yaml:3:26: 'when': unexpected '@'",
            "playbooks/worm.yaml:6:18: 'if': unexpected '@'",
            "playbooks/worm.yaml:10:11: 'if': unexpected '@'",
        ], set.Errors.Select(e => e.ToString()));
    }
}
