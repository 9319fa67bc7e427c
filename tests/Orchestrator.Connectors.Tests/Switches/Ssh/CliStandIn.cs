using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Tests.Switches.Ssh;

/// <summary>
/// A network device (a switch, or the ASA firewall) that cannot run here, stood in for by a real OpenSSH sshd on 127.0.0.1 (a free port, its own
/// host key, key login as the current user) whose ForceCommand is <c>netcli_emulator.py --os OS</c>: the driver
/// talks SSH, a pty and the vendor's CLI exactly as to the device. The emulator keeps the switch in a JSON file
/// that tests read and edit. Only loopback; no network namespaces.
/// </summary>
public abstract class CliStandIn : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly string directory = Directory.CreateTempSubdirectory("orch-netcli-").FullName;
    private readonly Process sshd;

    protected CliStandIn(string os, DeviceKind kind = DeviceKind.Switch)
    {
        Os = os;
        Kind = kind;
        var emulator = Path.Combine(directory, "netcli_emulator.py");
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Switches", "Ssh", "netcli_emulator.py"), emulator);
        StatePath = Path.Combine(directory, "state.json");
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "stand-in host", "-f", Path.Combine(directory, "host_key"));
        Run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "stand-in client", "-f", Path.Combine(directory, "client_key"));
        File.Copy(Path.Combine(directory, "client_key.pub"), Path.Combine(directory, "authorized_keys"));
        HostKeyFingerprint = Run("ssh-keygen", "-l", "-E", "sha256", "-f", Path.Combine(directory, "host_key.pub")).Split(' ')[1];
        ClientKey = File.ReadAllText(Path.Combine(directory, "client_key"));
        Reset();
        if (Environment.UserName == "root")
        {
            Directory.CreateDirectory("/run/sshd"); // sshd's privilege-separation directory, made only by its service otherwise
        }

        (sshd, Port) = StartSshd(emulator);
    }

    public string Os { get; }

    /// <summary>What the inventory device is: the name is <c>OS-sw</c> for a switch, <c>OS-fw</c> for a firewall.</summary>
    public DeviceKind Kind { get; }

    public int Port { get; }

    public string HostKeyFingerprint { get; }

    public string StatePath { get; }

    /// <summary>The client's private key text (what <c>credentials.key: ${file:…}</c> resolves to).</summary>
    public string ClientKey { get; }

    public string ClientKeyPath => Path.Combine(directory, "client_key");

    /// <summary>Writes the emulator's sample switch afresh.</summary>
    public void Reset() => Run(Python, Path.Combine(AppContext.BaseDirectory, "Switches", "Ssh", "netcli_emulator.py"), "--os", Os, "--init", StatePath);

    public JsonNode State() => JsonNode.Parse(File.ReadAllText(StatePath))!;

    public void Edit(Action<JsonNode> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var state = State();
        change(state);
        File.WriteAllText(StatePath, state.ToJsonString());
    }

    /// <summary>The emulated port's state by name.</summary>
    public JsonNode PortState(string name) => State()["ports"]!.AsArray().Single(p => (string)p!["name"]! == name)!;

    /// <summary>Kills the process behind the current login, as a device that reboots or drops the session would.</summary>
    public void DropSession()
    {
        var pid = int.Parse(File.ReadAllText(StatePath + ".pid"), System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.GetProcessById(pid);
        process.Kill();
        process.WaitForExit(5000);
    }

    /// <summary>An inventory device for this stand-in (options and credentials may be overridden).</summary>
    /// <remarks>Options given replace the defaults (the pinned host key); an option given as null is left out.</remarks>
    public DeviceDefinition Device(string driver, IReadOnlyList<PortName>? uplinks = null, IReadOnlyList<PortName>? protectedPorts = null,
        Dictionary<string, string?>? options = null, string enableSecretVariable = "ORCH_TEST_NETCLI_ENABLE")
    {
        var allOptions = new Dictionary<string, string>(StringComparer.Ordinal) { [SshTarget.HostKeyOption] = HostKeyFingerprint };
        foreach (var (key, value) in options ?? [])
        {
            if (value is null)
            {
                allOptions.Remove(key);
            }
            else
            {
                allOptions[key] = value;
            }
        }

        Environment.SetEnvironmentVariable("ORCH_TEST_NETCLI_USER", Environment.UserName);
        Environment.SetEnvironmentVariable("ORCH_TEST_NETCLI_ENABLE", "en-s3cret");
        return new DeviceDefinition
        {
            Name = $"{Os}-{(Kind == DeviceKind.Firewall ? "fw" : "sw")}",
            Driver = driver,
            Kind = Kind,
            Address = DeviceAddress.TryParse($"127.0.0.1:{Port}", out var address) ? address! : throw new InvalidOperationException(),
            Credentials = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["username"] = "${env:ORCH_TEST_NETCLI_USER}",
                ["key"] = $"${{file:{ClientKeyPath}}}",
                ["enable_password"] = $"${{env:{enableSecretVariable}}}",
            },
            Options = allOptions,
            Uplinks = uplinks ?? [],
            ProtectedPorts = protectedPorts ?? [],
            QuarantineVlan = Kind == DeviceKind.Switch && VlanId.TryParse("99", out var vlan) ? vlan : null,
            Location = new SourceLocation("inventory.yaml", 3, 3),
        };
    }

    public void Dispose()
    {
        if (!sshd.HasExited)
        {
            sshd.Kill(entireProcessTree: true);
            sshd.WaitForExit(5000);
        }

        sshd.Dispose();
        Directory.Delete(directory, recursive: true);
        GC.SuppressFinalize(this);
    }

    // sshd in the foreground (-D) as a child of the test, so it is ours to stop; a port taken between the probe and
    // sshd's bind is retried with another.
    private (Process Process, int Port) StartSshd(string emulator)
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            var config = Path.Combine(directory, "sshd_config");
            File.WriteAllText(config, $"""
                ListenAddress 127.0.0.1:{port}
                HostKey {directory}/host_key
                PidFile none
                AuthorizedKeysFile {directory}/authorized_keys
                PermitRootLogin prohibit-password
                PubkeyAuthentication yes
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UsePAM no
                StrictModes no
                X11Forwarding no
                AllowTcpForwarding no
                PrintMotd no
                PrintLastLog no
                ForceCommand {Python} {emulator} --os {Os} --state {StatePath}

                """);
            var process = Process.Start(new ProcessStartInfo("/usr/sbin/sshd", ["-D", "-e", "-f", config])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException("sshd did not start");
            var log = new System.Text.StringBuilder();
            process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
            process.BeginErrorReadLine();
            for (var wait = 0; wait < 100 && !process.HasExited; wait++)
            {
                if (Listening(port))
                {
                    return (process, port);
                }

                Thread.Sleep(50);
            }

            process.Kill();
            process.Dispose();
            if (attempt == 2)
            {
                throw new InvalidOperationException($"sshd did not listen on 127.0.0.1:{port}: {log}");
            }
        }
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Run(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output.Trim() : throw new InvalidOperationException($"{file} {string.Join(' ', arguments)}: exit {process.ExitCode}: {error}");
    }
}

public sealed class IosStandIn() : CliStandIn("ios");

public sealed class AoscxStandIn() : CliStandIn("aoscx");

public sealed class JunosStandIn() : CliStandIn("junos");

public sealed class AsaStandIn() : CliStandIn("asa", DeviceKind.Firewall);
