using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Orchestrator.Api;
using Orchestrator.Cli;
using Orchestrator.Configuration;
using Orchestrator.Core.Detection;
using Orchestrator.Tests.Api;
using Orchestrator.Tests.Cli;

namespace Orchestrator.Tests.EndToEnd;

/// <summary>
/// <c>orchestrator serve</c> in process on a loopback port over one data directory that outlives a
/// restart, with an ingest and an admin key, an empty playbook folder the test may fill before the
/// start, and the event API as a user reads it.
/// </summary>
internal sealed class InProcessService : IAsyncDisposable
{
    public const string IngestKey = "e2e-ingest-key-0123456789abcdef";
    public const string AdminKey = "e2e-admin-key-0123456789abcdef";

    private readonly string _root = Directory.CreateTempSubdirectory("orch-e2e-detect-").FullName;
    private AppSettings? _settings;
    private WebApplication? _app;

    private InProcessService()
    {
        Directory.CreateDirectory(Playbooks);
    }

    /// <summary>The playbook folder (playbooks and <c>inventory.yaml</c>), read at start.</summary>
    public string Playbooks => Path.Combine(_root, "playbooks");

    public HttpClient Http { get; private set; } = null!;

    /// <summary>A service not yet started, with its folders made.</summary>
    public static InProcessService Create() => new();

    /// <summary>
    /// Writes the config (the keys, syslog off, then <paramref name="sections"/>, which must hold a
    /// <c>response:</c> naming <see cref="Playbooks"/>) and starts the service.
    /// </summary>
    public async Task StartAsync(string sections)
    {
        var port = OrchestratorProcess.FreeTcpPort();
        var config = Path.Combine(_root, "orchestrator.yaml");
        await File.WriteAllTextAsync(config, $$"""
            http:
              listen: 127.0.0.1:{{port}}
              keys:
                - { name: e2e-ingest, role: ingest, sha256: {{ApiKeyRing.HashHex(IngestKey)}} }
                - { name: e2e-admin, role: admin, sha256: {{ApiKeyRing.HashHex(AdminKey)}} }
            syslog: { udp: off, tcp: off }

            """ + sections);
        _settings = AppSettings.From(ConfigLoader.Load(config), Path.Combine(_root, "data"));
        Directory.CreateDirectory(_settings.DataDirectory);
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        await StartAppAsync();
    }

    /// <summary>Stops the service and starts it again on the same data directory and config.</summary>
    public async Task RestartAsync()
    {
        await StopAppAsync();
        await StartAppAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAppAsync();
        Http?.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Posts <paramref name="body"/> with the ingest key (lines of <paramref name="format"/>, or one JSON document); returns the id of the first event stored.</summary>
    public async Task<long> PostAsync(string body, string? format = null)
    {
        var path = format is null ? "/api/v1/events" : "/api/v1/events?format=" + format;
        var (status, answer) = await ResponseServer.SendAsync(Http, HttpMethod.Post, path, IngestKey, body);
        Assert.True(status == HttpStatusCode.Accepted, $"POST {path}: {(int)status} {answer}");
        Assert.Equal(0, answer.GetProperty("dead_lettered").GetInt32());
        return answer.GetProperty("first_id").GetInt64();
    }

    /// <summary>Every stored event of <paramref name="kind"/>, oldest first, as <c>GET /api/v1/events</c> gives them.</summary>
    public async Task<List<JsonElement>> EventsAsync(string kind)
    {
        var (status, answer) = await AdminAsync(HttpMethod.Get, $"/api/v1/events?kind={kind}&limit=10000");
        Assert.Equal(HttpStatusCode.OK, status);
        return [.. answer.GetProperty("events").EnumerateArray().OrderBy(e => e.GetProperty("orchestrator").GetProperty("id").GetInt64())];
    }

    /// <summary>
    /// Waits for the <c>infection.traced</c> derived from detection <paramref name="detectionId"/>. The detectors
    /// take events in id order, so once it is stored every event posted before that detection has been through them.
    /// </summary>
    public async Task<JsonElement> TraceOfAsync(long detectionId)
    {
        var id = detectionId.ToString(CultureInfo.InvariantCulture);
        var traced = await EventuallyAsync(
            async () => (await EventsAsync("infection.traced")).Cast<JsonElement?>().FirstOrDefault(e => Label(e!.Value, DerivedEvents.DerivedFromLabel) == id),
            $"infection.traced of detection {detectionId}");
        return traced.GetValueOrDefault();
    }

    public Task<(HttpStatusCode Status, JsonElement Body)> AdminAsync(HttpMethod method, string path, string? body = null) =>
        ResponseServer.SendAsync(Http, method, path, AdminKey, body);

    /// <summary>The label <paramref name="key"/> of an event as the API writes it, or null.</summary>
    public static string? Label(JsonElement evt, string key) =>
        evt.TryGetProperty("labels", out var labels) && labels.TryGetProperty(key, out var value) ? value.GetString() : null;

    /// <summary>The string at a dotted ECS path (<c>process.parent.executable</c>), or null.</summary>
    public static string? Field(JsonElement evt, string path)
    {
        foreach (var part in path.Split('.'))
        {
            if (evt.ValueKind != JsonValueKind.Object || !evt.TryGetProperty(part, out evt))
            {
                return null;
            }
        }

        return evt.ValueKind == JsonValueKind.String ? evt.GetString() : evt.GetRawText();
    }

    /// <summary>Polls <paramref name="probe"/> until it answers, for at most 30 s.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (await probe() is { } found)
            {
                return found;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"no {what} within 30 s");
    }

    private async Task StartAppAsync()
    {
        _app = ServeCommand.BuildApp(_settings!);
        await _app.StartAsync();
    }

    private async Task StopAppAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }
}

/// <summary>The real Sysmon sample, and events written for the tests in the shapes the service reads.</summary>
internal static class TestEvents
{
    /// <summary>The OTRF PsExec sample from WORKSTATION5 (see <c>Fixtures/samples/README.md</c>).</summary>
    public static string SysmonSample { get; } = File.ReadAllText(
        TestCommandTests.RepositoryPath("tests", "Orchestrator.Tests", "Fixtures", "samples", "sysmon-psexec-lateral-movement.ndjson"));

    /// <summary>The sample's Sysmon 1 records (process create), as they are in the file.</summary>
    public static IReadOnlyList<string> SampleProcessStarts { get; } =
        [.. SysmonSample.Split('\n').Where(l => l.Contains("\"Microsoft-Windows-Sysmon\"", StringComparison.Ordinal) && l.Contains("\"EventID\":1,", StringComparison.Ordinal)).Select(l => l.TrimEnd('\r'))];

    /// <summary>The sample's executables (Sysmon 1 <c>Image</c>) and their SHA-256 from <c>Hashes</c>.</summary>
    public static IReadOnlyDictionary<string, string> SampleExecutables { get; } = SampleProcessStarts
        .Select(l => JsonDocument.Parse(l).RootElement)
        .ToDictionary(
            e => e.GetProperty("Image").GetString()!,
            e => e.GetProperty("Hashes").GetString()!.Split(',').Single(h => h.StartsWith("SHA256=", StringComparison.Ordinal))["SHA256=".Length..],
            StringComparer.Ordinal);

    /// <summary>
    /// A Sysmon 3 record logged by <paramref name="victimName"/>: <paramref name="sourceName"/> connected in
    /// to its <paramref name="port"/> (flat OTRF/Winlogbeat-raw shape, as the sample).
    /// </summary>
    public static string InboundConnection(string victimName, string victimIp, string sourceName, string sourceIp, int port, DateTimeOffset at) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["SourceName"] = "Microsoft-Windows-Sysmon",
            ["Channel"] = "Microsoft-Windows-Sysmon/Operational",
            ["EventID"] = 3,
            ["Hostname"] = victimName,
            ["UtcTime"] = at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
            ["Protocol"] = "tcp",
            ["Initiated"] = "false",
            ["Image"] = "System",
            ["ProcessId"] = "4",
            ["User"] = "NT AUTHORITY\\SYSTEM",
            ["SourceIp"] = sourceIp,
            ["SourceHostname"] = sourceName,
            ["SourcePort"] = "49731",
            ["DestinationIp"] = victimIp,
            ["DestinationHostname"] = victimName,
            ["DestinationPort"] = port.ToString(CultureInfo.InvariantCulture),
        });

    /// <summary>An antivirus detection on <paramref name="host"/> as ECS JSON, naming no source (<c>infection.detected</c>).</summary>
    public static string Detection(string host, DateTimeOffset at, string threat = "W32.Changeup") =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["@timestamp"] = at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["event"] = new { category = "malware", action = "virus_found" },
            ["host"] = new { name = host },
            ["rule"] = new { name = threat },
        });
}
