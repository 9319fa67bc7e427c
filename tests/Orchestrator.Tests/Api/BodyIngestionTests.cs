using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Api;
using Orchestrator.Core.Events;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;
using Orchestrator.Tests.Listeners;

namespace Orchestrator.Tests.Api;

public sealed class BodyIngestionTests : IAsyncDisposable
{
    private const string Listener = "http";
    private const string First = """{"@timestamp":"2026-11-23T10:00:00Z","event":{"category":"malware"},"host":{"name":"pc-1"},"source":{"ip":"10.9.0.1"}}""";
    private const string Second = """{"@timestamp":"2026-11-23T10:00:01Z","host":{"name":"pc-2"},"labels":{"site":"lab"}}""";

    private readonly PipelineHarness _harness = new();
    private readonly ApiMetrics _apiMetrics = new();

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    private Task<IResult> IngestAsync(byte[] body, BodyKind kind, string format = EventFormats.Auto) =>
        new BodyIngestion(ParserRegistry.CreateDefault(), _harness.Pipeline, _harness.Metrics, _apiMetrics, _harness.Time)
            .IngestAsync(body, kind, format, Listener, CancellationToken.None);

    private static IngestResponse Accepted(IResult result)
    {
        var json = Assert.IsType<JsonHttpResult<IngestResponse>>(result);
        Assert.Equal(StatusCodes.Status202Accepted, json.StatusCode);
        return json.Value!;
    }

    [Fact]
    public async Task IngestAsync_NdjsonWithCrlfBlankAndWhitespaceLines_StoresEveryEventWithItsLineAsOriginal()
    {
        var body = Encoding.UTF8.GetBytes($"\r\n{First}\r\n   \r\n\n{Second}\r\n");

        var response = Accepted(await IngestAsync(body, BodyKind.Ndjson));

        Assert.Equal(2, response.Stored);
        Assert.Equal(0, response.DeadLettered);
        var events = _harness.Store.Events;
        Assert.Equal([First, Second], events.Select(e => e.Original));
        Assert.Equal(EventKinds.InfectionDetected, events[0].Kind);
        Assert.Equal("lab", events[1].Labels!["site"]);
        Assert.Equal(2, _harness.Metrics.For(Listener, EventFormats.Json).Received);
    }

    [Fact]
    public async Task IngestAsync_NdjsonLineThatIsNotAnEvent_DeadLetterKeepsItsExactBytesAndTheOthersAreStored()
    {
        // Valid JSON, so the body is accepted, but no parser takes an array line. The bytes are kept
        // as they arrived between the line feeds, invalid UTF-8 and the CR included.
        byte[] badLine = [.. "[1,\"caf"u8, 0xC3, 0xA9, (byte)'"', (byte)',', (byte)'"', 0xFF, (byte)'"', (byte)']', (byte)'\r'];
        byte[] body = [.. Encoding.UTF8.GetBytes(First + "\n"), .. badLine, (byte)'\n', .. Encoding.UTF8.GetBytes(Second)];

        var response = Accepted(await IngestAsync(body, BodyKind.Ndjson));

        Assert.Equal(2, response.Stored);
        Assert.Equal(1, response.DeadLettered);
        var letter = Assert.Single(_harness.Store.DeadLetters);
        Assert.Equal(badLine, letter.Raw);
        Assert.Contains("no parser recognised the line", letter.Reason, StringComparison.Ordinal);
        Assert.Equal([First, Second], _harness.Store.Events.Select(e => e.Original));
    }

    [Fact]
    public async Task IngestAsync_NdjsonObjectWithInvalidUtf8_StoredWithReplacementCharacter()
    {
        byte[] body = [.. "{\"host\":{\"name\":\"pc-"u8, 0xFF, .. "\"}}\n"u8];

        var response = Accepted(await IngestAsync(body, BodyKind.Ndjson));

        Assert.Equal(1, response.Stored);
        Assert.Equal("pc-\uFFFD", Assert.Single(_harness.Store.Events).HostName);
    }

    [Fact]
    public async Task IngestAsync_NdjsonSyntaxErrorAfterGoodLines_400NamesLineAndByte_NothingButTheBodyKept()
    {
        var body = Encoding.UTF8.GetBytes($"{First}\n{Second}\n{{\"host\": oops}}\n{First}\n");

        var result = await IngestAsync(body, BodyKind.Ndjson);

        var error = Assert.IsType<BadRequest<ApiError>>(result).Value!;
        Assert.Equal(3, error.Line);
        Assert.Equal(10, error.Position);
        Assert.StartsWith("invalid JSON at line 3, byte 10:", error.Error, StringComparison.Ordinal);
        Assert.Empty(_harness.Store.Events);
        Assert.Equal(body, Assert.Single(_harness.Store.DeadLetters).Raw);
        Assert.Equal(0, _harness.Metrics.For(Listener, EventFormats.Json).Received);
        Assert.Equal(1, _harness.Metrics.For(Listener, StreamIngestor.UnknownFormat).Received);
        Assert.Equal(1, _apiMetrics.InvalidJson);
    }

    [Theory]
    [InlineData("#fields\tts\tuid")]
    [InlineData("<54>Nov 23 10:00:00 sepm SymantecServer: Virus found,Computer name: HOST-1")]
    [InlineData("42")]
    public async Task IngestAsync_NdjsonLineAnotherParserWouldTake_StillRefusedAsInvalidJson(string line)
    {
        var body = Encoding.UTF8.GetBytes($"{First}\n{line}\n");

        var result = await IngestAsync(body, BodyKind.Ndjson);

        Assert.Equal(2, Assert.IsType<BadRequest<ApiError>>(result).Value!.Line);
        Assert.Empty(_harness.Store.Events);
    }

    [Fact]
    public async Task IngestAsync_JsonArrayBody_EachObjectStoredWithItsOwnText()
    {
        var body = Encoding.UTF8.GetBytes($"[ {First},\n  {Second} ]");

        var response = Accepted(await IngestAsync(body, BodyKind.JsonDocument));

        Assert.Equal(2, response.Stored);
        Assert.Equal([First, Second], _harness.Store.Events.Select(e => e.Original));
    }

    [Fact]
    public async Task IngestAsync_SingleJsonObjectBody_StoredWithoutSurroundingWhitespace()
    {
        var response = Accepted(await IngestAsync(Encoding.UTF8.GetBytes($"\r\n  {First}\n"), BodyKind.JsonDocument));

        Assert.Equal(1, response.Stored);
        Assert.Equal(First, Assert.Single(_harness.Store.Events).Original);
        Assert.Equal(response.FirstId, response.LastId);
    }
}
