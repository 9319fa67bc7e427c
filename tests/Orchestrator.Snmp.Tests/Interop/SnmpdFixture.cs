using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Orchestrator.Snmp.Tests.Interop;

/// <summary>
/// A real net-snmp snmpd on 127.0.0.1 and an ephemeral UDP port, with its own configuration, random communities and
/// a temporary persistent directory; stopped and removed after the tests. Needs the Debian package snmpd.
/// </summary>
public sealed class SnmpdFixture : IAsyncLifetime
{
    public const string SnmpdPath = "/usr/sbin/snmpd";

    private readonly string directory = Directory.CreateTempSubdirectory("snmpd-test-").FullName;
    private Process? snmpd;

    public string ReadCommunity { get; } = "ro-" + RandomNumberGenerator.GetHexString(16, lowercase: true);

    public string WriteCommunity { get; } = "rw-" + RandomNumberGenerator.GetHexString(16, lowercase: true);

    public IPEndPoint Endpoint { get; private set; } = new(IPAddress.Loopback, 0);

    public SnmpClient CreateClient(SnmpVersion version = SnmpVersion.V2c, string? community = null, int retries = 1, TimeSpan? timeout = null) => new(new SnmpClientOptions
    {
        Endpoint = Endpoint,
        Version = version,
        Community = community ?? ReadCommunity,
        Retries = retries,
        Timeout = timeout ?? TimeSpan.FromSeconds(2),
    });

    public async Task InitializeAsync()
    {
        if (!File.Exists(SnmpdPath))
        {
            throw new InvalidOperationException($"{SnmpdPath} is missing: install the Debian package snmpd (apt-get install snmpd snmp).");
        }

        // The port is free when probed but could be taken before snmpd binds it; then snmpd exits and we try another.
        for (int attempt = 1; attempt <= 5; attempt++)
        {
            Endpoint = new IPEndPoint(IPAddress.Loopback, FreeUdpPort());
            StartSnmpd();
            if (await WaitUntilAnsweringAsync())
            {
                return;
            }

            Stop();
        }

        throw new InvalidOperationException($"snmpd did not start answering; see {directory}/snmpd.log");
    }

    public Task DisposeAsync()
    {
        Stop();
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying snmpd: the temp directory is cleaned up by the system later.
        }

        return Task.CompletedTask;
    }

    private static int FreeUdpPort()
    {
        using Socket probe = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private void StartSnmpd()
    {
        string config = Path.Combine(directory, "snmpd.conf");

        // sysLocation/sysContact are left out on purpose: snmpd makes objects set in its config file read-only.
        File.WriteAllText(config, string.Create(CultureInfo.InvariantCulture, $"""
            agentaddress udp:127.0.0.1:{Endpoint.Port}
            rocommunity {ReadCommunity} 127.0.0.1
            rwcommunity {WriteCommunity} 127.0.0.1

            """));
        ProcessStartInfo start = new(SnmpdPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "-C", "-c", config, "-f", "-LOn", "-p", Path.Combine(directory, "snmpd.pid") })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SNMP_PERSISTENT_DIR"] = Path.Combine(directory, "persist");

        // No MIB files: snmpd needs none to answer, and loading them only prints warnings.
        start.Environment["MIBS"] = string.Empty;
        snmpd = Process.Start(start) ?? throw new InvalidOperationException("could not start snmpd");
        StreamWriter log = File.AppendText(Path.Combine(directory, "snmpd.log"));
        log.AutoFlush = true;
        snmpd.OutputDataReceived += (_, e) => Append(log, e.Data);
        snmpd.ErrorDataReceived += (_, e) => Append(log, e.Data);
        snmpd.BeginOutputReadLine();
        snmpd.BeginErrorReadLine();
    }

    private static void Append(StreamWriter log, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (log)
        {
            log.WriteLine(line);
        }
    }

    private async Task<bool> WaitUntilAnsweringAsync()
    {
        await using SnmpClient client = CreateClient(retries: 0, timeout: TimeSpan.FromMilliseconds(200));
        return await SnmpdProcess.WaitUntilAnsweringAsync(snmpd!, client);
    }

    private void Stop()
    {
        SnmpdProcess.Stop(snmpd);
        snmpd = null;
    }
}

[CollectionDefinition(Name)]
public sealed class SnmpdTests : ICollectionFixture<SnmpdFixture>
{
    public const string Name = "snmpd";
}
