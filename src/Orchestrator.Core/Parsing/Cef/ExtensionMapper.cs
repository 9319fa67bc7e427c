using System.Globalization;
using System.Net;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Parsing.Cef;

/// <summary>
/// Maps CEF extension keys and LEEF attribute keys onto one event. Both formats go through
/// this one switch, so a key the two share (src, dst, cat, proto) is read the same way.
/// One instance per parsed line; not thread-safe.
/// </summary>
internal sealed class ExtensionMapper
{
    // Words in a category, name or event id that mark a detection rather than plain traffic.
    private static readonly string[] DetectionWords = ["malware", "virus", "trojan", "worm", "ransom", "infect", "threat"];

    private readonly SecurityEvent _evt;
    private string? _receiptTime;
    private string? _startTime;
    private string? _endTime;
    private string? _devTime;
    private string? _devTimeFormat;
    private string? _category;
    private bool _processFromDestination;

    public ExtensionMapper(SecurityEvent evt) => _evt = evt;

    /// <summary>
    /// Applies every pair. A key <c>K</c> with a sibling <c>KLabel</c> (cs1/cs1Label, cn2/cn2Label,
    /// flexString1/flexString1Label...) becomes the label named by the sibling's value.
    /// </summary>
    public void ApplyAll(List<KeyValuePair<string, string>> pairs)
    {
        Dictionary<string, string>? customNames = null;
        foreach (var (key, value) in pairs)
        {
            if (key.Length > 5 && key.EndsWith("Label", StringComparison.Ordinal) && value.Length > 0)
            {
                (customNames ??= new Dictionary<string, string>(StringComparer.Ordinal))[key[..^5]] = value;
            }
        }

        foreach (var (key, value) in pairs)
        {
            if (customNames is not null)
            {
                if (customNames.TryGetValue(key, out var name))
                {
                    if (value.Length > 0)
                    {
                        _evt.SetLabel(name, value);
                    }

                    continue;
                }

                if (key.EndsWith("Label", StringComparison.Ordinal) && customNames.ContainsKey(key[..^5]))
                {
                    continue;
                }
            }

            Apply(key, value);
        }
    }

    private void Apply(string key, string value)
    {
        if (value.Length == 0)
        {
            return;
        }

        switch (key)
        {
            case "src" or "sourceAddress" or "c6a2" or "sourceIPv6Address":
                if (_evt.SourceIp is null && IPAddress.TryParse(value, out var srcIp))
                {
                    _evt.SourceIp = srcIp;
                }
                else
                {
                    _evt.SetLabel(key, value);
                }

                break;
            case "dst" or "destinationAddress" or "c6a3" or "destinationIPv6Address":
                if (_evt.DestinationIp is null && IPAddress.TryParse(value, out var dstIp))
                {
                    _evt.DestinationIp = dstIp;
                }
                else
                {
                    _evt.SetLabel(key, value);
                }

                break;
            case "spt" or "sourcePort" or "srcPort":
                SetPort(key, value, p => _evt.SourcePort = p);
                break;
            case "dpt" or "destinationPort" or "dstPort":
                SetPort(key, value, p => _evt.DestinationPort = p);
                break;
            case "shost" or "sourceHostName":
                _evt.SourceName = value;
                break;
            case "dhost" or "destinationHostName":
                _evt.DestinationName = value;
                break;
            case "suser" or "sourceUserName":
                _evt.SourceUser = value;
                break;
            case "duser" or "destinationUserName":
                _evt.DestinationUser = value;
                break;
            case "usrName" or "identUserName":
                _evt.UserName ??= value;
                break;
            case "smac" or "sourceMacAddress" or "srcMAC":
                SetMac(key, value, m => _evt.SourceMac = m);
                break;
            case "dmac" or "destinationMacAddress" or "dstMAC":
                SetMac(key, value, m => _evt.DestinationMac = m);
                break;
            case "identHostName":
                _evt.HostName = value;
                break;
            case "identSrc":
                if (IPAddress.TryParse(value, out var hostIp))
                {
                    _evt.HostIp = hostIp;
                }
                else
                {
                    _evt.SetLabel(key, value);
                }

                break;
            case "identMAC":
                SetMac(key, value, m => _evt.HostMac = m);
                break;
            case "proto" or "transportProtocol":
                _evt.NetworkTransport = Transport(value);
                break;
            case "app" or "applicationProtocol":
                _evt.NetworkProtocol = value.ToLowerInvariant();
                break;
            case "act" or "deviceAction" or "action":
                _evt.EventAction = value;
                break;
            case "outcome" or "eventOutcome":
                _evt.SetLabel(key, value);
                if (value.Equals("success", StringComparison.OrdinalIgnoreCase) || value.Equals("failure", StringComparison.OrdinalIgnoreCase))
                {
                    _evt.EventOutcome = value.ToLowerInvariant();
                }

                break;
            case "cat" or "deviceEventCategory":
                _category = value;
                _evt.SetLabel(key, value);
                break;
            case "rt" or "receiptTime":
                _receiptTime = value;
                break;
            case "start" or "startTime":
                _startTime = value;
                _evt.SetLabel(key, value);
                break;
            case "end" or "endTime":
                _endTime = value;
                _evt.SetLabel(key, value);
                break;
            case "devTime":
                _devTime = value;
                break;
            case "devTimeFormat":
                _devTimeFormat = value;
                break;
            case "sev":
                if (TryParseSeverity(value, out var sev))
                {
                    _evt.EventSeverity = sev;
                }
                else
                {
                    _evt.SetLabel(key, value);
                }

                break;
            case "fname" or "fileName":
                _evt.FileName = value;
                break;
            case "filePath":
                _evt.FilePath = value;
                _evt.FileName ??= FileNameOf(value);
                break;
            case "fileHash":
                if (!SetHash(value, md5 => _evt.FileHashMd5 = md5, sha1 => _evt.FileHashSha1 = sha1, sha256 => _evt.FileHashSha256 = sha256))
                {
                    _evt.SetLabel(key, value);
                }

                break;
            case "dproc" or "destinationProcessName":
                SetProcess(value);
                _processFromDestination = true;
                break;
            case "sproc" or "sourceProcessName":
                _evt.SetLabel(key, value);
                if (!_processFromDestination)
                {
                    SetProcess(value);
                }

                break;
            case "dpid" or "destinationProcessId":
                SetPid(key, value);
                break;
            case "deviceDirection":
                _evt.NetworkDirection = value switch
                {
                    "0" => "ingress",
                    "1" => "egress",
                    _ => _evt.NetworkDirection,
                };
                if (_evt.NetworkDirection is null)
                {
                    _evt.SetLabel(key, value);
                }

                break;
            case "request" or "requestURL" or "url":
                _evt.UrlOriginal = value;
                break;
            case "dvchost" or "deviceHostName":
                _evt.ObserverName = value;
                break;
            default:
                _evt.SetLabel(key, value);
                break;
        }
    }

    /// <summary>
    /// Sets the event time from the line's own fields: LEEF <c>devTime</c>, else CEF <c>rt</c>
    /// (the device's time for the event, the one nearly every sender fills), then <c>start</c>,
    /// then <c>end</c>. Returns false when none parses.
    /// </summary>
    public bool TrySetTimestamp(DateTimeOffset receivedAt) =>
        TryTime("devTime", _devTime, _devTimeFormat, receivedAt)
        || TryTime("rt", _receiptTime, null, receivedAt)
        || TryTime("start", _startTime, null, receivedAt)
        || TryTime("end", _endTime, null, receivedAt);

    private bool TryTime(string key, string? text, string? javaFormat, DateTimeOffset receivedAt)
    {
        if (text is null)
        {
            return false;
        }

        if (VendorTime.TryParse(text, javaFormat, receivedAt, out var time))
        {
            _evt.Timestamp = time;
            return true;
        }

        // start and end are labelled as they come; a devTime or rt that does not parse must not vanish.
        if (key is "devTime" or "rt")
        {
            _evt.SetLabel(key, text);
        }

        return false;
    }

    /// <summary>
    /// The kind rule for CEF and LEEF. A category, name or event id with a detection word
    /// (malware, virus, trojan, worm, ransom, infect, threat) is a detection (infection.detected,
    /// with its source when one is named; the tracer derives infection.traced). Otherwise an event with both a source and a destination address is a
    /// network connection, and anything else is <c>other</c>.
    /// </summary>
    public void Classify(string? name)
    {
        if (IsDetection(_category) || IsDetection(name))
        {
            _evt.Kind = EventKinds.InfectionDetected;
            _evt.EventKind = "alert";
            _evt.EventCategory = "malware";
            _evt.EventType = "info";
        }
        else if (_evt.SourceIp is not null && _evt.DestinationIp is not null)
        {
            _evt.Kind = EventKinds.NetworkConnection;
            _evt.EventKind = "event";
            _evt.EventCategory = "network";
            _evt.EventType = "connection";
        }
        else
        {
            _evt.Kind = EventKinds.Other;
            _evt.EventKind = "event";
        }
    }

    private static bool IsDetection(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        foreach (var word in DetectionWords)
        {
            if (text.Contains(word, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Severity 0–10, or the text forms seen in the wild (Kaspersky, ArcSight): Low, Medium, High, Very-High.</summary>
    public static bool TryParseSeverity(ReadOnlySpan<char> text, out int severity)
    {
        text = text.Trim();
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out severity))
        {
            return severity <= 10;
        }

        severity = 0;
        if (text.Equals("Low", StringComparison.OrdinalIgnoreCase))
        {
            severity = 3;
        }
        else if (text.Equals("Medium", StringComparison.OrdinalIgnoreCase))
        {
            severity = 5;
        }
        else if (text.Equals("High", StringComparison.OrdinalIgnoreCase))
        {
            severity = 8;
        }
        else if (text.Equals("Very-High", StringComparison.OrdinalIgnoreCase) || text.Equals("Very High", StringComparison.OrdinalIgnoreCase))
        {
            severity = 10;
        }

        return severity != 0;
    }

    /// <summary>"vendor product", or the product alone when it already starts with the vendor name.</summary>
    public static string Provider(string vendor, string product)
    {
        if (vendor.Length == 0)
        {
            return product;
        }

        if (product.Length == 0 || product.StartsWith(vendor, StringComparison.OrdinalIgnoreCase))
        {
            return product.Length == 0 ? vendor : product;
        }

        return vendor + " " + product;
    }

    /// <summary>IANA protocol numbers for the common transports, else the text lowercased.</summary>
    public static string Transport(string value) => value switch
    {
        "6" => "tcp",
        "17" => "udp",
        "1" => "icmp",
        "58" => "ipv6-icmp",
        _ => value.ToLowerInvariant(),
    };

    /// <summary>Sets an MD5, SHA-1 or SHA-256 by the length of the hex string; false when it is none of them.</summary>
    public static bool SetHash(string value, Action<string> md5, Action<string> sha1, Action<string> sha256)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        switch (value.Length)
        {
            case 32:
                md5(value.ToLowerInvariant());
                return true;
            case 40:
                sha1(value.ToLowerInvariant());
                return true;
            case 64:
                sha256(value.ToLowerInvariant());
                return true;
            default:
                return false;
        }
    }

    /// <summary>The last segment of a Windows or POSIX path.</summary>
    public static string FileNameOf(string path)
    {
        var cut = path.AsSpan().LastIndexOfAny('\\', '/');
        return cut < 0 ? path : path[(cut + 1)..];
    }

    private void SetProcess(string value)
    {
        if (value.AsSpan().IndexOfAny('\\', '/') >= 0)
        {
            _evt.ProcessExecutable = value;
            _evt.ProcessName = FileNameOf(value);
        }
        else
        {
            _evt.ProcessName = value;
        }
    }

    private void SetPid(string key, string value)
    {
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            _evt.ProcessPid = pid;
        }
        else
        {
            _evt.SetLabel(key, value);
        }
    }

    private void SetPort(string key, string value, Action<int> set)
    {
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535)
        {
            set(port);
        }
        else
        {
            _evt.SetLabel(key, value);
        }
    }

    private void SetMac(string key, string value, Action<MacAddress> set)
    {
        if (MacAddress.TryParse(value, out var mac))
        {
            set(mac);
        }
        else
        {
            _evt.SetLabel(key, value);
        }
    }
}
