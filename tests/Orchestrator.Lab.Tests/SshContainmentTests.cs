using System.Text.Json;
using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Lab.Tests;

/// <summary>
/// The linux-bridge driver over SSH.NET against the lab's real sshd: host keys are pinned (an unknown or
/// wrong key is refused, naming the key presented), the tables read over SSH locate h1 on p1, a shut
/// port stops h1's packets and a quarantined one reaches only the remediation server — both undone by
/// the restore — and every test's commands travel over one reused connection.
/// </summary>
[Collection(SharedLab.Name)]
public sealed class SshContainmentTests(LabFixture lab)
{
    [LabFact]
    public async Task Connect_NoPinnedHostKey_IsRefusedNamingThePresentedFingerprint()
    {
        using var session = new SshSession(Target(pin: null));

        var error = await Assert.ThrowsAsync<SshSwitchException>(() => session.RunAsync(["true"], CancellationToken.None));

        Assert.Contains($"no host key is pinned; the device presented {lab.Info.SshHostKeyFingerprint}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"host_key_sha256: \"{lab.Info.SshHostKeyFingerprint}\"", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, session.Connects);
    }

    [LabFact]
    public async Task Connect_WrongPinnedHostKey_IsRefusedNamingBothKeys()
    {
        const string wrong = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU";
        using var session = new SshSession(Target(pin: wrong));

        var error = await Assert.ThrowsAsync<SshSwitchException>(() => session.RunAsync(["true"], CancellationToken.None));

        Assert.Contains($"host key mismatch — the device presented {lab.Info.SshHostKeyFingerprint}, the inventory pins {wrong}", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, session.Connects);
    }

    [LabFact]
    public async Task ReadTables_OverSsh_LocatesH1OnP1AsAnEdgePortWithHighConfidence()
    {
        using var pool = new SshSessionPool();
        var driver = Driver(pool);
        Assert.True(await lab.PingEventually("h1", lab.Address("h2")), "h1 should reach h2 (so the bridge learns its MAC)");
        var mac = await H1MacAsync();

        var tables = await driver.ReadTablesAsync(CancellationToken.None);
        var h1 = HostLocator.Locate(mac, [tables]);

        Assert.Equal(["p1", "p2", "p3", "p4", "p5", "p6"], tables.Ports.Select(p => p.Name.Value));
        Assert.Equal(LocateConfidence.High, h1.Confidence);
        Assert.Equal(("lab-sw", "p1", lab.Ports["p1"].IfIndex, 10), (h1.Edge!.Device, h1.Edge.Port.Value, h1.Edge.IfIndex, h1.Edge.Vlan?.Value));
        Assert.Equal(1, pool.Connects);
    }

    [LabFact]
    public async Task Shutdown_OverSsh_StopsH1_RestoreBringsItBack_OnOneConnection()
    {
        using var pool = new SshSessionPool();
        var driver = Driver(pool);
        Assert.True(await lab.PingEventually("h1", lab.Address("h2")), "h1 should reach h2 before");

        var before = await driver.ShutdownAsync(Port("p1"), CancellationToken.None);
        try
        {
            Assert.Equal((true, "br10"), (before.AdminUp, before.Master?.Value));
            Assert.Contains("state DOWN", (await lab.Exec("sw", "ip", "-o", "link", "show", "p1")).StdOut, StringComparison.Ordinal);
            Assert.True(await lab.PingNeverAnswers("h1", lab.Address("h2")), "h1 must not reach h2 with its port down");
        }
        finally
        {
            await driver.RestoreAsync(before, CancellationToken.None);
        }

        Assert.True(await lab.PingEventually("h1", lab.Address("h2"), attempts: 10), "h1 should reach h2 again after the restore");
        Assert.Equal(1, pool.Connects);
    }

    [LabFact]
    public async Task Quarantine_OverSsh_H1ReachesOnlyTheRemediationServer_ReleaseBringsItHome()
    {
        using var pool = new SshSessionPool();
        var driver = Driver(pool);
        Assert.True(await lab.PingEventually("h1", lab.Address("h2")), "h1 should reach h2 before");
        Assert.True(await lab.PingNeverAnswers("h1", lab.Address("rem")), "h1 must not reach the remediation server from VLAN 10");

        var before = await driver.MoveVlanAsync(Port("p1"), Vlan(99), CancellationToken.None);
        try
        {
            Assert.Equal("br10", before.Master?.Value);
            Assert.Contains("master br99", (await lab.Exec("sw", "ip", "-o", "link", "show", "p1")).StdOut, StringComparison.Ordinal);
            Assert.True(await lab.PingEventually("h1", lab.Address("rem"), attempts: 10), "quarantined h1 should reach the remediation server");
            Assert.True(await lab.PingNeverAnswers("h1", lab.Address("h2")), "quarantined h1 must not reach h2");
        }
        finally
        {
            await driver.RestoreAsync(before, CancellationToken.None);
        }

        Assert.Contains("master br10", (await lab.Exec("sw", "ip", "-o", "link", "show", "p1")).StdOut, StringComparison.Ordinal);
        Assert.True(await lab.PingEventually("h1", lab.Address("h2"), attempts: 10), "released h1 should reach h2 again");
        Assert.True(await lab.PingNeverAnswers("h1", lab.Address("rem")), "released h1 must not reach the remediation server");
        Assert.Equal(1, pool.Connects);
    }

    [LabFact]
    public async Task Shutdown_ProtectedPort_IsRefusedAndThePortStaysUp()
    {
        using var pool = new SshSessionPool();
        var driver = Driver(pool, protectedPorts: ["p2"]);

        var error = await Assert.ThrowsAsync<SshSwitchException>(() => driver.ShutdownAsync(Port("p2"), CancellationToken.None));

        Assert.Contains("lab-sw p2: a protected port", error.Message, StringComparison.Ordinal);
        Assert.Contains("state UP", (await lab.Exec("sw", "ip", "-o", "link", "show", "p2")).StdOut, StringComparison.Ordinal);
    }

    [LabFact]
    public async Task Session_AfterTheConnectionDrops_ReconnectsOnTheNextCommand()
    {
        using var session = new SshSession(Target(lab.Info.SshHostKeyFingerprint));
        Assert.Equal("one", (await session.RunAsync(["echo", "one"], CancellationToken.None)).StdOut.Trim());

        // The remote shell kills its own sshd session process, as a switch reload or idle timeout would.
        await session.RunAsync(["sh", "-c", "kill $PPID"], CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        for (var i = 0; i < 50 && session.IsConnected; i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal("two", (await session.RunAsync(["echo", "two"], CancellationToken.None)).StdOut.Trim());
        Assert.Equal(2, session.Connects);
    }

    private async Task<MacAddress> H1MacAsync()
    {
        var links = await lab.Exec("h1", "ip", "-j", "link", "show", "eth0");
        Assert.True(links.Succeeded, links.ToString());
        using var doc = JsonDocument.Parse(links.StdOut);
        return MacAddress.Parse(doc.RootElement[0].GetProperty("address").GetString()!);
    }

    private LinuxBridgeDriver Driver(SshSessionPool pool, string[]? protectedPorts = null)
    {
        var device = new DeviceDefinition
        {
            Name = "lab-sw",
            Driver = LinuxBridgeDriver.DriverName,
            Kind = DeviceKind.Switch,
            Address = DeviceAddress.TryParse(lab.ManagementAddress, out var address) ? address! : throw new InvalidOperationException(),
            ProtectedPorts = [.. (protectedPorts ?? []).Select(Port)],
            QuarantineVlan = Vlan(99),
            Credentials = new Dictionary<string, string> { ["username"] = "${env:ORCH_LAB_SSH_USER}", ["key"] = $"${{file:{lab.Info.SshPrivateKey}}}" },
            Options = new Dictionary<string, string>
            {
                [LinuxBridgeDriver.VlanBridgesOption] = "br10=10,br99=99",
                [SshTarget.HostKeyOption] = lab.Info.SshHostKeyFingerprint,
            },
            Location = new SourceLocation("inventory.yaml", 1, 1),
        };
        var target = SshTarget.FromDevice(device, name => name == "ORCH_LAB_SSH_USER" ? lab.Info.SshUser : null);
        return new LinuxBridgeDriver(pool.Get(target), device, TimeProvider.System);
    }

    private SshTarget Target(string? pin)
    {
        var address = DeviceAddress.TryParse($"{lab.ManagementAddress}:{lab.Info.SshPort}", out var a) ? a! : throw new InvalidOperationException();
        return new SshTarget("lab-sw", address, pin, new SshCredentials { User = lab.Info.SshUser, PrivateKey = File.ReadAllText(lab.Info.SshPrivateKey) });
    }

    private static PortName Port(string name) => PortName.TryParse(name, out var port) ? port : throw new ArgumentException(name);

    private static VlanId Vlan(int id) => VlanId.TryParse(id.ToString(System.Globalization.CultureInfo.InvariantCulture), out var vlan) ? vlan : throw new ArgumentException(null, nameof(id));
}
