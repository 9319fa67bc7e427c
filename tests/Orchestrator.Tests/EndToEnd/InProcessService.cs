using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Orchestrator.Api;
using Orchestrator.Cli;
using Orchestrator.Configuration;
using Orchestrator.Core.Detection;

namespace Orchestrator.Tests.EndToEnd;

/// <summary>
/// <c>orchestrator serve</c> in process on a loopback port over one data directory that outlives a
/// restart, with its API keys (an ingest and an admin key unless told otherwise), an empty playbook
/// folder the test may fill before the start, and the event API as a user reads it.
/// </summary>
/// <remarks>The lab tests link this file: it may use only the service, xUnit and <see cref="OrchestratorProcess"/>.</remarks>
internal sealed class InProcessService : IAsyncDisposable
{
    public const string IngestKey = "e2e-ingest-key-0123456789abcdef";
    public const string AdminKey = "e2e-admin-key-0123456789abcdef";

    private readonly string _root;
    private readonly IReadOnlyList<(string Name, string Role, string Key)> _keys;
    private AppSettings? _settings;
    private WebApplication? _app;

    private InProcessService(string tempPrefix, IReadOnlyList<(string Name, string Role, string Key)> keys)
    {
        _root = Directory.CreateTempSubdirectory(tempPrefix).FullName;
        _keys = keys;
        Directory.CreateDirectory(Playbooks);
    }

    /// <summary>The playbook folder (playbooks and <c>inventory.yaml</c>), read at start.</summary>
    public string Playbooks => Path.Combine(_root, "playbooks");

    public string ConfigFile => Path.Combine(_root, "orchestrator.yaml");

    public string DataDirectory => Path.Combine(_root, "data");

    /// <summary>A file holding the first admin key, for the CLI's <c>--key-file</c>; written at start.</summary>
    public string AdminKeyFile => Path.Combine(_root, "admin.key");

    /// <summary>The base address, <c>http://127.0.0.1:PORT/</c>, known once started.</summary>
    public string Url { get; private set; } = "";

    public HttpClient Http { get; private set; } = null!;

    /// <summary>
    /// A service not yet started, with its folders made under a temp folder named from <paramref name="tempPrefix"/>.
    /// <paramref name="keys"/> (role <c>ingest</c> or <c>admin</c>) default to <see cref="IngestKey"/> and <see cref="AdminKey"/>;
    /// the key name is who the service says acted (<c>acknowledged_by</c>, approvers).
    /// </summary>
    public static InProcessService Create(string tempPrefix = "orch-e2e-detect-", IReadOnlyList<(string Name, string Role, string Key)>? keys = null) =>
        new(tempPrefix, keys ?? [("e2e-ingest", "ingest", IngestKey), ("e2e-admin", "admin", AdminKey)]);

    /// <summary>
    /// Writes the config (the keys, syslog off, then <paramref name="sections"/>, which must hold a
    /// <c>response:</c> naming <see cref="Playbooks"/>) and starts the service.
    /// </summary>
    public async Task StartAsync(string sections)
    {
        var port = OrchestratorProcess.FreeTcpPort();
        var keys = string.Concat(_keys.Select(k => $"    - {{ name: {k.Name}, role: {k.Role}, sha256: {ApiKeyRing.HashHex(k.Key)} }}\n"));
        await File.WriteAllTextAsync(ConfigFile, $$"""
            http:
              listen: 127.0.0.1:{{port}}
              keys:
            {{keys}}syslog: { udp: off, tcp: off }

            """ + sections);
        await File.WriteAllTextAsync(AdminKeyFile, KeyOf("admin") + "\n");
        _settings = AppSettings.From(ConfigLoader.Load(ConfigFile), DataDirectory);
        Directory.CreateDirectory(_settings.DataDirectory);
        Url = $"http://127.0.0.1:{port}/";
        Http = new HttpClient { BaseAddress = new Uri(Url) };
        await StartAppAsync();
    }

    /// <summary>
    /// Stops the service and starts it again on the same data directory and config, running
    /// <paramref name="whileDown"/> in between (time passing, a device changed by hand).
    /// </summary>
    public async Task RestartAsync(Func<Task>? whileDown = null)
    {
        await StopAppAsync();
        if (whileDown is not null)
        {
            await whileDown();
        }

        await StartAppAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAppAsync();
        Http?.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Posts <paramref name="body"/> with the first ingest key (lines of <paramref name="format"/>, or one JSON document); returns the id of the first event stored.</summary>
    public async Task<long> PostAsync(string body, string? format = null)
    {
        var path = format is null ? "/api/v1/events" : "/api/v1/events?format=" + format;
        var (status, answer) = await SendAsync(Http, HttpMethod.Post, path, KeyOf("ingest"), body);
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

    /// <summary>Sends a request with the first admin key; returns the status and the parsed JSON body.</summary>
    public Task<(HttpStatusCode Status, JsonElement Body)> AdminAsync(HttpMethod method, string path, string? body = null) =>
        SendAsync(Http, method, path, KeyOf("admin"), body);

    /// <summary>Sends a request to the API with a bearer key; returns the status and the parsed JSON body (default when empty).</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpClient http, HttpMethod method, string path, string key, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

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

    private string KeyOf(string role) => _keys.First(k => k.Role == role).Key;

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
