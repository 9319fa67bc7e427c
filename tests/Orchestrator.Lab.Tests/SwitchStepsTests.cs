using System.Net;
using Orchestrator.Connectors.Switches;
using Orchestrator.Core.Containment;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;
using Orchestrator.Core.Runs;
using Orchestrator.Snmp;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Lab.Tests;

/// <summary>
/// The switch steps against the lab's simulated vendor switch over SNMP: a quarantine locates the MAC,
/// records the port's VLAN in a real ledger before changing it, verifies it, and a release puts it back;
/// a retry finds the containment already made; uplinks and protected ports are refused with why.
/// </summary>
[Collection(SharedLab.Name)]
public sealed class SwitchStepsTests(LabFixture lab) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("orch-switch-steps-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [LabFact]
    public async Task Quarantine_ThenRelease_RecordsVerifiesAndRestores()
    {
        using var ledger = new SqliteContainmentLedger(Path.Combine(_directory, "events.db"), SqliteSynchronous.Full);
        var (quarantine, release) = Steps(ledger);

        var result = await quarantine.ExecuteAsync(Context(new() { ["target"] = "02:1a:2b:00:00:07" }, "run-q/quarantine"), CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(("access-sw-48", "Gi1/0/7", 99, "high"), (result.Outputs["device"], result.Outputs["port"], result.Outputs["vlan"], result.Outputs["confidence"]));
        var record = await ledger.GetAsync((string)result.Outputs["containment_id"]!, CancellationToken.None);
        Assert.Equal((ContainmentStatus.Active, "switch.quarantine", "02:1a:2b:00:00:07"), (record!.Status, record.Action, record.Mac));
        Assert.Contains("\"vlan\":10", record.ReplacedState, StringComparison.Ordinal);
        Assert.Equal(99, await VmVlanAsync(10107));
        Assert.Equal(("desk 07", true), (record.ReplacedDescription, record.DescriptionMarked));
        Assert.Equal($"orchestrator quarantine {record.Id}", await AliasAsync(10107));

        var again = await quarantine.ExecuteAsync(Context(new() { ["target"] = "02:1a:2b:00:00:07" }, "run-q/quarantine"), CancellationToken.None);
        Assert.Equal((true, record.Id), (again.Outputs["already_done"], again.Outputs["containment_id"]));

        var released = await release.ExecuteAsync(Context(new() { ["containment"] = record.Id }, "run-q/release"), CancellationToken.None);

        Assert.True(released.Succeeded, released.Error);
        Assert.Equal(10, await VmVlanAsync(10107));
        Assert.Equal("desk 07", await AliasAsync(10107));
        var after = await ledger.GetAsync(record.Id, CancellationToken.None);
        Assert.Equal((ContainmentStatus.Released, "playbook share-worm-source"), (after!.Status, after.ReleasedBy));
    }

    [LabFact]
    public async Task Shutdown_ByTarget_ThenReleaseByTarget()
    {
        using var ledger = new SqliteContainmentLedger(Path.Combine(_directory, "events.db"), SqliteSynchronous.Full);
        var shutdown = new SwitchContainmentStep(PortChange.Shutdown, Inventory, Drivers, ledger, TimeProvider.System);
        var (_, release) = Steps(ledger);

        var result = await shutdown.ExecuteAsync(Context(new() { ["target"] = "021a.2b00.0008" }, "run-s/shutdown"), CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(2, await AdminStatusAsync(10108));
        var released = await release.ExecuteAsync(Context(new() { ["target"] = "02:1a:2b:00:00:08" }, "run-s/release"), CancellationToken.None);
        Assert.True(released.Succeeded, released.Error);
        Assert.Single((IEnumerable<object?>)released.Outputs["released"]!);
        Assert.Equal(1, await AdminStatusAsync(10108));
    }

    [LabFact]
    public async Task Quarantine_BehindTheUplink_OrOnAProtectedPort_IsRefusedWithWhy_AndNothingRecorded()
    {
        using var ledger = new SqliteContainmentLedger(Path.Combine(_directory, "events.db"), SqliteSynchronous.Full);
        var (quarantine, _) = Steps(ledger);

        var uplink = await quarantine.ExecuteAsync(Context(new() { ["target"] = "02:1a:2b:00:05:dc" }, "run-u/q"), CancellationToken.None);
        var protectedPort = await quarantine.ExecuteAsync(Context(new() { ["target"] = "02:1a:2b:00:00:01" }, "run-p/q"), CancellationToken.None);

        Assert.False(uplink.Succeeded);
        Assert.Contains("Gi1/0/48: a configured uplink", uplink.Error, StringComparison.Ordinal);
        Assert.False(protectedPort.Succeeded);
        Assert.Equal("not contained: access-sw-48 Gi1/0/1 is a protected port of the inventory", protectedPort.Error);
        Assert.Empty(await ledger.ListAsync(activeOnly: false, 10, CancellationToken.None));
        Assert.Equal(10, await VmVlanAsync(10101));
    }

    [LabFact]
    public async Task Quarantine_DryRun_LocatesButChangesAndRecordsNothing()
    {
        using var ledger = new SqliteContainmentLedger(Path.Combine(_directory, "events.db"), SqliteSynchronous.Full);
        var (quarantine, _) = Steps(ledger);

        var result = await quarantine.ExecuteAsync(Context(new() { ["target"] = "02:1a:2b:00:00:09" }, "run-d/q", dryRun: true), CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(("Gi1/0/9", true), (result.Outputs["port"], result.Outputs["dry_run"]));
        Assert.Equal(10, await VmVlanAsync(10109));
        Assert.Empty(await ledger.ListAsync(activeOnly: false, 10, CancellationToken.None));
    }

    [LabFact]
    public async Task Quarantine_OnTheLinuxSwitchOverSsh_CutsTheHostOffUntilReleased()
    {
        using var ledger = new SqliteContainmentLedger(Path.Combine(_directory, "events.db"), SqliteSynchronous.Full);
        using var sessions = new Orchestrator.Connectors.Switches.Ssh.SshSessionPool();
        Dictionary<string, ISwitchDriver> drivers = new() { [Orchestrator.Connectors.Switches.Ssh.LinuxBridgeDriver.DriverName] = new Orchestrator.Connectors.Switches.Ssh.LinuxBridgeSwitchDriver(sessions, TimeProvider.System) };
        var quarantine = new SwitchContainmentStep(PortChange.Quarantine, LinuxInventory, drivers, ledger, TimeProvider.System);
        var release = new SwitchReleaseStep(LinuxInventory, drivers, ledger, TimeProvider.System);
        var h1 = await H1MacAsync();
        Assert.True(await lab.PingEventually("h1", lab.Address("h2")), "h1 should reach h2 before");

        var result = await quarantine.ExecuteAsync(Context(new() { ["target"] = h1.ToString() }, "run-l/quarantine"), CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(("lab-sw", "p1", "high"), (result.Outputs["device"], result.Outputs["port"], result.Outputs["confidence"]));
        Assert.Null(result.Outputs["warning"]);
        Assert.Contains($"alias orchestrator quarantine {result.Outputs["containment_id"]}", (await lab.Exec("sw", "ip", "-d", "link", "show", "dev", "p1")).StdOut, StringComparison.Ordinal);
        try
        {
            Assert.True(await lab.PingNeverAnswers("h1", lab.Address("h2")), "quarantined h1 must not reach h2");
            Assert.True(await lab.PingNeverAnswers("h1", lab.Address("h3")), "quarantined h1 must not reach h3");
            Assert.True(await lab.PingEventually("h1", lab.Address("rem")), "quarantined h1 should reach the remediation server");
        }
        finally
        {
            var released = await release.ExecuteAsync(Context(new() { ["containment"] = result.Outputs["containment_id"] }, "run-l/release"), CancellationToken.None);
            Assert.True(released.Succeeded, released.Error);
        }

        Assert.True(await lab.PingEventually("h1", lab.Address("h2"), attempts: 10), "h1 should reach h2 after release");
        Assert.DoesNotContain("alias", (await lab.Exec("sw", "ip", "-d", "link", "show", "dev", "p1")).StdOut, StringComparison.Ordinal);
        Assert.Equal(1, sessions.Connects);
    }

    private Inventory LinuxInventory()
    {
        var set = PlaybookLoader.Load([], new PlaybookSource("inventory.yaml", "devices:\n" + lab.LinuxSwitchYaml()));
        Assert.True(set.IsValid, string.Join('\n', set.Errors));
        return set.Inventory;
    }

    private async Task<MacAddress> H1MacAsync()
    {
        var links = await lab.Exec("h1", "ip", "-j", "link", "show", "eth0");
        Assert.True(links.Succeeded, links.ToString());
        using var document = System.Text.Json.JsonDocument.Parse(links.StdOut);
        return MacAddress.Parse(document.RootElement[0].GetProperty("address").GetString()!);
    }

    private (SwitchContainmentStep Quarantine, SwitchReleaseStep Release) Steps(IContainmentLedger ledger) =>
        (new SwitchContainmentStep(PortChange.Quarantine, Inventory, Drivers, ledger, TimeProvider.System), new SwitchReleaseStep(Inventory, Drivers, ledger, TimeProvider.System));

    private static Dictionary<string, ISwitchDriver> Drivers { get; } = new() { [SnmpSwitchDriver.Name] = new SnmpSwitchDriver(TimeProvider.System) };

    private Inventory Inventory()
    {
        Environment.SetEnvironmentVariable("ORCH_LAB_SNMPSIM_COMMUNITY", lab.Info.SnmpsimCommunity);
        var set = PlaybookLoader.Load([], new PlaybookSource("inventory.yaml", $$"""
            devices:
              access-sw-48:
                driver: snmp
                address: {{lab.ManagementAddress}}:{{lab.Info.SnmpsimPort}}
                credentials: { community: "${env:ORCH_LAB_SNMPSIM_COMMUNITY}" }
                uplinks: [Gi1/0/48]
                protected_ports: [Gi1/0/1]
                quarantine_vlan: 99
            """));
        Assert.True(set.IsValid, string.Join('\n', set.Errors));
        return set.Inventory;
    }

    private static StepContext Context(Dictionary<string, object?> parameters, string key, bool dryRun = false) =>
        new("run-1", "share-worm-source", "contain", "switch.quarantine", parameters, key, 1, dryRun, null, "inc-1");

    private async Task<int> VmVlanAsync(uint ifIndex)
    {
        await using var client = Client();
        return (await client.GetAsync(SnmpVlanDriver.VmVlan.Append(ifIndex))).Value.AsInt32();
    }

    private async Task<string> AliasAsync(uint ifIndex)
    {
        await using var client = Client();
        return (await client.GetAsync(SnmpPortAdmin.IfAlias.Append(ifIndex))).Value.AsText();
    }

    private async Task<int> AdminStatusAsync(uint ifIndex)
    {
        await using var client = Client();
        return (await client.GetAsync(SnmpPortAdmin.IfAdminStatus.Append(ifIndex))).Value.AsInt32();
    }

    private SnmpClient Client() => new(new SnmpClientOptions
    {
        Endpoint = new IPEndPoint(IPAddress.Parse(lab.ManagementAddress), lab.Info.SnmpsimPort),
        Community = lab.Info.SnmpsimCommunity,
        Timeout = TimeSpan.FromSeconds(3),
        Retries = 2,
    });
}
