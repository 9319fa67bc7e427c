namespace Orchestrator.Api;

/// <summary>Counters of requests the API refused before ingestion (bad JSON, too large, unauthorised).</summary>
public sealed class ApiMetrics
{
    private long _invalidJson;
    private long _tooLarge;
    private long _unauthorized;

    public long InvalidJson => Interlocked.Read(ref _invalidJson);

    public long TooLarge => Interlocked.Read(ref _tooLarge);

    public long UnauthorizedCount => Interlocked.Read(ref _unauthorized);

    public void InvalidJsonBody() => Interlocked.Increment(ref _invalidJson);

    public void BodyTooLarge() => Interlocked.Increment(ref _tooLarge);

    public void Unauthorized() => Interlocked.Increment(ref _unauthorized);
}
