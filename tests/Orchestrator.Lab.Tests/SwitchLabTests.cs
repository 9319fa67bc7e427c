namespace Orchestrator.Lab.Tests;

/// <summary>The lab proves containment with standard tools: packets must really stop.</summary>
[Collection(SharedLab.Name)]
public sealed class SwitchLabTests(LabFixture lab)
{
    private const string IfAdminStatus = "1.3.6.1.2.1.2.2.1.7";
    private const string Dot1qTpFdbPort = "1.3.6.1.2.1.17.7.1.2.2.1.2";
    private const string VmVlan = "1.3.6.1.4.1.9.9.68.1.2.2.1.2";

    [LabFact]
    public async Task Ping_HostsInVlan10_Answer()
    {
        Assert.True(await lab.PingEventually("h1", lab.Address("h2")), "h1 should reach h2 in VLAN 10");
        Assert.True(await lab.PingEventually("h1", lab.Address("h3")), "h1 should reach h3 in VLAN 10");
    }

    [LabFact]
    public async Task Ping_FromVlan10ToRemediationServer_NeverAnswers()
    {
        Assert.True(await lab.PingEventually("h1", lab.Address("h2")), "h1 should reach h2 (the lab is up)");

        Assert.True(await lab.PingNeverAnswers("h1", lab.Address("rem")), "the remediation server is in VLAN 99 only; h1 in VLAN 10 must not reach it");
    }

    [LabFact]
    public async Task MovePortToVlan99_HostReachesOnlyRemediationServer_MovingBackRestoresVlan10()
    {
        Assert.True(await lab.PingEventually("h1", lab.Address("h2")));
        try
        {
            await MovePort("p1", 99);

            Assert.True(await lab.PingNeverAnswers("h1", lab.Address("h2")), "quarantined h1 must not reach h2");
            Assert.True(await lab.PingNeverAnswers("h1", lab.Address("h3")), "quarantined h1 must not reach h3");
            Assert.True(await lab.PingEventually("h1", lab.Address("rem")), "quarantined h1 must reach the remediation server");
            Assert.True(await lab.PingNeverAnswers("h2", lab.Address("h1.quarantine")), "h2 must not reach quarantined h1 on any address");
        }
        finally
        {
            await MovePort("p1", 10);
        }

        Assert.True(await lab.PingEventually("h1", lab.Address("h2")), "h1 back in VLAN 10 should reach h2 again");
        Assert.True(await lab.PingNeverAnswers("h1", lab.Address("rem")));
    }

    [LabFact]
    public async Task SnmpSetIfAdminStatusDown_PortGoesDownAndPacketsStop_UpRestoresThem()
    {
        var p1 = lab.Ports["p1"];
        Assert.True(await lab.PingEventually("h1", lab.Address("h2")));
        try
        {
            var set = await Snmp("snmpset", $"{IfAdminStatus}.{p1.IfIndex}", "i", "2");
            Assert.True(set.Succeeded, set.ToString());
            Assert.Contains("INTEGER: 2", set.StdOut, StringComparison.Ordinal);

            var link = await lab.Exec("sw", "ip", "-o", "link", "show", "p1");
            Assert.DoesNotContain(",UP", link.StdOut, StringComparison.Ordinal);
            Assert.Contains("state DOWN", link.StdOut, StringComparison.Ordinal);
            Assert.True(await lab.PingNeverAnswers("h1", lab.Address("h2")), "h1 must not reach h2 with p1 down");
            Assert.Contains("INTEGER: 2", (await Snmp("snmpget", $"{IfAdminStatus}.{p1.IfIndex}")).StdOut, StringComparison.Ordinal);
        }
        finally
        {
            var up = await Snmp("snmpset", $"{IfAdminStatus}.{p1.IfIndex}", "i", "1");
            Assert.True(up.Succeeded, up.ToString());
        }

        Assert.Contains("state UP", (await lab.Exec("sw", "ip", "-o", "link", "show", "p1")).StdOut, StringComparison.Ordinal);
        Assert.True(await lab.PingEventually("h1", lab.Address("h2")), "h1 should reach h2 again with p1 up");
    }

    [LabFact]
    public async Task SnmpWalkIfName_ListsTheSwitchPortsAtTheirMappedIfIndex()
    {
        var walk = await Snmp("snmpwalk", "1.3.6.1.2.1.31.1.1.1.1");

        Assert.True(walk.Succeeded, walk.ToString());
        foreach (var (name, port) in lab.Ports)
        {
            Assert.Contains($".1.3.6.1.2.1.31.1.1.1.1.{port.IfIndex} = STRING: \"{name}\"", walk.StdOut, StringComparison.Ordinal);
        }
    }

    [LabFact]
    public async Task Ssh_WithGeneratedKeyAndStrictHostKeyChecking_RunsBridgeCommandsOnTheSwitch()
    {
        var knownHosts = Path.Combine(lab.Info.StateDir, "test_known_hosts");
        await File.WriteAllTextAsync(knownHosts, lab.KnownHostsLine + "\n");

        var ssh = await Ssh(knownHosts, "bridge", "link", "show");

        Assert.True(ssh.Succeeded, ssh.ToString());
        Assert.Matches(@"p1@\S+: .* master br10", ssh.StdOut);
        Assert.Matches(@"p5@\S+: .* master br99", ssh.StdOut);
    }

    [LabFact]
    public async Task Ssh_WithAnUnknownHostKey_IsRefused()
    {
        var emptyKnownHosts = Path.Combine(lab.Info.StateDir, "empty_known_hosts");
        await File.WriteAllTextAsync(emptyKnownHosts, "");

        var ssh = await Ssh(emptyKnownHosts, "true");

        Assert.False(ssh.Succeeded);
        Assert.Contains("Host key verification failed", ssh.StdErr, StringComparison.Ordinal);
    }

    [LabFact]
    public async Task Snmpsim_BulkWalkOfDot1qTpFdbPort_Returns2000LearnedMacs()
    {
        var walk = await Snmpsim("snmpbulkwalk", "-Cr50", Dot1qTpFdbPort);

        Assert.True(walk.Succeeded, walk.ToString());
        var rows = walk.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2000, rows.Length);
        // the uplink (bridge port 48) carries most of them
        Assert.True(rows.Count(r => r.EndsWith("INTEGER: 48", StringComparison.Ordinal)) >= 500);
    }

    [LabFact]
    public async Task Snmpsim_WalkOfVmVlan_GivesVlan10ForTheAccessPorts()
    {
        var walk = await Snmpsim("snmpwalk", VmVlan);

        Assert.True(walk.Succeeded, walk.ToString());
        var rows = walk.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(46, rows.Length);
        Assert.Contains($".{VmVlan}.10101 = INTEGER: 10", rows);
    }

    private async Task MovePort(string port, int vlan)
    {
        var move = await lab.Exec("sw", "ip", "link", "set", port, "master", $"br{vlan}");
        Assert.True(move.Succeeded, move.ToString());
    }

    private Task<ProcessResult> Snmp(string tool, params string[] args) =>
        ProcessRunner.RunAsync(tool, ["-v2c", "-c", lab.SnmpCommunity, "-On", "-t", "2", "-r", "1", $"{lab.ManagementAddress}:{lab.Info.SnmpPort}", .. args]);

    private Task<ProcessResult> Snmpsim(string tool, params string[] args) =>
        ProcessRunner.RunAsync(tool, ["-v2c", "-c", lab.Info.SnmpsimCommunity, "-On", "-t", "5", "-r", "1", $"{lab.ManagementAddress}:{lab.Info.SnmpsimPort}", .. args]);

    private Task<ProcessResult> Ssh(string knownHostsFile, params string[] command) =>
        ProcessRunner.RunAsync("ssh", [
            "-i", lab.Info.SshPrivateKey,
            "-o", "StrictHostKeyChecking=yes",
            "-o", $"UserKnownHostsFile={knownHostsFile}",
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "BatchMode=yes",
            "-o", "ConnectTimeout=5",
            "-p", lab.Info.SshPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"{lab.Info.SshUser}@{lab.ManagementAddress}",
            .. command,
        ]);
}
