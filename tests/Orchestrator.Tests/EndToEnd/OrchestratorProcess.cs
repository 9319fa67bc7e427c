using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Orchestrator.Api;

namespace Orchestrator.Tests.EndToEnd;

/// <summary>
/// Runs the real <c>orchestrator</c> executable as a child process on loopback ports, with a
/// config that holds known ingest and admin keys, for end-to-end and crash tests.
/// </summary>
internal sealed class OrchestratorProcess : IAsyncDisposable
{
    public const string IngestKey = "test-ingest-key-0123456789abcdef";
    public const string AdminKey = "test-admin-key-0123456789abcdef";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private OrchestratorProcess(Process process, string dataDirectory, int httpPort, int udpPort, int tcpPort)
    {
        _process = process;
        DataDirectory = dataDirectory;
        HttpPort = httpPort;
        UdpPort = udpPort;
        TcpPort = tcpPort;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}") };
        process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string DataDirectory { get; }

    public int HttpPort { get; }

    public int UdpPort { get; }

    public int TcpPort { get; }

    public HttpClient Http { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Writes a config with the test keys (plus <paramref name="extraYaml"/>) and starts serve; waits for /healthz.</summary>
    public static async Task<OrchestratorProcess> StartAsync(string dataDirectory, string extraYaml = "", string? httpSection = null)
    {
        Directory.CreateDirectory(dataDirectory);
        var config = Path.Combine(dataDirectory, "orchestrator.yaml");
        await File.WriteAllTextAsync(config, $"""
            http:
              keys:
                - name: test-ingest
                  role: ingest
                  sha256: {ApiKeyRing.HashHex(IngestKey)}
                - name: test-admin
                  role: admin
                  sha256: {ApiKeyRing.HashHex(AdminKey)}
            {httpSection ?? ""}
            {extraYaml}
            """);
        var httpPort = FreeTcpPort();
        var tcpPort = FreeTcpPort();
        var udpPort = FreeUdpPort();
        var process = Start(["serve", "--data", dataDirectory, "--config", config,
            "--http", $"127.0.0.1:{httpPort}", "--syslog-udp", $"127.0.0.1:{udpPort}", "--syslog-tcp", $"127.0.0.1:{tcpPort}"]);
        var server = new OrchestratorProcess(process, dataDirectory, httpPort, udpPort, tcpPort);
        await server.WaitHealthyAsync();
        return server;
    }

    /// <summary>Runs a CLI verb to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunCliAsync(params string[] arguments)
    {
        using var process = Start(arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public HttpRequestMessage Request(HttpMethod method, string path, string key, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    /// <summary>Reads one counter (summing label sets that contain <paramref name="labelFilter"/>) from /metrics.</summary>
    public async Task<long> MetricAsync(string name, string labelFilter = "")
    {
        var text = await Http.GetStringAsync("/metrics");
        return text.Split('\n')
            .Where(l => l.StartsWith(name, StringComparison.Ordinal) && (l.Length == name.Length || l[name.Length] is '{' or ' ') && l.Contains(labelFilter, StringComparison.Ordinal))
            .Sum(l => long.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Polls until <paramref name="condition"/> holds, for at most 30 s.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"timed out waiting until {what}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitHealthyAsync()
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"orchestrator exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await Http.GetAsync("/healthz");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"orchestrator did not become healthy:\n{Output}");
    }

    private static Process Start(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "orchestrator.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start orchestrator");
    }

    internal static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int FreeUdpPort()
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
    }
}
