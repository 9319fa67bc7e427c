using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Orchestrator.Api;

namespace Orchestrator.Tests.EndToEnd;

/// <summary>The real executable, on loopback: HTTP and syslog in, the store and API out.</summary>
public sealed class ServeTests : IAsyncLifetime
{
    internal const string SepTraced = "<54>Nov 23 10:00:00 sepm SymantecServer: Virus found,IP Address: 10.1.15.251,Computer name: HOST-3835,Source: Auto-Protect scan,Risk name: W32.Changeup,Occurrences: 1,File path: \\\\FILESRV\\share\\frank\\b5b9a1.exe,Description: ,Actual action: Cleaned by deletion,Requested action: Cleaned,Secondary action: Quarantined,Event time: 2026-11-23 10:00:00,Inserted: 2026-11-23 10:00:00,End: 2026-11-23 10:00:00,Domain: Default,Group: My Company\\Workstations,Server: sepm,User: frank,Source computer: WS-42813,Source IP: 10.252.42.239";

    private readonly string _data = Directory.CreateTempSubdirectory("orch-e2e-").FullName;
    private OrchestratorProcess _server = null!;

    public async Task InitializeAsync()
    {
        _server = await OrchestratorProcess.StartAsync(_data, """
              max_body: 64KB
              webhooks:
                - name: edr
                  format: json
                  secret: ${file:SECRET_FILE}
            """.Replace("SECRET_FILE", WriteSecret(), StringComparison.Ordinal), httpSection: null);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }

    private string WriteSecret()
    {
        Directory.CreateDirectory(_data);
        var path = Path.Combine(_data, "edr.secret");
        File.WriteAllText(path, "edr-shared-secret\n");
        return path;
    }

    [Fact]
    public async Task PostSepLine_ThenQueryBySourceIp_ReturnsTracedEventAsNestedEcs()
    {
        using var post = _server.Request(HttpMethod.Post, "/api/v1/events?format=sep", OrchestratorProcess.IngestKey, new StringContent(SepTraced));
        using var posted = await _server.Http.SendAsync(post);
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        using var answer = JsonDocument.Parse(await posted.Content.ReadAsStringAsync());
        Assert.Equal(1, answer.RootElement.GetProperty("stored").GetInt32());
        var id = answer.RootElement.GetProperty("first_id").GetInt64();

        using var get = _server.Request(HttpMethod.Get, "/api/v1/events?source_ip=10.252.42.239&kind=infection.detected", OrchestratorProcess.AdminKey);
        using var got = await _server.Http.SendAsync(get);
        using var events = JsonDocument.Parse(await got.Content.ReadAsStringAsync());
        var evt = Assert.Single(events.RootElement.GetProperty("events").EnumerateArray().ToList());
        Assert.Equal(id, evt.GetProperty("orchestrator").GetProperty("id").GetInt64());

        // The tracer derives the traced event from it, keeping the source the antivirus reported.
        var traced = await PollSingleAsync("/api/v1/events?source_ip=10.252.42.239&kind=infection.traced");
        Assert.Equal(id.ToString(System.Globalization.CultureInfo.InvariantCulture), traced.GetProperty("labels").GetProperty("orchestrator.derived_from").GetString());
        Assert.Equal("reported", traced.GetProperty("labels").GetProperty("trace.source").GetString());
        Assert.Equal("HOST-3835", traced.GetProperty("host").GetProperty("name").GetString());
        Assert.Equal("10.252.42.239", evt.GetProperty("source").GetProperty("ip").GetString());
        Assert.Equal("WS-42813", evt.GetProperty("source").GetProperty("name").GetString());
        Assert.Equal("HOST-3835", evt.GetProperty("host").GetProperty("name").GetString());
        Assert.Equal("W32.Changeup", evt.GetProperty("rule").GetProperty("name").GetString());
        Assert.Equal(SepTraced, evt.GetProperty("event").GetProperty("original").GetString());
    }

    private async Task<JsonElement> PollSingleAsync(string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            using var get = _server.Request(HttpMethod.Get, path, OrchestratorProcess.AdminKey);
            using var got = await _server.Http.SendAsync(get);
            using var events = JsonDocument.Parse(await got.Content.ReadAsStringAsync());
            var found = events.RootElement.GetProperty("events").EnumerateArray().ToList();
            if (found.Count > 0 || DateTime.UtcNow > deadline)
            {
                return Assert.Single(found).Clone();
            }

            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task PostNdjsonBatch_AllStoredAndPublished()
    {
        var body = string.Join('\n', Enumerable.Range(0, 50).Select(i =>
            $"{{\"@timestamp\":\"2026-11-23T10:00:{i:D2}Z\",\"event\":{{\"category\":\"malware\"}},\"host\":{{\"name\":\"ndjson-{i}\"}},\"source\":{{\"ip\":\"10.9.0.{i}\"}}}}"));
        using var post = _server.Request(HttpMethod.Post, "/api/v1/events", OrchestratorProcess.IngestKey, new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
        using var posted = await _server.Http.SendAsync(post);

        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        using var answer = JsonDocument.Parse(await posted.Content.ReadAsStringAsync());
        Assert.Equal(50, answer.RootElement.GetProperty("stored").GetInt32());
        Assert.Equal(49, answer.RootElement.GetProperty("last_id").GetInt64() - answer.RootElement.GetProperty("first_id").GetInt64());
        using var get = _server.Request(HttpMethod.Get, "/api/v1/events?host=NDJSON-7", OrchestratorProcess.AdminKey);
        using var got = await _server.Http.SendAsync(get);
        using var events = JsonDocument.Parse(await got.Content.ReadAsStringAsync());
        Assert.Equal("10.9.0.7", events.RootElement.GetProperty("events")[0].GetProperty("source").GetProperty("ip").GetString());
        await OrchestratorProcess.WaitUntilAsync(async () => await _server.MetricAsync("orchestrator_events_published_total") >= 50, "50 EventStored notifications are published");
    }

    [Fact]
    public async Task Metrics_ReportProcessCpuMemoryAndGarbageCollection()
    {
        var text = await _server.Http.GetStringAsync("/metrics");

        var cpu = text.Split('\n').Single(l => l.StartsWith("process_cpu_seconds_total ", StringComparison.Ordinal));
        Assert.True(double.Parse(cpu["process_cpu_seconds_total ".Length..], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.True(await _server.MetricAsync("process_resident_memory_bytes") > 0);
        Assert.True(await _server.MetricAsync("dotnet_gc_heap_bytes") > 0);
        Assert.Contains("dotnet_gc_collections_total{generation=\"0\"} ", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_collections_total{generation=\"2\"} ", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE dotnet_gc_pause_seconds_total counter\ndotnet_gc_pause_seconds_total ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostInvalidJson_400NamesLineAndByte_AndBodyKeptAsDeadLetter()
    {
        const string body = "{\"host\":{\"name\":\"ok\"}}\n{\"host\": {\"name\": oops}}\n";
        using var post = _server.Request(HttpMethod.Post, "/api/v1/events", OrchestratorProcess.IngestKey, new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
        using var posted = await _server.Http.SendAsync(post);

        Assert.Equal(HttpStatusCode.BadRequest, posted.StatusCode);
        using var error = JsonDocument.Parse(await posted.Content.ReadAsStringAsync());
        Assert.Equal(2, error.RootElement.GetProperty("line").GetInt32());
        Assert.Equal(19, error.RootElement.GetProperty("position").GetInt64());
        Assert.StartsWith("invalid JSON at line 2, byte 19", error.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);

        using var get = _server.Request(HttpMethod.Get, "/api/v1/dead-letters", OrchestratorProcess.AdminKey);
        using var got = await _server.Http.SendAsync(get);
        using var letters = JsonDocument.Parse(await got.Content.ReadAsStringAsync());
        var letter = letters.RootElement.GetProperty("dead_letters")[0];
        Assert.Equal(body, letter.GetProperty("raw_text").GetString());
        Assert.StartsWith("invalid JSON at line 2", letter.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostOversizeBody_413()
    {
        using var post = _server.Request(HttpMethod.Post, "/api/v1/events?format=sep", OrchestratorProcess.IngestKey, new StringContent(new string('x', 100_000)));
        using var posted = await _server.Http.SendAsync(post);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, posted.StatusCode);
        Assert.Contains("http.max_body", await posted.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_MissingWrongOrInsufficient_Refused()
    {
        using var noKey = await _server.Http.PostAsync("/api/v1/events?format=sep", new StringContent(SepTraced));
        Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);

        using var wrong = _server.Request(HttpMethod.Post, "/api/v1/events?format=sep", "nope", new StringContent(SepTraced));
        using var wrongAnswer = await _server.Http.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongAnswer.StatusCode);

        using var ingestReads = _server.Request(HttpMethod.Get, "/api/v1/events", OrchestratorProcess.IngestKey);
        using var forbidden = await _server.Http.SendAsync(ingestReads);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task Webhook_SignedBodyAccepted_UnsignedRefused()
    {
        var body = "{\"@timestamp\":\"2026-11-23T10:00:00Z\",\"event\":{\"action\":\"process-start\"},\"host\":{\"name\":\"edr-host\"}}"u8.ToArray();
        using var unsigned = await _server.Http.PostAsync("/api/v1/webhooks/edr", new ByteArrayContent(body));
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);

        using var content = new ByteArrayContent(body);
        content.Headers.Add("X-Signature-256", WebhookSignature.Compute(body, Encoding.UTF8.GetBytes("edr-shared-secret")));
        using var signed = await _server.Http.PostAsync("/api/v1/webhooks/edr", content);
        Assert.Equal(HttpStatusCode.Accepted, signed.StatusCode);
        Assert.Equal(1, await _server.MetricAsync("orchestrator_events_stored_total", "listener=\"webhook:edr\""));
    }

    [Fact]
    public async Task SyslogTcpAndUdp_LinesStoredAndCountedPerListenerAndFormat()
    {
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(IPAddress.Loopback, _server.TcpPort);
            var lines = string.Concat(Enumerable.Repeat(SepTraced + "\n", 1000)) + "this is not an event\n";
            await tcp.GetStream().WriteAsync(Encoding.UTF8.GetBytes(lines));
        }

        using (var udp = new UdpClient())
        {
            await udp.SendAsync(Encoding.UTF8.GetBytes(SepTraced), new IPEndPoint(IPAddress.Loopback, _server.UdpPort));
        }

        await OrchestratorProcess.WaitUntilAsync(
            async () => await _server.MetricAsync("orchestrator_events_stored_total", "listener=\"syslog-tcp\",format=\"sep\"") == 1000
                        && await _server.MetricAsync("orchestrator_events_rejected_total", "listener=\"syslog-tcp\"") == 1
                        && await _server.MetricAsync("orchestrator_events_stored_total", "listener=\"syslog-udp\",format=\"sep\"") == 1,
            "1000 TCP events, 1 TCP dead letter and 1 UDP event are committed");
        var metrics = await _server.Http.GetStringAsync("/metrics");
        Assert.Contains("orchestrator_store_commit_seconds_count", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Healthz_Ok()
    {
        using var response = await _server.Http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"ok\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
