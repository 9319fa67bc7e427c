using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Parsing.Sep;

/// <summary>
/// Fills a <see cref="SecurityEvent"/> from SEP columns, one at a time, keeping spans until the
/// row is complete so that only the strings the event keeps are allocated.
/// </summary>
internal ref struct SepEventBuilder
{
    public const string Provider = "symantec-endpoint";

    private static readonly string[] ColumnNames = Enumerable.Range(0, 65)
        .Select(i => "column" + i.ToString(CultureInfo.InvariantCulture)).ToArray();

    // Key arrays of recent log types, direct-mapped: a collision only costs a new key array.
    private const int KeyLayoutBits = 4;

    [ThreadStatic]
    private static PendingLabel[]? t_scratch;

    [ThreadStatic]
    private static string[]?[]? t_keyLayouts;

    [ThreadStatic]
    private static string? t_lastTimeText;

    [ThreadStatic]
    private static DateTimeOffset t_lastTime;

    private readonly SecurityEvent _evt;
    private readonly SepStrings _strings;
    private readonly string _source;
    private PendingLabel[] _labels;
    private int _labelCount;
    private bool _hasDescription;
    private DateTimeOffset? _eventTime;
    private DateTimeOffset? _begin;
    private bool _afterOccurrences;
    private bool _hasAction;
    private bool _isIntrusion;
    private int _direction;
    private ReadOnlySpan<char> _firstColumn;
    private Deferred _sourceComputer;
    private Deferred _sourceIp;
    private Deferred _hash;
    private ReadOnlySpan<char> _hashType;
    private Deferred _localIp;
    private Deferred _localMac;
    private Deferred _localPort;
    private Deferred _remoteIp;
    private Deferred _remoteName;
    private Deferred _remoteMac;
    private Deferred _remotePort;

    public SepEventBuilder(SecurityEvent evt)
    {
        _evt = evt;
        _strings = SepStrings.Current;
        _source = evt.Original;

        // Labels are gathered first so the event's labels are made once at their final size.
        _labels = t_scratch ?? new PendingLabel[64];
        t_scratch = null;
        _labelCount = 0;
    }

    /// <summary>True once a column says this is a risk (virus, security risk, potential risk) event.</summary>
    public bool IsRisk { get; private set; }

    /// <summary>How many columns carried a label this parser knows, to tell SEP payloads from other text.</summary>
    public int KnownLabels { get; private set; }

    /// <summary>A column without a label, at 1-based <paramref name="index"/> in the SEP payload.</summary>
    public void Column(int index, ReadOnlySpan<char> value)
    {
        value = value.Trim();
        if (value.IsEmpty)
        {
            return;
        }

        if (index == 1)
        {
            _firstColumn = value;
        }

        // SEP 14.3 RU1 may put the client's host name before the event description.
        if (index <= 2 && KnownLabels == 0 && IsRiskDescription(value))
        {
            IsRisk = true;
        }
        else if (IsRisk && _afterOccurrences && _evt.FilePath is null && LooksLikePath(value))
        {
            // Before 14.3 RU1 the file path is the first unlabelled column after Occurrences.
            SetFilePath(value.ToString());
        }
        else if (value.Equals("Inbound", StringComparison.OrdinalIgnoreCase))
        {
            _direction = 1;
        }
        else if (value.Equals("Outbound", StringComparison.OrdinalIgnoreCase))
        {
            _direction = 2;
        }
        else if (_evt.NetworkTransport is null && TransportName(value) is { } transport)
        {
            _evt.NetworkTransport = transport;
        }

        _afterOccurrences = false;
        Keep(index < ColumnNames.Length ? ColumnNames[index] : "column" + index.ToString(CultureInfo.InvariantCulture), value);
    }

    /// <summary>A <c>Label: value</c> column (or, in the exported CSV, a header name and its cell).</summary>
    public void Labelled(ReadOnlySpan<char> label, ReadOnlySpan<char> value)
    {
        label = label.Trim();
        var known = SepLabels.Find(label, out var exact);
        Labelled(known, exact, label, value.Trim());
    }

    /// <summary>A labelled column whose label was already looked up; <paramref name="value"/> is trimmed.</summary>
    public void Labelled(SepLabel? known, bool exact, ReadOnlySpan<char> label, ReadOnlySpan<char> value)
    {
        if (known is not null)
        {
            KnownLabels++;
        }

        _afterOccurrences = false;
        if (value.IsEmpty)
        {
            return;
        }

        var name = exact ? known!.Name : label.ToString();
        _isIntrusion |= known?.Field is SepField.IntrusionId or SepField.SignatureName;
        switch (known?.Field ?? SepField.Label)
        {
            case SepField.EventTime:
                if (TryParseTime(value, out var eventTime))
                {
                    _eventTime = eventTime;
                    return;
                }

                break;
            case SepField.Begin:
                if (TryParseTime(value, out var begin))
                {
                    _begin = begin;
                    return;
                }

                break;
            case SepField.HostIp:
                if (_evt.HostIp is null && TryParseIp(value, out var hostIp))
                {
                    _evt.HostIp = hostIp;
                    return;
                }

                break;
            case SepField.HostName when _evt.HostName is null:
                _evt.HostName = _strings.Get(value);
                return;
            case SepField.RiskName:
                _evt.RuleName = _strings.Get(value);
                return;
            case SepField.Rule or SepField.SignatureName when _evt.RuleName is null:
                _evt.RuleName = _strings.Get(value);
                return;
            case SepField.UserName when _evt.UserName is null:
                _evt.UserName = _strings.Get(value);
                return;
            case SepField.FilePath:
                SetFilePath(value.ToString());
                return;
            case SepField.SourceComputer:
                _sourceComputer = new Deferred(name, value);
                return;
            case SepField.SourceIp:
                _sourceIp = new Deferred(name, value);
                return;
            case SepField.ActualAction:
                _evt.EventAction = _strings.Get(value);
                return;
            case SepField.Action:
                _hasAction = true;
                if (_evt.EventAction is null)
                {
                    _evt.EventAction = _strings.Get(value);
                    return;
                }

                break;
            case SepField.ApplicationHash:
                _hash = new Deferred(name, value);
                return;
            case SepField.HashType:
                _hashType = value;
                break;
            case SepField.Occurrences:
                _afterOccurrences = true;
                break;
            case SepField.LocalHostIp:
                _localIp = new Deferred(name, value);
                return;
            case SepField.LocalHostMac:
                _localMac = new Deferred(name, value);
                return;
            case SepField.LocalPort:
                _localPort = new Deferred(name, value);
                return;
            case SepField.RemoteHostIp:
                _remoteIp = new Deferred(name, value);
                return;
            case SepField.RemoteHostName:
                _remoteName = new Deferred(name, value);
                return;
            case SepField.RemoteHostMac:
                _remoteMac = new Deferred(name, value);
                return;
            case SepField.RemotePort:
                _remotePort = new Deferred(name, value);
                return;
            case SepField.Application when _evt.ProcessExecutable is null:
                _evt.ProcessExecutable = value.ToString();
                _evt.ProcessName = LastSegment(_evt.ProcessExecutable);
                return;
            case SepField.Sha256 when _evt.ProcessHashSha256 is null && IsHex(value, 64):
                _evt.ProcessHashSha256 = LowerHex(value);
                return;
            case SepField.Md5 when _evt.ProcessHashMd5 is null && IsHex(value, 32):
                _evt.ProcessHashMd5 = LowerHex(value);
                return;
            case SepField.IntrusionId or SepField.EventDescription:
                _hasDescription |= known!.Field == SepField.EventDescription;
                break;
            case SepField.Event:
                IsRisk |= IsRiskDescription(value);
                break;
        }

        Keep(name, value);
    }

    /// <summary>
    /// Completes the event: Risk Tracer source, hashes, network ends by direction, time, and kind.
    /// <paramref name="headerTime"/> is the syslog (or dump-file) time, used when the payload has none.
    /// </summary>
    public void Finish(DateTimeOffset? headerTime, DateTimeOffset receivedAt)
    {
        var evt = _evt;
        FinishSource(evt);
        FinishHash(evt);
        var isNetwork = FinishNetwork(evt);

        evt.Timestamp = _eventTime ?? _begin ?? headerTime ?? receivedAt;
        evt.EventProvider = Provider;
        if (IsRisk)
        {
            evt.EventKind = "alert";
            evt.EventCategory = "malware";
            evt.EventType = "info";
            evt.Kind = EventKinds.InfectionDetected;
        }
        else if (_isIntrusion)
        {
            evt.EventKind = "alert";
            evt.EventCategory = "intrusion_detection";
            evt.EventType = "info";
            evt.Kind = EventKinds.Other;
        }
        else if (isNetwork && _remoteIp.Has && _hasAction && !_hasDescription)
        {
            evt.EventKind = "event";
            evt.EventCategory = "network";
            evt.EventType = "connection";
            evt.Kind = EventKinds.NetworkConnection;
        }
        else
        {
            evt.EventKind = "event";
            evt.Kind = EventKinds.Other;
        }

        if (_labelCount > 0)
        {
            evt.Labels = BuildLabels();
        }

        Array.Clear(_labels, 0, _labelCount);
        t_scratch = _labels;
    }

    private void FinishSource(SecurityEvent evt)
    {
        // Risk Tracer writes "unknown" or "local host" when it could not tell the source (HOWTO27137).
        if (_sourceComputer.Has)
        {
            var v = _sourceComputer.Value;
            if (v.Equals("unknown", StringComparison.OrdinalIgnoreCase) || v.Equals("local host", StringComparison.OrdinalIgnoreCase)
                || v.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            {
                Keep(_sourceComputer.Label!, v);
            }
            else
            {
                evt.SourceName = _strings.Get(v);
            }
        }

        // A loopback, unspecified or broadcast "source" is the client itself or nothing: no one to block.
        if (_sourceIp.Has)
        {
            if (TryParseIp(_sourceIp.Value, out var ip) && IsRemoteSource(ip))
            {
                evt.SourceIp = ip;
            }
            else
            {
                Keep(_sourceIp.Label!, _sourceIp.Value);
            }
        }
    }

    private void FinishHash(SecurityEvent evt)
    {
        if (!_hash.Has)
        {
            return;
        }

        var hash = _hash.Value;
        var type = _hashType;
        var length = type.IsEmpty ? hash.Length
            : type.Equals("SHA-256", StringComparison.OrdinalIgnoreCase) || type.Equals("SHA256", StringComparison.OrdinalIgnoreCase) ? 64
            : type.Equals("SHA1", StringComparison.OrdinalIgnoreCase) || type.Equals("SHA-1", StringComparison.OrdinalIgnoreCase) ? 40
            : type.Equals("MD5", StringComparison.OrdinalIgnoreCase) || type.Equals("MD-5", StringComparison.OrdinalIgnoreCase) ? 32
            : 0;

        // SEP also writes GUIDs and placeholders here; only a hex string of the stated length is a hash.
        if (length is 32 or 40 or 64 && IsHex(hash, length))
        {
            var text = LowerHex(hash);
            switch (length)
            {
                case 64:
                    evt.ProcessHashSha256 ??= text;
                    break;
                case 40:
                    evt.ProcessHashSha1 ??= text;
                    break;
                default:
                    evt.ProcessHashMd5 ??= text;
                    break;
            }

            return;
        }

        Keep(_hash.Label!, hash);
    }

    private bool FinishNetwork(SecurityEvent evt)
    {
        if (!_localIp.Has && !_remoteIp.Has)
        {
            KeepAll(_localMac, _localPort, _remoteName, _remoteMac, _remotePort);
            return false;
        }

        evt.HostIp ??= ParseIp(_localIp);
        evt.HostMac ??= ParseMac(_localMac);
        if (evt.HostName is null && !_firstColumn.IsEmpty)
        {
            evt.HostName = _firstColumn.ToString();
        }

        switch (_direction)
        {
            case 1:
                evt.NetworkDirection = "ingress";
                evt.SourceIp = ParseIp(_remoteIp);
                evt.SourcePort = ParsePort(_remotePort);
                evt.SourceMac = ParseMac(_remoteMac);
                evt.SourceName = _remoteName.Has ? _remoteName.Value.ToString() : null;
                evt.DestinationIp = evt.HostIp;
                evt.DestinationPort = ParsePort(_localPort);
                evt.DestinationMac = evt.HostMac;
                break;
            case 2:
                evt.NetworkDirection = "egress";
                evt.SourceIp = evt.HostIp;
                evt.SourcePort = ParsePort(_localPort);
                evt.SourceMac = evt.HostMac;
                evt.DestinationIp = ParseIp(_remoteIp);
                evt.DestinationPort = ParsePort(_remotePort);
                evt.DestinationMac = ParseMac(_remoteMac);
                evt.DestinationName = _remoteName.Has ? _remoteName.Value.ToString() : null;
                break;
            default:
                // Without a direction the remote end is neither source nor destination: keep it as written.
                KeepAll(_localPort, _remoteIp, _remoteName, _remoteMac, _remotePort);
                break;
        }

        return true;
    }

    private IPAddress? ParseIp(Deferred d)
    {
        if (!d.Has)
        {
            return null;
        }

        if (TryParseIp(d.Value, out var ip))
        {
            return ip;
        }

        Keep(d.Label!, d.Value);
        return null;
    }

    private MacAddress? ParseMac(Deferred d)
    {
        if (!d.Has)
        {
            return null;
        }

        if (MacAddress.TryParse(d.Value, out var mac))
        {
            return mac;
        }

        Keep(d.Label!, d.Value);
        return null;
    }

    private int? ParsePort(Deferred d)
    {
        if (!d.Has)
        {
            return null;
        }

        if (int.TryParse(d.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535)
        {
            return port;
        }

        Keep(d.Label!, d.Value);
        return null;
    }

    private void KeepAll(Deferred a, Deferred b, Deferred c, Deferred d, Deferred e)
    {
        KeepIfAny(a);
        KeepIfAny(b);
        KeepIfAny(c);
        KeepIfAny(d);
        KeepIfAny(e);
    }

    private void KeepIfAny(Deferred d)
    {
        if (d.Has)
        {
            Keep(d.Label!, d.Value);
        }
    }

    /// <summary>Keeps a value under <paramref name="name"/> without mapping it (empty values are dropped).</summary>
    public void Keep(string name, ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return;
        }

        if (_labelCount == _labels.Length)
        {
            // A very wide row: grow the scratch (it is kept for the next row).
            var wider = new PendingLabel[_labels.Length * 2];
            _labels.CopyTo(wider, 0);
            _labels = wider;
        }

        // A value read straight from the line is kept as its place in the line; an unquoted one is new text.
        _labels[_labelCount++] = _source.AsSpan().Overlaps(value, out var start) && start >= 0
            && start + value.Length <= Math.Min(_source.Length, LabelDictionary.Slice.MaxEnd)
            ? new PendingLabel(name, null, start, value.Length)
            : new PendingLabel(name, _strings.Get(value), 0, 0);
    }

    private readonly LabelDictionary BuildLabels()
    {
        var pending = _labels.AsSpan(0, _labelCount);
        var keys = SharedKeys(pending);
        if (keys is null)
        {
            // A label repeated in the row: Set keeps its first position and its last value.
            var labels = new LabelDictionary(pending.Length);
            foreach (ref readonly var label in pending)
            {
                labels.Set(label.Key, label.Text ?? _source.Substring(label.Start, label.Length));
            }

            return labels;
        }

        var slices = new LabelDictionary.Slice[pending.Length];
        string?[]? texts = null;
        for (var i = 0; i < pending.Length; i++)
        {
            if (pending[i].Text is { } text)
            {
                (texts ??= new string?[pending.Length])[i] = text;
            }
            else
            {
                slices[i] = new LabelDictionary.Slice((ushort)pending[i].Start, (ushort)pending[i].Length);
            }
        }

        return new LabelDictionary(keys, _source, slices, texts);
    }

    // Rows of one log type carry the same labels in the same order, so their events share one
    // array of keys; null when a key repeats, which a shared array cannot express.
    private static string[]? SharedKeys(ReadOnlySpan<PendingLabel> pending)
    {
        var hash = (uint)pending.Length;
        foreach (ref readonly var label in pending)
        {
            hash = (hash * 31) + (uint)label.Key.Length;
        }

        var layouts = t_keyLayouts ??= new string[1 << KeyLayoutBits][];
        var slot = (int)((hash * 0x9E3779B1u) >> (32 - KeyLayoutBits));
        if (layouts[slot] is { } cached && SameKeys(cached, pending))
        {
            return cached;
        }

        for (var i = 1; i < pending.Length; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (string.Equals(pending[i].Key, pending[j].Key, StringComparison.Ordinal))
                {
                    return null;
                }
            }
        }

        var keys = new string[pending.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = pending[i].Key;
        }

        layouts[slot] = keys;
        return keys;
    }

    private static bool SameKeys(string[] keys, ReadOnlySpan<PendingLabel> pending)
    {
        if (keys.Length != pending.Length)
        {
            return false;
        }

        for (var i = 0; i < keys.Length; i++)
        {
            if (!string.Equals(keys[i], pending[i].Key, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private readonly void SetFilePath(string path)
    {
        _evt.FilePath = path;
        _evt.FileName = LastSegment(path);
    }

    /// <summary>True for the event descriptions of the SEP risk log.</summary>
    public static bool IsRiskDescription(ReadOnlySpan<char> value) =>
        value.Equals("Virus found", StringComparison.OrdinalIgnoreCase)
        || value.Equals("Security risk found", StringComparison.OrdinalIgnoreCase)
        || value.Equals("Potential risk found", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses SEP's <c>yyyy-MM-dd HH:mm:ss</c> (UTC) fast, or any invariant date and time.</summary>
    public static bool TryParseTime(ReadOnlySpan<char> s, out DateTimeOffset time)
    {
        if (TryParseSepTime(s, out time))
        {
            return true;
        }

        return s.Length >= 8 && char.IsAsciiDigit(s[0])
            && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }

    /// <summary>Parses exactly <c>yyyy-MM-dd HH:mm:ss</c> as UTC.</summary>
    public static bool TryParseSepTime(ReadOnlySpan<char> s, out DateTimeOffset time)
    {
        // Lines arrive in runs with the same second: reuse the last conversion.
        var last = t_lastTimeText;
        if (last is not null && s.SequenceEqual(last))
        {
            time = t_lastTime;
            return true;
        }

        if (!TryConvertSepTime(s, out time))
        {
            return false;
        }

        t_lastTimeText = s.ToString();
        t_lastTime = time;
        return true;
    }

    private static bool TryConvertSepTime(ReadOnlySpan<char> s, out DateTimeOffset time)
    {
        time = default;
        if (s.Length != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' || s[16] != ':')
        {
            return false;
        }

        if (!Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)
            || !Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || !Digits(s, 17, 2, out var second))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        time = new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero);
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var d = s[i] - '0';
            if ((uint)d > 9)
            {
                return false;
            }

            value = (value * 10) + d;
        }

        return true;
    }

    /// <summary>Dotted-quad IPv4 read directly; IPv6 through <see cref="IPAddress.TryParse(ReadOnlySpan{char}, out IPAddress?)"/>.</summary>
    private static bool TryParseIp(ReadOnlySpan<char> s, [NotNullWhen(true)] out IPAddress? ip)
    {
        uint address = 0;
        var octets = 0;
        var i = 0;
        while (octets < 4)
        {
            var start = i;
            var octet = 0;
            while (i < s.Length && i - start < 3 && char.IsAsciiDigit(s[i]))
            {
                octet = (octet * 10) + (s[i] - '0');
                i++;
            }

            // Leading zeros mean octal to some parsers: refuse rather than guess.
            if (i == start || octet > 255 || (s[start] == '0' && i - start > 1))
            {
                break;
            }

            address |= (uint)octet << (8 * octets);
            octets++;
            if (octets < 4)
            {
                if (i >= s.Length || s[i] != '.')
                {
                    break;
                }

                i++;
            }
        }

        if (octets == 4 && i == s.Length)
        {
            ip = new IPAddress(address);
            return true;
        }

        // IPv4 must be a full dotted quad: the framework would also take "10.20.31" or "10" (inet_aton forms).
        ip = null;
        return s.Contains(':') && IPAddress.TryParse(s, out ip);
    }

    private static bool IsRemoteSource(IPAddress ip) =>
        !IPAddress.IsLoopback(ip) && !ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any)
        && !(ip.AddressFamily == AddressFamily.InterNetwork && ip.Equals(IPAddress.Broadcast));

    private static bool LooksLikePath(ReadOnlySpan<char> value) => value.IndexOfAny('\\', '/') >= 0;

    private static string LastSegment(string path)
    {
        var cut = path.AsSpan().LastIndexOfAny('\\', '/');
        return cut < 0 ? path : path[(cut + 1)..];
    }

    private static string? TransportName(ReadOnlySpan<char> value) =>
        value.Equals("TCP", StringComparison.OrdinalIgnoreCase) ? "tcp"
        : value.Equals("UDP", StringComparison.OrdinalIgnoreCase) ? "udp"
        : value.Equals("ICMP", StringComparison.OrdinalIgnoreCase) ? "icmp"
        : null;

    private static bool IsHex(ReadOnlySpan<char> value, int length) =>
        value.Length == length && !value.ContainsAnyExcept(HexDigits);

    private static readonly System.Buffers.SearchValues<char> HexDigits =
        System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    private static string LowerHex(ReadOnlySpan<char> value)
    {
        Span<char> lower = stackalloc char[value.Length];
        value.ToLowerInvariant(lower);
        return new string(lower);
    }

    /// <summary>A label gathered from the row: its value is <see cref="Text"/>, or else <see cref="Length"/> characters of the line from <see cref="Start"/>.</summary>
    private readonly record struct PendingLabel(string Key, string? Text, int Start, int Length);

    /// <summary>A column held until the row is complete, with the label it was written under.</summary>
    private readonly ref struct Deferred(string label, ReadOnlySpan<char> value)
    {
        public string? Label { get; } = label;

        public ReadOnlySpan<char> Value { get; } = value;

        public bool Has => Label is not null;
    }
}
