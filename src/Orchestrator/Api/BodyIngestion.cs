using System.Text;
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
    public async Task<IResult> IngestAsync(ReadOnlyMemory<byte> body, BodyKind kind, string format, string listener, CancellationToken cancellationToken)
    {
        var receivedAt = time.GetUtcNow();
        var ingestor = new StreamIngestor(registry, format, listener, metrics);
        var items = new List<IngestItem>();
        if (kind != BodyKind.Lines && FindInvalidJson(body.Span, kind) is { } invalid)
        {
            apiMetrics.InvalidJsonBody();
            ingestor.Reject(body.Span, invalid.Error, receivedAt, items);
            await CommitAsync(items, cancellationToken).ConfigureAwait(false);
            return Results.BadRequest(invalid);
        }

        switch (kind)
        {
            case BodyKind.JsonDocument:
                AddDocument(body, ingestor, receivedAt, items);
                break;
            default:
                AddLines(body.Span, ingestor, receivedAt, items);
                break;
        }

        if (!await CommitAsync(items, cancellationToken).ConfigureAwait(false))
        {
            return Results.Json(new ApiError("the event store is unavailable; nothing from this request was stored, send it again"), statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var stored = items.Where(i => i.Event is not null).Select(i => i.Event!.Id).ToList();
        var deadLettered = items.Count - stored.Count;
        return Results.Json(
            new IngestResponse(stored.Count, deadLettered, stored.Count > 0 ? stored.Min() : null, stored.Count > 0 ? stored.Max() : null),
            statusCode: StatusCodes.Status202Accepted);
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

    private static void AddLines(ReadOnlySpan<byte> body, StreamIngestor ingestor, DateTimeOffset receivedAt, List<IngestItem> items)
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
    }

    private static void AddDocument(ReadOnlyMemory<byte> body, StreamIngestor ingestor, DateTimeOffset receivedAt, List<IngestItem> items)
    {
        using var document = JsonDocument.Parse(body);
        if (document.RootElement.ValueKind == JsonValueKind.Array)
        {
            foreach (var element in document.RootElement.EnumerateArray())
            {
                ingestor.Add(element.GetRawText(), receivedAt, items);
            }
        }
        else
        {
            ingestor.Add(Encoding.UTF8.GetString(body.Span).Trim(), receivedAt, items);
        }
    }

    /// <summary>The first JSON syntax error, with its 1-based line and 1-based byte in that line, or null.</summary>
    private static ApiError? FindInvalidJson(ReadOnlySpan<byte> body, BodyKind kind)
    {
        if (kind == BodyKind.JsonDocument)
        {
            return Validate(body, 1);
        }

        var lineNumber = 0;
        while (body.Length > 0)
        {
            lineNumber++;
            var end = body.IndexOf((byte)'\n');
            var line = end < 0 ? body : body[..end];
            if (!line.Trim("\r\t "u8).IsEmpty && Validate(line, lineNumber) is { } error)
            {
                return error;
            }

            body = end < 0 ? [] : body[(end + 1)..];
        }

        return null;
    }

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
