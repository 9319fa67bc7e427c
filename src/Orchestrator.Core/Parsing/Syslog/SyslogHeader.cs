using System.Globalization;

namespace Orchestrator.Core.Parsing.Syslog;

/// <summary>
/// The syslog header in front of a message, RFC 5424 or RFC 3164 as real senders write them:
/// with or without PRI, with or without HOSTNAME, with a single-space day ("Oct 4"), or an ISO
/// timestamp after PRI (McAfee ESM). <see cref="MessageStart"/> is where the payload begins;
/// a line with no recognisable header has <see cref="MessageStart"/> 0 and no timestamp.
/// </summary>
public readonly record struct SyslogHeader
{
    /// <summary>PRI (facility * 8 + severity), or -1 when the line has none.</summary>
    public int Priority { get; init; }

    /// <summary>True for an RFC 5424 header (<c>&lt;PRI&gt;1 ...</c>).</summary>
    public bool IsRfc5424 { get; init; }

    /// <summary>The header timestamp in UTC, when there is one.</summary>
    public DateTimeOffset? Timestamp { get; init; }

    public string? Hostname { get; init; }

    /// <summary>RFC 5424 APP-NAME or the RFC 3164 TAG without its <c>[pid]:</c>.</summary>
    public string? AppName { get; init; }

    public string? ProcId { get; init; }

    public string? MsgId { get; init; }

    /// <summary>The RFC 5424 STRUCTURED-DATA text as written, or null for the nil value.</summary>
    public string? StructuredData { get; init; }

    /// <summary>Index in the line where the message (payload) begins.</summary>
    public int MessageStart { get; init; }

    [ThreadStatic]
    private static string? t_lastHostname;

    [ThreadStatic]
    private static string? t_lastTag;

    [ThreadStatic]
    private static string? t_lastBsdToken;

    [ThreadStatic]
    private static DateTimeOffset t_lastBsdReceivedAt;

    [ThreadStatic]
    private static DateTimeOffset t_lastBsdTimestamp;

    public int Facility => Priority < 0 ? -1 : Priority / 8;

    public int Severity => Priority < 0 ? -1 : Priority % 8;


    /// <summary>
    /// Reads the header of <paramref name="line"/>. Never fails: a line without a header yields
    /// <c>MessageStart = 0</c>. RFC 3164 has no year or zone: the year is the one that puts the
    /// time closest before <paramref name="receivedAt"/> (so a December line read in January is
    /// last year's), and the zone is UTC.
    /// </summary>
    public static SyslogHeader Parse(string line, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(line);
        var span = line.AsSpan();
        var pos = 0;
        var priority = -1;
        if (span.Length > 2 && span[0] == '<')
        {
            var close = span[..Math.Min(span.Length, 6)].IndexOf('>');
            if (close > 1 && TryDigits(span[1..close], out var pri) && pri <= 191)
            {
                priority = pri;
                pos = close + 1;
            }
        }

        if (priority >= 0 && pos + 1 < span.Length && span[pos] == '1' && span[pos + 1] == ' ')
        {
            return ParseRfc5424(line, pos + 2, priority);
        }

        if (TryReadBsdTimestamp(span[pos..], receivedAt, out var bsdTime, out var used))
        {
            return ParseAfterTimestamp(line, pos + used, priority, bsdTime);
        }

        if (TryParseIsoToken(span[pos..], out var isoTime, out used))
        {
            return ParseAfterTimestamp(line, pos + used, priority, isoTime);
        }

        return new SyslogHeader { Priority = priority, MessageStart = pos };
    }

    private static SyslogHeader ParseRfc5424(string line, int pos, int priority)
    {
        var timestampToken = NextToken(line, ref pos);
        var hostname = Nil(NextToken(line, ref pos));
        var appName = Nil(NextToken(line, ref pos));
        var procId = Nil(NextToken(line, ref pos));
        var msgId = Nil(NextToken(line, ref pos));
        DateTimeOffset? timestamp = null;
        if (timestampToken is not null && timestampToken != "-"
            && DateTimeOffset.TryParse(timestampToken, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t))
        {
            timestamp = t;
        }

        string? structuredData = null;
        if (pos < line.Length && line[pos] == '-')
        {
            pos++;
        }
        else if (pos < line.Length && line[pos] == '[')
        {
            var start = pos;
            pos = SkipStructuredData(line, pos);
            structuredData = line[start..pos];
        }

        if (pos < line.Length && line[pos] == ' ')
        {
            pos++;
        }

        // RFC 5424 §6.4: MSG may start with a UTF-8 BOM.
        if (pos < line.Length && line[pos] == '\uFEFF')
        {
            pos++;
        }

        return new SyslogHeader
        {
            Priority = priority,
            IsRfc5424 = true,
            Timestamp = timestamp,
            Hostname = hostname,
            AppName = appName,
            ProcId = procId,
            MsgId = msgId,
            StructuredData = structuredData,
            MessageStart = Math.Min(pos, line.Length),
        };
    }

    // SD-ELEMENTs follow each other with no space; inside a quoted PARAM-VALUE, '\' escapes '"', '\' and ']'.
    private static int SkipStructuredData(string line, int pos)
    {
        while (pos < line.Length && line[pos] == '[')
        {
            var inQuotes = false;
            pos++;
            while (pos < line.Length)
            {
                var c = line[pos];
                if (inQuotes && c == '\\')
                {
                    pos += 2;
                    continue;
                }

                if (c == '"')
                {
                    inQuotes = !inQuotes;
                }
                else if (c == ']' && !inQuotes)
                {
                    pos++;
                    break;
                }

                pos++;
            }
        }

        return Math.Min(pos, line.Length);
    }

    private static SyslogHeader ParseAfterTimestamp(string line, int pos, int priority, DateTimeOffset timestamp)
    {
        var first = PeekToken(line, pos);
        if (first.Length == 0)
        {
            return new SyslogHeader { Priority = priority, Timestamp = timestamp, MessageStart = pos };
        }

        if (IsTag(first, out var tagName, out var tagPid))
        {
            return new SyslogHeader
            {
                Priority = priority,
                Timestamp = timestamp,
                AppName = tagName,
                ProcId = tagPid,
                MessageStart = SkipSpaces(line, pos + first.Length),
            };
        }

        var hostname = Reuse(first, ref t_lastHostname);
        var afterHost = SkipSpaces(line, pos + first.Length);
        var second = PeekToken(line, afterHost);
        if (second.Length > 0 && IsTag(second, out tagName, out tagPid))
        {
            return new SyslogHeader
            {
                Priority = priority,
                Timestamp = timestamp,
                Hostname = hostname,
                AppName = tagName,
                ProcId = tagPid,
                MessageStart = SkipSpaces(line, afterHost + second.Length),
            };
        }

        return new SyslogHeader { Priority = priority, Timestamp = timestamp, Hostname = hostname, MessageStart = afterHost };
    }

    // A TAG is up to 48 name characters followed by ':' or '[pid]:' (RFC 3164 §4.1.3, widened as senders do).
    private static bool IsTag(ReadOnlySpan<char> token, out string? name, out string? pid)
    {
        name = null;
        pid = null;
        if (token.Length < 2 || token[^1] != ':')
        {
            return false;
        }

        var body = token[..^1];
        var bracket = body.IndexOf('[');
        var nameSpan = bracket >= 0 ? body[..bracket] : body;
        if (nameSpan.Length is 0 or > 48)
        {
            return false;
        }

        foreach (var c in nameSpan)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/'))
            {
                return false;
            }
        }

        if (bracket >= 0)
        {
            if (body[^1] != ']')
            {
                return false;
            }

            pid = body[(bracket + 1)..^1].ToString();
        }

        name = Reuse(nameSpan, ref t_lastTag);
        return true;
    }

    // Lines arrive in runs with the same second: the last timestamp read (with its trailing space,
    // so the token cannot match a longer one) and the reception time it was read against.
    private static bool TryReadBsdTimestamp(ReadOnlySpan<char> s, DateTimeOffset receivedAt, out DateTimeOffset timestamp, out int used)
    {
        var last = t_lastBsdToken;
        if (last is not null && receivedAt == t_lastBsdReceivedAt && s.StartsWith(last))
        {
            timestamp = t_lastBsdTimestamp;
            used = last.Length;
            return true;
        }

        if (!TryParseBsdTimestamp(s, receivedAt, out timestamp, out used))
        {
            return false;
        }

        if (used > 0 && s[used - 1] == ' ')
        {
            t_lastBsdToken = s[..used].ToString();
            t_lastBsdReceivedAt = receivedAt;
            t_lastBsdTimestamp = timestamp;
        }

        return true;
    }

    private static bool TryParseBsdTimestamp(ReadOnlySpan<char> s, DateTimeOffset receivedAt, out DateTimeOffset timestamp, out int used)
    {
        // "Mmm dd hh:mm:ss " or "Mmm d hh:mm:ss " (single space before a one-digit day, as some senders write).
        timestamp = default;
        used = 0;
        if (s.Length < 15 || s[3] != ' ')
        {
            return false;
        }

        var month = MonthNumber(s[..3]);
        if (month == 0)
        {
            return false;
        }

        var p = 4;
        if (s[p] == ' ')
        {
            p++;
        }

        var dayStart = p;
        while (p < s.Length && char.IsAsciiDigit(s[p]))
        {
            p++;
        }

        if (p - dayStart is < 1 or > 2 || p + 9 > s.Length || s[p] != ' ')
        {
            return false;
        }

        TryDigits(s[dayStart..p], out var day);
        p++;
        if (!TryTwoDigits(s, p, out var hour) || s[p + 2] != ':' || !TryTwoDigits(s, p + 3, out var minute)
            || s[p + 5] != ':' || !TryTwoDigits(s, p + 6, out var second))
        {
            return false;
        }

        p += 8;
        if (p < s.Length && s[p] != ' ')
        {
            return false;
        }

        if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        if (!TryPickYear(receivedAt, month, day, hour, minute, second, out timestamp))
        {
            return false;
        }

        used = Math.Min(p + 1, s.Length);
        return true;
    }

    // The latest year that puts the time no more than a day after receivedAt. Around New Year a
    // "Jan 1" line read on Dec 31 (sender clock ahead) is next year's; "Feb 29" is the last leap year's.
    private static bool TryPickYear(DateTimeOffset receivedAt, int month, int day, int hour, int minute, int second, out DateTimeOffset timestamp)
    {
        var latest = receivedAt.UtcTicks > DateTimeOffset.MaxValue.UtcTicks - TimeSpan.TicksPerDay ? DateTimeOffset.MaxValue : receivedAt.AddDays(1);
        var year = receivedAt.UtcDateTime.Year;
        if (month == 1 && receivedAt.UtcDateTime.Month == 12
            && TryMake(year + 1, month, day, hour, minute, second, out timestamp) && timestamp <= latest)
        {
            return true;
        }

        for (var y = year; y >= year - 4; y--)
        {
            if (TryMake(y, month, day, hour, minute, second, out timestamp) && timestamp <= latest)
            {
                return true;
            }
        }

        timestamp = default;
        return false;
    }

    private static bool TryMake(int year, int month, int day, int hour, int minute, int second, out DateTimeOffset value)
    {
        value = default;
        if (year is < 1 or > 9999 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        value = new DateTimeOffset(year, month, day, hour, minute, Math.Min(second, 59), TimeSpan.Zero);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

    // A sender writes many lines in a row with the same host and tag: reuse the last string
    // instead of allocating it again for every line.
    private static string Reuse(ReadOnlySpan<char> value, ref string? last)
    {
        var cached = last;
        if (cached is not null && value.SequenceEqual(cached))
        {
            return cached;
        }

        cached = value.ToString();
        last = cached;
        return cached;
    }

    private static bool TryTwoDigits(ReadOnlySpan<char> s, int at, out int value)
    {
        value = 0;
        if (at + 1 >= s.Length || !char.IsAsciiDigit(s[at]) || !char.IsAsciiDigit(s[at + 1]))
        {
            return false;
        }

        value = ((s[at] - '0') * 10) + (s[at + 1] - '0');
        return true;
    }

    private static bool TryParseIsoToken(ReadOnlySpan<char> s, out DateTimeOffset timestamp, out int used)
    {
        timestamp = default;
        used = 0;
        if (s.Length < 19 || !char.IsAsciiDigit(s[0]) || s[4] != '-' || s[10] != 'T')
        {
            return false;
        }

        var end = s.IndexOf(' ');
        var token = end < 0 ? s : s[..end];
        if (!DateTimeOffset.TryParse(token, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out timestamp))
        {
            return false;
        }

        used = end < 0 ? s.Length : end + 1;
        return true;
    }

    private static string? NextToken(string line, ref int pos)
    {
        if (pos >= line.Length)
        {
            return null;
        }

        var end = line.IndexOf(' ', pos);
        if (end < 0)
        {
            end = line.Length;
        }

        var token = line[pos..end];
        pos = Math.Min(end + 1, line.Length);
        return token;
    }

    private static ReadOnlySpan<char> PeekToken(string line, int pos)
    {
        if (pos >= line.Length)
        {
            return [];
        }

        var rest = line.AsSpan(pos);
        var end = rest.IndexOf(' ');
        return end < 0 ? rest : rest[..end];
    }

    private static int SkipSpaces(string line, int pos)
    {
        while (pos < line.Length && line[pos] == ' ')
        {
            pos++;
        }

        return pos;
    }

    private static string? Nil(string? token) => token is null or "-" ? null : token;

    private static int MonthNumber(ReadOnlySpan<char> name) => name switch
    {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => 0,
    };
}
