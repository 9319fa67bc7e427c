using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;

namespace Orchestrator.Api;

/// <summary>How a request body is read: raw lines of a format, NDJSON, or one JSON document (an object or an array of objects).</summary>
public enum BodyKind
{
    Lines,
    Ndjson,
    JsonDocument,
}

/// <summary>
/// Ingests one HTTP request body and answers only after the batch is committed: 202 with counts
/// and ids, 400 naming the line and byte of invalid JSON (the body is kept as a dead letter), or
/// 503 when the store cannot commit.
/// </summary>
public sealed class BodyIngestion(ParserRegistry registry, IngestPipeline pipeline, IngestMetrics metrics, ApiMetrics apiMetrics, TimeProvider time)
{
    private static ReadOnlySpan<byte> JsonWhitespace => " \t\r\n"u8;

    public async Task<IResult> IngestAsync(ReadOnlyMemory<byte> body, BodyKind kind, string format, string listener, CancellationToken cancellationToken)
    {
        var receivedAt = time.GetUtcNow();
        var items = new List<IngestItem>(kind == BodyKind.JsonDocument ? 1 : ExpectedLines(body.Span));

        // Counted apart until the body is accepted: a body refused for invalid JSON counts once, as its dead letter.
        var bodyMetrics = new IngestMetrics();
        var ingestor = new StreamIngestor(registry, format, listener, bodyMetrics);
        var invalid = kind switch
        {
            BodyKind.Ndjson => AddNdjson(body.Span, ingestor, receivedAt, items),
            BodyKind.JsonDocument => AddDocument(body, ingestor, receivedAt, items),
            _ => AddLines(body.Span, ingestor, receivedAt, items),
        };

        if (invalid is not null)
        {
            apiMetrics.InvalidJsonBody();
            items.Clear();
            new StreamIngestor(registry, format, listener, metrics).Reject(body.Span, invalid.Error, receivedAt, items);
            await CommitAsync(items, cancellationToken).ConfigureAwait(false);
            return Results.BadRequest(invalid);
        }

        metrics.AddReceived(bodyMetrics);
        if (!await CommitAsync(items, cancellationToken).ConfigureAwait(false))
        {
            return Results.Json(new ApiError("the event store is unavailable; nothing from this request was stored, send it again"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return Results.Json(Summarise(items), statusCode: StatusCodes.Status202Accepted);
    }

    // Sized once for a batch rather than grown by doubling; blank lines make it an upper bound, hence the cap.
    private static int ExpectedLines(ReadOnlySpan<byte> body) => Math.Min(body.Count((byte)'\n') + 1, 16_384);

    private static IngestResponse Summarise(List<IngestItem> items)
    {
        var stored = 0;
        long? firstId = null;
        long? lastId = null;
        foreach (var item in items)
        {
            if (item.Event is { } evt)
            {
                stored++;
                firstId = firstId is { } first ? Math.Min(first, evt.Id) : evt.Id;
                lastId = lastId is { } last ? Math.Max(last, evt.Id) : evt.Id;
            }
        }

        return new IngestResponse(stored, items.Count - stored, firstId, lastId);
    }

    private async Task<bool> CommitAsync(List<IngestItem> items, CancellationToken cancellationToken)
    {
        try
        {
            await pipeline.CommitAsync(items, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (StoreUnavailableException)
        {
            return false;
        }
    }

    private static ApiError? AddLines(ReadOnlySpan<byte> body, StreamIngestor ingestor, DateTimeOffset receivedAt, List<IngestItem> items)
    {
        while (body.Length > 0)
        {
            var end = body.IndexOf((byte)'\n');
            var line = end < 0 ? body : body[..end];
            if (!line.IsEmpty)
            {
                ingestor.Add(line, receivedAt, items);
            }

            body = end < 0 ? [] : body[(end + 1)..];
        }

        return null;
    }

    /// <summary>
    /// Parses each line once. A line a JSON parser turned into an event was read in full, so it is
    /// valid JSON; every other line is checked, and the first syntax error refuses the whole body.
    /// </summary>
    private static ApiError? AddNdjson(ReadOnlySpan<byte> body, StreamIngestor ingestor, DateTimeOffset receivedAt, List<IngestItem> items)
    {
        var lineNumber = 0;
        while (body.Length > 0)
        {
            lineNumber++;
            var end = body.IndexOf((byte)'\n');
            var line = end < 0 ? body : body[..end];
            body = end < 0 ? [] : body[(end + 1)..];
            var content = line.Trim(JsonWhitespace);
            if (content.IsEmpty)
            {
                continue;
            }

            var count = items.Count;
            ingestor.Add(line, receivedAt, items);
            var readAsJson = content[0] == (byte)'{' && items.Count > count && items[^1].Event is { } evt && ReadsWholeJsonObject(evt.Format);
            if (!readAsJson && Validate(line, lineNumber) is { } error)
            {
                return error;
            }
        }

        return null;
    }

    // These parsers read a line that starts with '{' as one whole JSON document and refuse it when
    // it is not valid JSON, so an event from one of them proves its line is valid.
    private static bool ReadsWholeJsonObject(string format) => format is EventFormats.Json or EventFormats.Sysmon or EventFormats.Zeek;

    private static ApiError? AddDocument(ReadOnlyMemory<byte> body, StreamIngestor ingestor, DateTimeOffset receivedAt, List<IngestItem> items)
    {
        if (Validate(body.Span, 1) is { } error)
        {
            return error;
        }

        var content = body.Span.Trim(JsonWhitespace);
        if (content[0] == (byte)'{')
        {
            ingestor.Add(content, receivedAt, items);
            return null;
        }

        using var document = JsonDocument.Parse(body);
        foreach (var element in document.RootElement.EnumerateArray())
        {
            ingestor.Add(JsonMarshal.GetRawUtf8Value(element), receivedAt, items);
        }

        return null;
    }

    /// <summary>The first JSON syntax error, with its 1-based line and 1-based byte in that line, or null.</summary>
    private static ApiError? Validate(ReadOnlySpan<byte> json, int firstLine)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read())
            {
                return new ApiError($"invalid JSON at line {firstLine}: the body is empty", firstLine, 0);
            }

            if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            {
                return new ApiError($"invalid JSON at line {firstLine}, byte 1: an event must be a JSON object", firstLine, 1);
            }

            while (reader.Read())
            {
            }

            return null;
        }
        catch (JsonException ex)
        {
            var line = firstLine + (int)(ex.LineNumber ?? 0);
            // 1-based like the line number, so "line 2, byte 19" is where an editor's cursor goes.
            var position = (ex.BytePositionInLine ?? 0) + 1;
            return new ApiError($"invalid JSON at line {line}, byte {position}: {FirstSentence(ex.Message)}", line, position);
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut].TrimEnd('.', ' ') : message;
    }
}

/// <summary>The 202 answer: how many events were stored and dead-lettered, and the range of the new event ids.</summary>
public sealed record IngestResponse(int Stored, int DeadLettered, long? FirstId, long? LastId);
