using System.Globalization;
using System.Net;

namespace Orchestrator.Core.Events;

/// <summary>The value type of a canonical field, which decides how it is parsed and printed.</summary>
public enum EcsFieldType
{
    Text,
    Number,
    Ip,
    Mac,
    Timestamp,
}

/// <summary>One canonical field: its ECS path, its type, and how to read and write it on an event.</summary>
public sealed class EcsField
{
    private readonly Func<SecurityEvent, object?> _get;
    private readonly Func<SecurityEvent, string, bool> _trySet;
    private readonly Action<SecurityEvent, IPAddress>? _setIp;
    private readonly Action<SecurityEvent, DateTimeOffset>? _setTime;

    internal EcsField(
        string path,
        EcsFieldType type,
        Func<SecurityEvent, object?> get,
        Func<SecurityEvent, string, bool> trySet,
        Action<SecurityEvent, IPAddress>? setIp = null,
        Action<SecurityEvent, DateTimeOffset>? setTime = null)
    {
        Path = path;
        Type = type;
        _get = get;
        _trySet = trySet;
        _setIp = setIp;
        _setTime = setTime;
    }

    /// <summary>The dotted ECS path, e.g. <c>source.ip</c>.</summary>
    public string Path { get; }

    public EcsFieldType Type { get; }

    /// <summary>The typed value (string, long, int, IPAddress, MacAddress, DateTimeOffset) or null.</summary>
    public object? Get(SecurityEvent evt) => _get(evt);

    // Typed readers for the condition language's hot path: set for the field's own type only,
    // they read without boxing what Get would box.
    internal Func<SecurityEvent, string?>? TextGetter { get; init; }

    internal Func<SecurityEvent, long?>? NumberGetter { get; init; }

    internal Func<SecurityEvent, IPAddress?>? IpGetter { get; init; }

    internal Func<SecurityEvent, MacAddress?>? MacGetter { get; init; }

    internal Func<SecurityEvent, DateTimeOffset>? TimeGetter { get; init; }

    /// <summary>Parses <paramref name="text"/> for this field's type and sets it; false when it does not parse.</summary>
    public bool TrySet(SecurityEvent evt, string text) => _trySet(evt, text);

    /// <summary>Sets an address parsed elsewhere (from bytes, without a string); false when this is not an IP field.</summary>
    internal bool TrySet(SecurityEvent evt, IPAddress ip)
    {
        _setIp?.Invoke(evt, ip);
        return _setIp is not null;
    }

    /// <summary>Sets a UTC time parsed elsewhere; false when this is not a timestamp field.</summary>
    internal bool TrySet(SecurityEvent evt, DateTimeOffset utcTime)
    {
        _setTime?.Invoke(evt, utcTime);
        return _setTime is not null;
    }
}

/// <summary>
/// The registry of canonical fields by ECS path: the one place that maps <c>source.ip</c> to
/// <see cref="SecurityEvent.SourceIp"/>. JSON reading and writing, store columns, query filters
/// and playbook conditions all go through it.
/// </summary>
public static class EcsFields
{
    private static readonly EcsField[] Fields =
    [
        Time("@timestamp", e => e.Timestamp, (e, v) => e.Timestamp = v),
        Text("orchestrator.kind", e => e.Kind, (e, v) => e.Kind = v),
        Text("orchestrator.format", e => e.Format, (e, v) => e.Format = v),
        Text("event.kind", e => e.EventKind, (e, v) => e.EventKind = v),
        Text("event.category", e => e.EventCategory, (e, v) => e.EventCategory = v),
        Text("event.type", e => e.EventType, (e, v) => e.EventType = v),
        Text("event.action", e => e.EventAction, (e, v) => e.EventAction = v),
        Text("event.provider", e => e.EventProvider, (e, v) => e.EventProvider = v),
        Text("event.code", e => e.EventCode, (e, v) => e.EventCode = v),
        Int("event.severity", e => e.EventSeverity, (e, v) => e.EventSeverity = (int)v, int.MinValue, int.MaxValue),
        Text("event.outcome", e => e.EventOutcome, (e, v) => e.EventOutcome = v),
        Time("event.ingested", e => e.Ingested, (e, v) => e.Ingested = v),
        Text("event.original", e => e.Original, (e, v) => e.Original = v),
        Text("observer.name", e => e.ObserverName, (e, v) => e.ObserverName = v),
        Text("host.name", e => e.HostName, (e, v) => e.HostName = v),
        Ip("host.ip", e => e.HostIp, (e, v) => e.HostIp = v),
        Mac("host.mac", e => e.HostMac, (e, v) => e.HostMac = v),
        Ip("source.ip", e => e.SourceIp, (e, v) => e.SourceIp = v),
        Int("source.port", e => e.SourcePort, (e, v) => e.SourcePort = (int)v, 0, 65535),
        Text("source.name", e => e.SourceName, (e, v) => e.SourceName = v),
        Text("source.user.name", e => e.SourceUser, (e, v) => e.SourceUser = v),
        Mac("source.mac", e => e.SourceMac, (e, v) => e.SourceMac = v),
        Ip("destination.ip", e => e.DestinationIp, (e, v) => e.DestinationIp = v),
        Int("destination.port", e => e.DestinationPort, (e, v) => e.DestinationPort = (int)v, 0, 65535),
        Text("destination.name", e => e.DestinationName, (e, v) => e.DestinationName = v),
        Text("destination.user.name", e => e.DestinationUser, (e, v) => e.DestinationUser = v),
        Mac("destination.mac", e => e.DestinationMac, (e, v) => e.DestinationMac = v),
        Text("process.executable", e => e.ProcessExecutable, (e, v) => e.ProcessExecutable = v),
        Text("process.name", e => e.ProcessName, (e, v) => e.ProcessName = v),
        Int("process.pid", e => e.ProcessPid, (e, v) => e.ProcessPid = v, 0, long.MaxValue),
        Text("process.command_line", e => e.ProcessCommandLine, (e, v) => e.ProcessCommandLine = v),
        Text("process.entity_id", e => e.ProcessEntityId, (e, v) => e.ProcessEntityId = v),
        Text("process.hash.md5", e => e.ProcessHashMd5, (e, v) => e.ProcessHashMd5 = v),
        Text("process.hash.sha1", e => e.ProcessHashSha1, (e, v) => e.ProcessHashSha1 = v),
        Text("process.hash.sha256", e => e.ProcessHashSha256, (e, v) => e.ProcessHashSha256 = v),
        Text("process.code_signature.subject_name", e => e.ProcessSigner, (e, v) => e.ProcessSigner = v),
        Text("process.parent.executable", e => e.ProcessParentExecutable, (e, v) => e.ProcessParentExecutable = v),
        Text("process.parent.name", e => e.ProcessParentName, (e, v) => e.ProcessParentName = v),
        Int("process.parent.pid", e => e.ProcessParentPid, (e, v) => e.ProcessParentPid = v, 0, long.MaxValue),
        Text("process.parent.command_line", e => e.ProcessParentCommandLine, (e, v) => e.ProcessParentCommandLine = v),
        Text("process.parent.entity_id", e => e.ProcessParentEntityId, (e, v) => e.ProcessParentEntityId = v),
        Text("user.name", e => e.UserName, (e, v) => e.UserName = v),
        Text("user.domain", e => e.UserDomain, (e, v) => e.UserDomain = v),
        Text("file.path", e => e.FilePath, (e, v) => e.FilePath = v),
        Text("file.name", e => e.FileName, (e, v) => e.FileName = v),
        Text("file.hash.md5", e => e.FileHashMd5, (e, v) => e.FileHashMd5 = v),
        Text("file.hash.sha1", e => e.FileHashSha1, (e, v) => e.FileHashSha1 = v),
        Text("file.hash.sha256", e => e.FileHashSha256, (e, v) => e.FileHashSha256 = v),
        Text("rule.name", e => e.RuleName, (e, v) => e.RuleName = v),
        Text("network.transport", e => e.NetworkTransport, (e, v) => e.NetworkTransport = v),
        Text("network.direction", e => e.NetworkDirection, (e, v) => e.NetworkDirection = v),
        Text("network.protocol", e => e.NetworkProtocol, (e, v) => e.NetworkProtocol = v),
        Text("url.original", e => e.UrlOriginal, (e, v) => e.UrlOriginal = v),
    ];

    private static readonly Dictionary<string, EcsField> ByPath =
        Fields.ToDictionary(f => f.Path, StringComparer.Ordinal);

    private static readonly Dictionary<string, EcsField>.AlternateLookup<ReadOnlySpan<char>> ByPathSpan =
        ByPath.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Every canonical field, in the order they are printed.</summary>
    public static IReadOnlyList<EcsField> All => Fields;

    /// <summary>Finds a field by its dotted ECS path.</summary>
    public static bool TryGet(string path, out EcsField field) => ByPath.TryGetValue(path, out field!);

    /// <summary>Finds a field by its dotted ECS path without making a string of it.</summary>
    public static bool TryGet(ReadOnlySpan<char> path, out EcsField field) => ByPathSpan.TryGetValue(path, out field!);

    private static EcsField Text(string path, Func<SecurityEvent, string?> get, Action<SecurityEvent, string> set) =>
        new(path, EcsFieldType.Text, get, (e, v) =>
        {
            set(e, v);
            return true;
        })
        { TextGetter = get };

    private static EcsField Int(string path, Func<SecurityEvent, long?> get, Action<SecurityEvent, long> set, long min, long max) =>
        new(path, EcsFieldType.Number, e => get(e), (e, v) =>
        {
            if (!long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            {
                return false;
            }

            set(e, n);
            return true;
        })
        { NumberGetter = get };

    private static EcsField Ip(string path, Func<SecurityEvent, IPAddress?> get, Action<SecurityEvent, IPAddress> set) =>
        new(path, EcsFieldType.Ip, get, (e, v) =>
        {
            if (!IPAddress.TryParse(v, out var ip))
            {
                return false;
            }

            set(e, ip);
            return true;
        }, setIp: set)
        { IpGetter = get };

    private static EcsField Mac(string path, Func<SecurityEvent, MacAddress?> get, Action<SecurityEvent, MacAddress> set) =>
        new(path, EcsFieldType.Mac, e => get(e), (e, v) =>
        {
            if (!MacAddress.TryParse(v, out var mac))
            {
                return false;
            }

            set(e, mac);
            return true;
        })
        { MacGetter = get };

    private static EcsField Time(string path, Func<SecurityEvent, DateTimeOffset> get, Action<SecurityEvent, DateTimeOffset> set) =>
        new(path, EcsFieldType.Timestamp, e => get(e), (e, v) =>
        {
            if (!DateTimeOffset.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
            {
                return false;
            }

            set(e, t);
            return true;
        }, setTime: set)
        { TimeGetter = get };
}
