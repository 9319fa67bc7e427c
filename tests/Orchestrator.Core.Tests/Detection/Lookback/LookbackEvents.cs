using System.Net;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Tests.Detection.Lookback;

/// <summary>Connections and detections for the lookback and tracer tests.</summary>
internal static class LookbackEvents
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static long s_nextId = 1_000;

    /// <summary>A connection opened by <paramref name="source"/> into <paramref name="destination"/>:<paramref name="port"/>, <paramref name="seconds"/> after <see cref="Start"/>.</summary>
    public static SecurityEvent Connection(string source, string destination, int? port, double seconds, string? sourceName = null, long? id = null) => new()
    {
        Id = id ?? Interlocked.Increment(ref s_nextId),
        Kind = EventKinds.NetworkConnection,
        Timestamp = Start.AddSeconds(seconds),
        SourceIp = IPAddress.Parse(source),
        SourceName = sourceName,
        DestinationIp = IPAddress.Parse(destination),
        DestinationPort = port,
    };

    public static SecurityEvent Detected(long id, double seconds, string? hostIp, string? hostName = null, string? sourceIp = null, string? sourceName = null) => new()
    {
        Id = id,
        Kind = EventKinds.InfectionDetected,
        Format = "sep",
        Timestamp = Start.AddSeconds(seconds),
        HostIp = hostIp is null ? null : IPAddress.Parse(hostIp),
        HostName = hostName,
        SourceIp = sourceIp is null ? null : IPAddress.Parse(sourceIp),
        SourceName = sourceName,
        RuleName = "W32.Downadup",
        FileName = "a.exe",
    };

    public static SecurityEvent Host(string name, string ip) => new()
    {
        Kind = EventKinds.Other,
        Timestamp = Start,
        HostName = name,
        HostIp = IPAddress.Parse(ip),
    };
}
