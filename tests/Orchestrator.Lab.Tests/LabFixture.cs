using System.Text.Json;

namespace Orchestrator.Lab.Tests;

/// <summary>One port of the lab switch: its ifIndex in the switch namespace (what snmpd shows) and its VLAN at bring-up.</summary>
public sealed record LabPort(int IfIndex, int Vlan, string Bridge, int BridgePort);

/// <summary>The lab's router (namespace rtr, between VLAN 10 and the server srv): how its own sshd is reached from the root namespace.</summary>
public sealed record LabRouter(
    string ManagementInterface,
    string ManagementRootAddress,
    string ManagementAddress,
    int SshPort,
    string SshHostPublicKey,
    string SshHostKeyFingerprint);

/// <summary>What tests/lab/lab.sh writes to lab.json; the SSH user and client key are the same for the switch and the router.</summary>
public sealed record LabInfo(
    string Name,
    string StateDir,
    IReadOnlyDictionary<string, string> Namespaces,
    IReadOnlyDictionary<string, string> Addresses,
    string ManagementInterface,
    string ManagementRootAddress,
    string ManagementAddress,
    int SnmpPort,
    string SnmpCommunity,
    int SnmpsimPort,
    string SnmpsimCommunity,
    int SshPort,
    string SshUser,
    string SshPrivateKey,
    string SshHostPublicKey,
    string SshHostKeyFingerprint,
    LabRouter Router,
    IReadOnlyList<string> PidFiles);

/// <summary>
/// Brings a switch lab up with tests/lab/lab.sh under a unique name and tears it down afterwards,
/// also when a test or the bring-up failed.
/// </summary>
public sealed class LabFixture : IAsyncLifetime
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    private LabInfo? info;
    private IReadOnlyDictionary<string, LabPort>? ports;

    public string Name { get; } = NewName();

    public LabInfo Info => info ?? throw new InvalidOperationException("the lab is not up");

    /// <summary>Switch ports by name (p1..p6; p6 is the router's).</summary>
    public IReadOnlyDictionary<string, LabPort> Ports => ports ?? throw new InvalidOperationException("the lab is not up");

    public string ManagementAddress => Info.ManagementAddress;

    public string SnmpCommunity => Info.SnmpCommunity;

    /// <summary>The known_hosts line for the switch's sshd, built from its public key after checking the fingerprint lab.sh recorded.</summary>
    public string KnownHostsLine { get; private set; } = "";

    public static string LabScript { get; } = FindLabScript();

    public static string NewName() => "orchlab-" + Guid.NewGuid().ToString("N")[..8];

    public async Task InitializeAsync()
    {
        if (!LabEnvironment.IsRoot)
        {
            if (LabEnvironment.IsCi)
            {
                throw new InvalidOperationException(LabEnvironment.NeedsRootMessage);
            }

            return;  // every [LabFact] is skipped with that reason
        }

        try
        {
            info = await UpAsync(Name);
            ports = JsonSerializer.Deserialize<Dictionary<string, LabPort>>(
                await File.ReadAllTextAsync(Path.Combine(info.StateDir, "ports.json")), Json)
                ?? throw new InvalidOperationException("ports.json is empty");
            KnownHostsLine = await BuildKnownHostsLineAsync(info);
        }
        catch
        {
            await DownAsync(Name);
            throw;
        }
    }

    public Task DisposeAsync() => info is null && !LabEnvironment.IsRoot ? Task.CompletedTask : DownAsync(Name);

    /// <summary>
    /// The inventory entry (YAML, under <c>devices:</c>) of the lab's Linux switch as device <c>lab-sw</c>: linux-bridge over
    /// SSH with the pinned host key, one bridge per VLAN, quarantine VLAN 99. Sets the variable its username refers to.
    /// </summary>
    public string LinuxSwitchYaml()
    {
        Environment.SetEnvironmentVariable("ORCH_LAB_SSH_USER", Info.SshUser);
        return $$"""
              lab-sw:
                driver: linux-bridge
                address: {{ManagementAddress}}:{{Info.SshPort}}
                credentials: { username: "${env:ORCH_LAB_SSH_USER}", key: "${file:{{Info.SshPrivateKey}}}" }
                options: { vlan_bridges: "br10=10,br99=99", host_key_sha256: "{{Info.SshHostKeyFingerprint}}" }
                quarantine_vlan: 99
            """;
    }

    /// <summary>The inventory entry (YAML, under <c>devices:</c>) of the lab's router as firewall <c>lab-rtr</c> with <paramref name="driver"/> over SSH, its host key pinned.</summary>
    public string RouterYaml(string driver = "nftables")
    {
        Environment.SetEnvironmentVariable("ORCH_LAB_SSH_USER", Info.SshUser);
        return $$"""
              lab-rtr:
                driver: {{driver}}
                address: {{Info.Router.ManagementAddress}}:{{Info.Router.SshPort}}
                credentials: { username: "${env:ORCH_LAB_SSH_USER}", key: "${file:{{Info.SshPrivateKey}}}" }
                options: { host_key_sha256: "{{Info.Router.SshHostKeyFingerprint}}" }
            """;
    }

    /// <summary>The namespace of h1..h4, rem, sw, rtr or srv.</summary>
    public string Namespace(string host) =>
        Info.Namespaces.TryGetValue(host, out var ns) ? ns : throw new ArgumentException($"no host '{host}' in the lab (h1..h4, rem, sw, rtr, srv)", nameof(host));

    /// <summary>An address from lab.json ("h2", "rem", "h1.quarantine", "srv", "rtr").</summary>
    public string Address(string host) =>
        Info.Addresses.TryGetValue(host, out var address) ? address : throw new ArgumentException($"no address '{host}' in the lab", nameof(host));

    /// <summary>Runs a command inside a lab namespace (ip netns exec, argument list, no shell).</summary>
    public Task<ProcessResult> Exec(string host, params string[] command) =>
        ProcessRunner.RunAsync("ip", ["netns", "exec", Namespace(host), .. command]);

    /// <summary>One echo request, one second to answer.</summary>
    public async Task<bool> Ping(string from, string toAddress) =>
        (await Exec(from, "ping", "-c1", "-W1", "-n", toAddress)).Succeeded;

    /// <summary>Pings until one answers (the first ping after a change waits for ARP and carrier).</summary>
    public async Task<bool> PingEventually(string from, string toAddress, int attempts = 5)
    {
        for (var i = 0; i < attempts; i++)
        {
            if (await Ping(from, toAddress))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when no ping of a few gets through.</summary>
    public async Task<bool> PingNeverAnswers(string from, string toAddress, int attempts = 2)
    {
        for (var i = 0; i < attempts; i++)
        {
            if (await Ping(from, toAddress))
            {
                return false;
            }
        }

        return true;
    }

    public static async Task<LabInfo> UpAsync(string name)
    {
        var up = await ProcessRunner.RunAsync(LabScript, ["up", "--name", name], TimeSpan.FromMinutes(2));
        if (!up.Succeeded)
        {
            throw new InvalidOperationException($"{LabScript} up --name {name} failed: {up}");
        }

        var json = await File.ReadAllTextAsync(Path.Combine("/run/orchlab", name, "lab.json"));
        return JsonSerializer.Deserialize<LabInfo>(json, Json) ?? throw new InvalidOperationException("lab.json is empty");
    }

    public static async Task DownAsync(string name)
    {
        var down = await ProcessRunner.RunAsync(LabScript, ["down", "--name", name], TimeSpan.FromMinutes(1));
        if (!down.Succeeded)
        {
            throw new InvalidOperationException($"{LabScript} down --name {name} failed: {down}");
        }
    }

    private static async Task<string> BuildKnownHostsLineAsync(LabInfo lab)
    {
        var fingerprint = await ProcessRunner.RunAsync("ssh-keygen", ["-l", "-E", "sha256", "-f", lab.SshHostPublicKey]);
        if (!fingerprint.Succeeded || !fingerprint.StdOut.Contains(lab.SshHostKeyFingerprint, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"the switch's host key {lab.SshHostPublicKey} does not have the recorded fingerprint {lab.SshHostKeyFingerprint}: {fingerprint}");
        }

        var key = (await File.ReadAllTextAsync(lab.SshHostPublicKey)).Split(' ');
        var host = lab.SshPort == 22 ? lab.ManagementAddress : $"[{lab.ManagementAddress}]:{lab.SshPort}";
        return $"{host} {key[0]} {key[1]}";
    }

    private static string FindLabScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "lab", "lab.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException($"tests/lab/lab.sh not found above {AppContext.BaseDirectory}");
    }
}
