using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Orchestrator.Configuration;
using Orchestrator.Core.Events;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;
using Orchestrator.Ingestion;

namespace Orchestrator.Api;

/// <summary>The HTTP API: event ingestion and queries, webhooks, dead letters, health and metrics.</summary>
public static class ApiEndpoints
{
    public const string HttpListener = "http";

    public static void MapOrchestratorApi(this IEndpointRouteBuilder app, AppSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var webhooks = settings.Config.Http.Webhooks.ToDictionary(
            w => w.Name,
            w => (Config: w, Secret: w.Secret is null ? null : Encoding.UTF8.GetBytes(ConfigLoader.ResolveSecret($"http.webhooks[{w.Name}].secret", w.Secret))),
            StringComparer.Ordinal);

        app.MapPost("/api/v1/events", async (HttpContext context, ApiKeyAuth auth, BodyIngestion ingestion, ApiMetrics apiMetrics, string? format) =>
        {
            if (auth.Check(context, ApiKeyRoles.Ingest) is { } denied)
            {
                return denied;
            }

            if (format is not null && !EventFormats.IsKnown(format))
            {
                return Results.BadRequest(new ApiError($"format: unknown format '{format}' (known: {string.Join(", ", EventFormats.All)})"));
            }

            using var body = await ReadBodyAsync(context, apiMetrics).ConfigureAwait(false);
            if (body is null)
            {
                return TooLarge(settings);
            }

            var kind = format is not null ? BodyKind.Lines : IsNdjson(context.Request.ContentType) ? BodyKind.Ndjson : BodyKind.JsonDocument;
            return await ingestion.IngestAsync(body.Bytes, kind, format ?? EventFormats.Auto, HttpListener, context.RequestAborted).ConfigureAwait(false);
        });

        app.MapPost("/api/v1/webhooks/{name}", async (HttpContext context, string name, ApiKeyAuth auth, BodyIngestion ingestion, ApiMetrics apiMetrics) =>
        {
            if (!webhooks.TryGetValue(name, out var hook))
            {
                return Results.NotFound(new ApiError($"no webhook source named '{name}' is configured (http.webhooks)"));
            }

            if (hook.Secret is null && auth.Check(context, ApiKeyRoles.Ingest) is { } denied)
            {
                return denied;
            }

            using var body = await ReadBodyAsync(context, apiMetrics).ConfigureAwait(false);
            if (body is null)
            {
                return TooLarge(settings);
            }

            if (hook.Secret is not null && !WebhookSignature.IsValid(body.Bytes.Span, hook.Secret, context.Request.Headers[hook.Config.SignatureHeader].FirstOrDefault()))
            {
                apiMetrics.Unauthorized();
                return Results.Json(new ApiError($"missing or wrong HMAC-SHA256 signature in header {hook.Config.SignatureHeader}"), statusCode: StatusCodes.Status401Unauthorized);
            }

            var kind = hook.Config.Format == EventFormats.Json
                ? IsNdjson(context.Request.ContentType) ? BodyKind.Ndjson : BodyKind.JsonDocument
                : BodyKind.Lines;
            return await ingestion.IngestAsync(body.Bytes, kind, hook.Config.Format, $"webhook:{name}", context.RequestAborted).ConfigureAwait(false);
        });

        app.MapGet("/api/v1/events", async (HttpContext context, ApiKeyAuth auth, IEventStore store, TimeProvider time) =>
        {
            if (auth.Check(context, ApiKeyRoles.Admin) is { } denied)
            {
                return denied;
            }

            var q = context.Request.Query;
            if (!EventQueryArguments.TryCreate(q["kind"], q["host"], q["source_ip"], q["from"], q["to"], q["limit"], time.GetUtcNow(), out var query, out var error))
            {
                return Results.BadRequest(new ApiError(error));
            }

            var events = await store.QueryAsync(query, context.RequestAborted).ConfigureAwait(false);
            return Results.Text(WriteEvents(events), "application/json", Encoding.UTF8);
        });

        app.MapGet("/api/v1/events/{id:long}", async (HttpContext context, long id, ApiKeyAuth auth, IEventStore store) =>
        {
            if (auth.Check(context, ApiKeyRoles.Admin) is { } denied)
            {
                return denied;
            }

            var evt = await store.GetAsync(id, context.RequestAborted).ConfigureAwait(false);
            return evt is null
                ? Results.NotFound(new ApiError($"no event with id {id}"))
                : Results.Text(SecurityEventJson.Serialize(evt), "application/json", Encoding.UTF8);
        });

        app.MapGet("/api/v1/dead-letters", async (HttpContext context, ApiKeyAuth auth, IEventStore store, int? limit) =>
        {
            if (auth.Check(context, ApiKeyRoles.Admin) is { } denied)
            {
                return denied;
            }

            var letters = await store.QueryDeadLettersAsync(Math.Clamp(limit ?? 100, 1, 10_000), context.RequestAborted).ConfigureAwait(false);
            return Results.Json(new { count = letters.Count, dead_letters = letters.Select(DeadLetterView.From) });
        });

        app.MapGet("/healthz", (PipelineWriterService writer) => writer.IsRunning
            ? Results.Json(new { status = "ok" })
            : Results.Json(new { status = "unhealthy", reason = "the event writer is not running" }, statusCode: StatusCodes.Status503ServiceUnavailable));

        app.MapGet("/metrics", (HttpContext context, ApiKeyAuth auth, PrometheusMetrics metrics) =>
        {
            if (settings.Config.Http.MetricsRequireKey && auth.Check(context, ApiKeyRoles.Admin) is { } denied)
            {
                return denied;
            }

            return Results.Text(metrics.Render(), "text/plain; version=0.0.4", Encoding.UTF8);
        });
    }

    private static IResult TooLarge(AppSettings settings) =>
        Results.Json(new ApiError($"the body is larger than http.max_body ({settings.Config.Http.MaxBody}); send smaller batches"), statusCode: StatusCodes.Status413PayloadTooLarge);

    private static bool IsNdjson(string? contentType) =>
        contentType is not null && (contentType.Contains("ndjson", StringComparison.OrdinalIgnoreCase)
                                    || contentType.Contains("jsonl", StringComparison.OrdinalIgnoreCase)
                                    || contentType.Contains("json-seq", StringComparison.OrdinalIgnoreCase));

    /// <summary>The whole body, or null when it is over the limit (Kestrel enforces http.max_body).</summary>
    private static async Task<PooledBody?> ReadBodyAsync(HttpContext context, ApiMetrics apiMetrics)
    {
        var reader = context.Request.BodyReader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
                if (result.IsCompleted)
                {
                    var body = PooledBody.CopyOf(result.Buffer);
                    reader.AdvanceTo(result.Buffer.End);
                    return body;
                }

                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            apiMetrics.BodyTooLarge();
            return null;
        }
    }

    private static string WriteEvents(IReadOnlyList<SecurityEvent> events)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, SecurityEventJson.ReadableOutput))
        {
            writer.WriteStartObject();
            writer.WriteNumber("count", events.Count);
            writer.WriteStartArray("events");
            foreach (var evt in events)
            {
                SecurityEventJson.Write(writer, evt);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}

/// <summary>
/// A request body copied into one pooled buffer: batches are around a megabyte, and a new array
/// of that size per request is a large-object allocation that forces full garbage collections.
/// </summary>
internal sealed class PooledBody : IDisposable
{
    private byte[]? _buffer;
    private readonly int _length;

    private PooledBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
    }

    public ReadOnlyMemory<byte> Bytes => _buffer is null ? throw new ObjectDisposedException(nameof(PooledBody)) : _buffer.AsMemory(0, _length);

    public static PooledBody CopyOf(in ReadOnlySequence<byte> bytes)
    {
        var length = checked((int)bytes.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        bytes.CopyTo(buffer);
        return new PooledBody(buffer, length);
    }

    public void Dispose()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>A dead letter as the API shows it: the raw bytes in base64 and, for reading, as text.</summary>
public sealed record DeadLetterView(long Id, DateTimeOffset ReceivedAt, string Listener, string? Format, string Reason, string RawBase64, string RawText)
{
    public static DeadLetterView From(DeadLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        return new DeadLetterView(letter.Id, letter.ReceivedAt, letter.Listener, letter.Format, letter.Reason, Convert.ToBase64String(letter.Raw), Encoding.UTF8.GetString(letter.Raw));
    }
}
