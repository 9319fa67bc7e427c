using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Snmp.Tests.Interop;

/// <summary>
/// One real net-snmp snmpd on 127.0.0.1 and an ephemeral UDP port, in a temporary directory (configuration,
/// persistent directory, pid file, log), what the v2c and v3 fixtures share: they only write the configuration.
/// </summary>
internal sealed class SnmpdAgent
{
    public const string SnmpdPath = "/usr/sbin/snmpd";

    private Process? snmpd;

    public SnmpdAgent(string directoryPrefix) => Directory = System.IO.Directory.CreateTempSubdirectory(directoryPrefix).FullName;

    public string Directory { get; }

    public IPEndPoint Endpoint { get; private set; } = new(IPAddress.Loopback, 0);

    /// <summary>
    /// Starts snmpd with the configuration <paramref name="configuration"/> writes for the chosen port, and waits until it
    /// answers a v2c GET with <paramref name="probeCommunity"/>. The port is free when probed but could be taken before
    /// snmpd binds it; then snmpd exits and another port is tried.
    /// </summary>
    public async Task StartAsync(Func<int, string> configuration, string probeCommunity)
    {
        if (!File.Exists(SnmpdPath))
        {
            throw new InvalidOperationException($"{SnmpdPath} is missing: install the Debian package snmpd (apt-get install snmpd snmp).");
        }

        for (int attempt = 1; attempt <= 5; attempt++)
        {
            Endpoint = new IPEndPoint(IPAddress.Loopback, FreeUdpPort());
            Start(configuration(Endpoint.Port));
            if (await AnswersAsync(probeCommunity))
            {
                return;
            }

            Stop();
        }

        throw new InvalidOperationException($"snmpd did not start answering; see {Directory}/snmpd.log");
    }

    /// <summary>Stops snmpd and removes its directory (the fixtures call it from DisposeAsync).</summary>
    public void StopAndRemove()
    {
        Stop();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying snmpd: the temp directory is cleaned up by the system later.
        }
    }

    private static int FreeUdpPort()
    {
        using Socket probe = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private void Start(string configurationText)
    {
        string config = Path.Combine(Directory, "snmpd.conf");
        string persist = Path.Combine(Directory, "persist");
        if (System.IO.Directory.Exists(persist))
        {
            System.IO.Directory.Delete(persist, recursive: true);
        }

        System.IO.Directory.CreateDirectory(persist);
        File.WriteAllText(config, configurationText, System.Text.Encoding.ASCII);
        ProcessStartInfo start = new(SnmpdPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in new[] { "-C", "-c", config, "-f", "-LOn", "-p", Path.Combine(Directory, "snmpd.pid") })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["SNMP_PERSISTENT_DIR"] = persist;

        // No MIB files: snmpd needs none to answer, and loading them only prints warnings.
        start.Environment["MIBS"] = string.Empty;
        snmpd = Process.Start(start) ?? throw new InvalidOperationException("could not start snmpd");
        StreamWriter log = File.AppendText(Path.Combine(Directory, "snmpd.log"));
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

    // True once sysDescr.0 answers (about 10 s at most); false when snmpd exits or never answers.
    private async Task<bool> AnswersAsync(string community)
    {
        await using SnmpClient client = new(new SnmpClientOptions { Endpoint = Endpoint, Community = community, Retries = 0, Timeout = TimeSpan.FromMilliseconds(200) });
        for (int i = 0; i < 50; i++)
        {
            if (snmpd!.HasExited)
            {
                return false;
            }

            try
            {
                await client.GetAsync(Oid.Parse("1.3.6.1.2.1.1.1.0"));
                return true;
            }
            catch (SnmpTimeoutException)
            {
                // Not up yet.
            }
        }

        return false;
    }

    private void Stop()
    {
        if (snmpd is null)
        {
            return;
        }

        if (!snmpd.HasExited)
        {
            snmpd.Kill(entireProcessTree: true);
            snmpd.WaitForExit(5000);
        }

        snmpd.Dispose();
        snmpd = null;
    }
}
