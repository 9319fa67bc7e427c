using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Orchestrator.Snmp;

namespace Orchestrator.Connectors.Tests.Switches;

/// <summary>
/// snmpsim on a free loopback UDP port serving the lab's generated switches (<c>tests/lab/snmprec/*.snmprec</c>; the
/// community is the file name, so <c>cisco24@20</c> is VLAN 20's instance of the PVST switch). Run as nobody when root.
/// </summary>
public sealed class SnmpsimAgent : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("orch-snmpsim-").FullName;
    private Process? _process;

    public IPEndPoint Endpoint { get; private set; } = new(IPAddress.Loopback, 0);

    public async Task InitializeAsync()
    {
        var data = Directory.CreateDirectory(Path.Combine(_directory, "data")).FullName;
        var cache = Directory.CreateDirectory(Path.Combine(_directory, "cache")).FullName;
        foreach (var file in Directory.GetFiles(LabSnmprecDirectory(), "*.snmprec"))
        {
            File.Copy(file, Path.Combine(data, Path.GetFileName(file)));
        }

        using (var probe = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            Endpoint = (IPEndPoint)probe.Client.LocalEndPoint!;
        }

        var info = new ProcessStartInfo("snmpsimd") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { $"--data-dir={data}", $"--cache-dir={cache}", $"--agent-udpv4-endpoint={Endpoint}" })
        {
            info.ArgumentList.Add(argument);
        }

        if (OperatingSystem.IsLinux() && Environment.UserName == "root")
        {
            info.ArgumentList.Add("--process-user=nobody");
            info.ArgumentList.Add("--process-group=nogroup");
            File.SetUnixFileMode(_directory, (UnixFileMode)0b111_101_101);
            foreach (var path in Directory.EnumerateFileSystemEntries(_directory, "*", SearchOption.AllDirectories).Append(_directory))
            {
                File.SetUnixFileMode(path, Directory.Exists(path) ? (UnixFileMode)0b111_111_111 : (UnixFileMode)0b110_110_110);
            }
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("snmpsimd did not start (apt-get install snmpsim)");
        _process.StandardOutput.ReadToEndAsync().ContinueWith(_ => { }, TaskScheduler.Default).GetAwaiter();
        _process.StandardError.ReadToEndAsync().ContinueWith(_ => { }, TaskScheduler.Default).GetAwaiter();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            try
            {
                await using var client = new SnmpClient(new SnmpClientOptions { Endpoint = Endpoint, Community = "cisco24", Timeout = TimeSpan.FromMilliseconds(500), Retries = 0 });
                await client.GetAsync(Oid.Parse("1.3.6.1.2.1.1.5.0"));
                return;
            }
            catch (SnmpException)
            {
                await Task.Delay(200);
            }
        }

        throw new TimeoutException($"snmpsimd did not answer on {Endpoint} within 30 s");
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static string LabSnmprecDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "lab", "snmprec");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("tests/lab/snmprec not found above " + AppContext.BaseDirectory);
    }
}
