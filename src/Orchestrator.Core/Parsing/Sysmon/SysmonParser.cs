using System.Globalization;
using System.Net;
using System.Text.Json;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Parsing.Sysmon;

/// <summary>
/// Parses Windows event log records as JSON: Sysmon 1 (process create) and 3 (network connect)
/// into canonical fields, and any other Sysmon or Windows event as kind other with its fields as labels.
/// </summary>
/// <remarks>
/// Two shapes: flat (Winlogbeat raw, NXLog, OTRF Security-Datasets: <c>EventID</c>, <c>Channel</c>,
/// <c>Hostname</c> and the event data side by side) and ECS (Winlogbeat: <c>winlog.event_id</c>,
/// <c>winlog.channel</c>, <c>winlog.event_data.*</c>, <c>host.name</c>, <c>@timestamp</c>); an
/// <c>event_data</c> or <c>EventData</c> object is read like <c>winlog.event_data</c>. The event
/// data fields that have no canonical home are kept as labels under their Windows names, except
/// <c>Message</c>, the rendered text that repeats them (the original is kept anyway), and at most
/// <see cref="MaxLabels"/> of them. Times without a zone are taken as UTC; <c>UtcTime</c> is
/// preferred because OTRF's <c>TimeCreated</c> is the collector's local time.
/// </remarks>
public sealed class SysmonParser : IEventParser
{
    /// <summary>At most this many event data fields become labels; Windows events carry far fewer.</summary>
    public const int MaxLabels = 64;

    private const string SysmonChannel = "Microsoft-Windows-Sysmon/Operational";
    private const string SysmonProvider = "Microsoft-Windows-Sysmon";

    // Envelope keys of the flat shape, read into canonical fields or dropped rather than labelled.
    private static readonly HashSet<string> Envelope = new(StringComparer.Ordinal)
    {
        "EventID", "SourceName", "ProviderName", "Hostname", "Computer", "Message", "@timestamp",
    };

    private static readonly string[] TimeFields = ["UtcTime", "@timestamp", "TimeCreated", "EventTime"];

    public string Format => EventFormats.Sysmon;

    public ParseResult Parse(RawInput input)
    {
        if (!SecurityEventJson.TryParseObject(input.Text, out var document, out var error))
        {
            return ParseResult.Rejected(error);
        }

        using (document)
        {
            var result = default(ParseResult);
            return SecurityEventJson.TryWalk(() => result = Parse(document.RootElement, input), out error)
                ? result
                : ParseResult.Rejected(error);
        }
    }

    private ParseResult Parse(JsonElement root, RawInput input)
    {
        var winlog = Child(root, "winlog");
        var eventId = Text(root, "EventID") ?? Text(winlog, "event_id") ?? Text(Child(root, "event"), "code");
        if (eventId is null)
        {
            return ParseResult.Rejected("not a Windows event record: no EventID or winlog.event_id (use format json for other JSON)");
        }

        var channel = Text(root, "Channel") ?? Text(winlog, "channel");
        var provider = Text(root, "SourceName") ?? Text(root, "ProviderName") ?? Text(winlog, "provider_name");
        var evt = new SecurityEvent
        {
            Kind = EventKinds.Other,
            Format = Format,
            Original = input.Text,
            Ingested = input.ReceivedAt,
            EventKind = "event",
            EventCode = eventId,
            EventProvider = provider ?? channel,
            HostName = Text(root, "Hostname") ?? Text(root, "Computer") ?? Text(winlog, "computer_name") ?? Text(Child(root, "host"), "name"),
        };

        var dataElement = Child(winlog, "event_data") ?? Child(root, "event_data") ?? Child(root, "EventData");
        var data = ReadData(dataElement ?? root, flat: dataElement is null);
        if (dataElement is not null && channel is not null)
        {
            data.TryAdd("Channel", channel);
        }

        SetTimestamp(evt, data, root, input.ReceivedAt);
        var isSysmon = string.Equals(channel, SysmonChannel, StringComparison.OrdinalIgnoreCase)
                       || string.Equals(provider, SysmonProvider, StringComparison.OrdinalIgnoreCase);
        if (isSysmon)
        {
            MapSysmon(evt, data, eventId, HostIps(root));
        }

        var labels = 0;
        foreach (var (key, value) in data)
        {
            if (labels++ == MaxLabels)
            {
                break;
            }

            evt.SetLabel(key, value);
        }

        return ParseResult.Success(evt);
    }

    private static void MapSysmon(SecurityEvent evt, Dictionary<string, string> data, string eventId, List<IPAddress> hostIps)
    {
        // Fields named alike mean the same in every Sysmon event, so they are mapped for all IDs.
        if (Take(data, "Image") is { } image)
        {
            evt.ProcessExecutable = image;
            evt.ProcessName = FileName(image);
        }

        evt.ProcessCommandLine = Take(data, "CommandLine");
        evt.ProcessPid = TakeLong(data, "ProcessId");
        evt.ProcessEntityId = Take(data, "ProcessGuid");
        if (Take(data, "ParentImage") is { } parent)
        {
            evt.ProcessParentExecutable = parent;
            evt.ProcessParentName = FileName(parent);
        }

        evt.ProcessParentCommandLine = Take(data, "ParentCommandLine");
        evt.ProcessParentPid = TakeLong(data, "ParentProcessId");
        evt.ProcessParentEntityId = Take(data, "ParentProcessGuid");
        if (Take(data, "User") is { } user)
        {
            var slash = user.IndexOf('\\', StringComparison.Ordinal);
            evt.UserDomain = slash > 0 ? user[..slash] : null;
            evt.UserName = slash >= 0 ? user[(slash + 1)..] : user;
        }

        if (Take(data, "Hashes") is { } hashes)
        {
            SetHashes(evt, data, hashes);
        }

        if (Take(data, "TargetFilename") is { } target)
        {
            evt.FilePath = target;
            evt.FileName = FileName(target);
        }

        evt.RuleName = Take(data, "RuleName");
        switch (eventId)
        {
            case "1":
                evt.Kind = EventKinds.ProcessStarted;
                evt.EventCategory = "process";
                evt.EventType = "start";
                break;
            case "3":
                evt.Kind = EventKinds.NetworkConnection;
                evt.EventCategory = "network";
                evt.EventType = "connection";
                MapConnection(evt, data, hostIps);
                break;
        }
    }

    /// <summary>
    /// Sysmon 3 endpoints, normalised so that <c>source.*</c> is always the side that opened the
    /// connection and <c>destination.*</c> the side that accepted it, with <c>host.*</c> the logging
    /// machine. Sysmon's own Source/Destination do not say that: with <c>Initiated=true</c> the
    /// local host opened it and is the Source (egress); with <c>Initiated=false</c> a peer connected
    /// in, but real logs put the local end on either side (OTRF WORKSTATION6 logs
    /// 172.18.39.5:62782 → 172.18.39.6:445, EVTX-ATTACK IEWIN7 logs 10.0.2.18:445 → 10.0.2.19:33801).
    /// For inbound the local end is, in order: the end whose hostname is the event's host; the end
    /// whose IP is one of the host's IPs (<c>host.ip</c>); the end on a well-known port (&lt; 1024)
    /// when the other is not; the lower port; else the Destination. When the local end is the
    /// Source the two ends are swapped and the label <c>orchestrator.swapped_endpoints</c> says so.
    /// </summary>
    private static void MapConnection(SecurityEvent evt, Dictionary<string, string> data, List<IPAddress> hostIps)
    {
        evt.NetworkTransport = Take(data, "Protocol");
        var src = TakeEnd(data, "Source", evt);
        var dst = TakeEnd(data, "Destination", evt);
        var initiated = data.TryGetValue("Initiated", out var flag) ? ParseBool(flag) : null;

        var localIsSource = initiated switch
        {
            true => true,
            false => LocalIsSourceForInbound(evt.HostName, hostIps, src, dst),
            null => (bool?)null,
        };
        evt.NetworkDirection = initiated switch
        {
            true => "egress",
            false => "ingress",
            null => null,
        };

        var swap = initiated == false && localIsSource == true;
        var (initiator, acceptor) = swap ? (dst, src) : (src, dst);
        evt.SourceIp = initiator.Ip;
        evt.SourcePort = initiator.Port;
        evt.SourceName = initiator.Name;
        evt.DestinationIp = acceptor.Ip;
        evt.DestinationPort = acceptor.Port;
        evt.DestinationName = acceptor.Name;
        if (localIsSource is { } local)
        {
            evt.HostIp ??= local ? src.Ip : dst.Ip;
        }

        if (swap)
        {
            evt.SetLabel("orchestrator.swapped_endpoints", "true");
        }
    }

    private static bool LocalIsSourceForInbound(string? hostName, List<IPAddress> hostIps, Endpoint src, Endpoint dst)
    {
        var srcIsHost = SameHost(hostName, src.Name);
        var dstIsHost = SameHost(hostName, dst.Name);
        if (srcIsHost != dstIsHost)
        {
            return srcIsHost;
        }

        srcIsHost = src.Ip is not null && hostIps.Contains(src.Ip);
        dstIsHost = dst.Ip is not null && hostIps.Contains(dst.Ip);
        if (srcIsHost != dstIsHost)
        {
            return srcIsHost;
        }

        if (src.Port is { } sp && dst.Port is { } dp)
        {
            if (sp < 1024 != dp < 1024)
            {
                return sp < 1024;
            }

            if (sp != dp)
            {
                return sp < dp;
            }
        }

        return false;
    }

    private static bool SameHost(string? hostName, string? peerName)
    {
        if (string.IsNullOrEmpty(hostName) || string.IsNullOrEmpty(peerName))
        {
            return false;
        }

        static ReadOnlySpan<char> FirstLabel(string name)
        {
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            return dot < 0 ? name : name.AsSpan(0, dot);
        }

        return FirstLabel(hostName).Equals(FirstLabel(peerName), StringComparison.OrdinalIgnoreCase);
    }

    private static Endpoint TakeEnd(Dictionary<string, string> data, string side, SecurityEvent evt)
    {
        IPAddress? ip = null;
        if (Take(data, side + "Ip") is { } ipText)
        {
            if (IPAddress.TryParse(ipText, out var parsed))
            {
                ip = parsed;
            }
            else
            {
                evt.SetLabel(SecurityEventJson.InvalidLabelPrefix + side + "Ip", ipText);
            }
        }

        int? port = null;
        if (Take(data, side + "Port") is { } portText)
        {
            if (int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p <= 65535)
            {
                port = p;
            }
            else
            {
                evt.SetLabel(SecurityEventJson.InvalidLabelPrefix + side + "Port", portText);
            }
        }

        return new Endpoint(ip, port, Take(data, side + "Hostname"));
    }

    private static void SetHashes(SecurityEvent evt, Dictionary<string, string> data, string hashes)
    {
        // Sysmon writes "SHA1=...,MD5=...,SHA256=...,IMPHASH=..." with the algorithms its config asks for.
        foreach (var part in hashes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                continue;
            }

            var value = part[(eq + 1)..];
            switch (part[..eq].ToUpperInvariant())
            {
                case "MD5":
                    evt.ProcessHashMd5 = value;
                    break;
                case "SHA1":
                    evt.ProcessHashSha1 = value;
                    break;
                case "SHA256":
                    evt.ProcessHashSha256 = value;
                    break;
                default:
                    data[part[..eq].ToUpperInvariant()] = value;
                    break;
            }
        }
    }

    private static void SetTimestamp(SecurityEvent evt, Dictionary<string, string> data, JsonElement root, DateTimeOffset receivedAt)
    {
        evt.Timestamp = receivedAt;
        foreach (var candidate in TimeFields)
        {
            var text = candidate == "@timestamp" ? Text(root, candidate) : (data.GetValueOrDefault(candidate) ?? Text(root, candidate));
            if (text is null)
            {
                continue;
            }

            if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            {
                evt.Timestamp = time;
                data.Remove(candidate);
                return;
            }
        }
    }

    private static Dictionary<string, string> ReadData(JsonElement obj, bool flat)
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in obj.EnumerateObject())
        {
            if (property.Name == "Message" || (flat && Envelope.Contains(property.Name)))
            {
                continue;
            }

            if (SecurityEventJson.ScalarText(property.Value) is { } text)
            {
                data[property.Name] = text;
            }
        }

        return data;
    }

    private static List<IPAddress> HostIps(JsonElement root)
    {
        var ips = new List<IPAddress>();
        if (Child(root, "host") is { } host && host.TryGetProperty("ip", out var ip))
        {
            var items = ip.ValueKind == JsonValueKind.Array ? ip.EnumerateArray().ToArray() : [ip];
            foreach (var item in items)
            {
                if (item.ValueKind == JsonValueKind.String && IPAddress.TryParse(item.GetString(), out var parsed))
                {
                    ips.Add(parsed);
                }
            }
        }

        return ips;
    }

    // Sysmon writes "-" for an empty field.
    private static string? Take(Dictionary<string, string> data, string key)
    {
        if (!data.Remove(key, out var value))
        {
            return null;
        }

        return value.Length == 0 || value == "-" ? null : value;
    }

    private static long? TakeLong(Dictionary<string, string> data, string key)
    {
        if (Take(data, key) is not { } text)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return n;
        }

        data[SecurityEventJson.InvalidLabelPrefix + key] = text;
        return null;
    }

    private static bool? ParseBool(string text) => text.Trim().ToUpperInvariant() switch
    {
        "TRUE" or "1" => true,
        "FALSE" or "0" => false,
        _ => null,
    };

    private static string FileName(string path)
    {
        var cut = path.LastIndexOfAny(['\\', '/']);
        return cut < 0 ? path : path[(cut + 1)..];
    }

    private static JsonElement? Child(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var child) && child.ValueKind == JsonValueKind.Object
            ? child
            : null;

    private static string? Text(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var value)
            ? SecurityEventJson.ScalarText(value)
            : null;

    private readonly record struct Endpoint(IPAddress? Ip, int? Port, string? Name);
}
