using System.Globalization;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing.Syslog;

namespace Orchestrator.Core.Parsing.Cef;

/// <summary>
/// ArcSight Common Event Format, optionally behind a syslog header:
/// <c>CEF:Version|Vendor|Product|Version|Class ID|Name|Severity|key=value ...</c>.
/// Stateless and thread-safe.
/// </summary>
public sealed class CefParser : IEventParser
{
    private const string Marker = "CEF:";
    private const int HeaderFieldCount = 7;

    public string Format => EventFormats.Cef;

    public ParseResult Parse(RawInput input)
    {
        var text = input.Text;
        if (string.IsNullOrWhiteSpace(text))
        {
            return ParseResult.Rejected("empty line: a CEF event looks like 'CEF:0|Vendor|Product|Version|ClassId|Name|Severity|key=value ...'");
        }

        var start = text.IndexOf(Marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return ParseResult.Rejected("no 'CEF:' marker in the line: a CEF event looks like 'CEF:0|Vendor|Product|Version|ClassId|Name|Severity|key=value ...'");
        }

        var body = text.AsSpan(start + Marker.Length);
        Span<Range> fields = stackalloc Range[HeaderFieldCount];
        var found = SplitHeader(body, fields, out var extensionStart);
        if (found < HeaderFieldCount)
        {
            return ParseResult.Rejected(string.Create(CultureInfo.InvariantCulture,
                $"CEF header has {found} of the {HeaderFieldCount} '|'-terminated fields (Version|Vendor|Product|Version|ClassId|Name|Severity|); check for an unescaped or missing '|'"));
        }

        var version = body[fields[0]].Trim();
        if (version.Length == 0 || !char.IsAsciiDigit(version[0]))
        {
            return ParseResult.Rejected($"CEF version '{version[..Math.Min(version.Length, 16)]}' is not a number (expected 'CEF:0|' or 'CEF:1|')");
        }

        var evt = new SecurityEvent
        {
            Format = EventFormats.Cef,
            Original = text,
            Ingested = input.ReceivedAt.ToUniversalTime(),
        };

        var header = start > 0 ? SyslogHeader.Parse(text[..start], input.ReceivedAt) : default;
        evt.ObserverName = header.Hostname;

        var vendor = UnescapeHeader(body[fields[1]]);
        var product = UnescapeHeader(body[fields[2]]);
        evt.EventProvider = ExtensionMapper.Provider(vendor, product);
        evt.SetLabel("deviceVendor", vendor);
        evt.SetLabel("deviceProduct", product);
        var deviceVersion = UnescapeHeader(body[fields[3]]);
        if (deviceVersion.Length > 0)
        {
            evt.SetLabel("deviceVersion", deviceVersion);
        }

        var classId = UnescapeHeader(body[fields[4]]);
        evt.EventCode = classId.Length > 0 ? classId : null;
        var name = UnescapeHeader(body[fields[5]]);
        evt.RuleName = name.Length > 0 ? name : null;
        var severity = body[fields[6]].Trim();
        if (ExtensionMapper.TryParseSeverity(severity, out var sev))
        {
            evt.EventSeverity = sev;
        }
        else if (severity.Length > 0 && !severity.Equals("Unknown", StringComparison.OrdinalIgnoreCase))
        {
            evt.SetLabel("severity", severity.ToString());
        }

        var pairs = new List<KeyValuePair<string, string>>();
        ParseExtension(body[extensionStart..], pairs);
        var mapper = new ExtensionMapper(evt);
        mapper.ApplyAll(pairs);
        if (!mapper.TrySetTimestamp(input.ReceivedAt))
        {
            evt.Timestamp = (header.Timestamp ?? input.ReceivedAt).ToUniversalTime();
        }

        mapper.Classify(name);
        return ParseResult.Success(evt);
    }

    /// <summary>
    /// Finds up to <paramref name="fields"/>.Length '|'-terminated header fields, honouring the
    /// <c>\|</c> and <c>\\</c> escapes; returns how many were found and where the rest begins.
    /// </summary>
    internal static int SplitHeader(ReadOnlySpan<char> s, Span<Range> fields, out int restStart)
    {
        var count = 0;
        var fieldStart = 0;
        restStart = s.Length;
        for (var i = 0; i < s.Length && count < fields.Length; i++)
        {
            var c = s[i];
            if (c == '\\')
            {
                i++;
            }
            else if (c == '|')
            {
                fields[count++] = fieldStart..i;
                fieldStart = i + 1;
                restStart = fieldStart;
            }
        }

        return count;
    }

    /// <summary>Removes the header escapes <c>\|</c> and <c>\\</c>; other backslashes are kept as written.</summary>
    internal static string UnescapeHeader(ReadOnlySpan<char> s)
    {
        return s.IndexOf('\\') < 0 ? s.ToString() : Unescape(s, extension: false);
    }

    /// <summary>
    /// Splits the extension into pairs. Values may hold unescaped spaces, so a value ends only
    /// at the next unescaped space followed by <c>key=</c> (key = [A-Za-z0-9_.[\]]+); text
    /// before the first key is kept under the label <c>extension</c>.
    /// </summary>
    internal static void ParseExtension(ReadOnlySpan<char> ext, List<KeyValuePair<string, string>> pairs)
    {
        ext = ext.TrimEnd("\r\n \t\0");
        var pos = 0;
        while (pos < ext.Length && ext[pos] == ' ')
        {
            pos++;
        }

        if (pos < ext.Length && KeyLengthAt(ext, pos) == 0)
        {
            var next = NextKeyStart(ext, pos);
            var junk = ext[pos..next].TrimEnd(' ');
            if (junk.Length > 0)
            {
                pairs.Add(new("extension", junk.ToString()));
            }

            pos = next;
        }

        while (pos < ext.Length)
        {
            var keyLength = KeyLengthAt(ext, pos);
            var key = ext.Slice(pos, keyLength).ToString();
            var valueStart = pos + keyLength + 1;
            var valueEnd = NextKeyStart(ext, valueStart);
            var value = ext[valueStart..valueEnd].TrimEnd(' ');
            pairs.Add(new(key, value.IndexOf('\\') < 0 ? value.ToString() : Unescape(value, extension: true)));
            pos = valueEnd;
        }
    }

    // Index of the next key after an unescaped space, or the end of the text.
    private static int NextKeyStart(ReadOnlySpan<char> ext, int from)
    {
        for (var i = from; i < ext.Length; i++)
        {
            var c = ext[i];
            if (c == '\\')
            {
                i++;
            }
            else if (c == ' ')
            {
                var k = i + 1;
                while (k < ext.Length && ext[k] == ' ')
                {
                    k++;
                }

                if (k < ext.Length && KeyLengthAt(ext, k) > 0)
                {
                    return k;
                }

                i = k - 1;
            }
        }

        return ext.Length;
    }

    // Length of a key at pos when it is followed by '=', else 0.
    private static int KeyLengthAt(ReadOnlySpan<char> s, int pos)
    {
        var i = pos;
        while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '_' or '.' or '[' or ']'))
        {
            i++;
        }

        return i > pos && i < s.Length && s[i] == '=' ? i - pos : 0;
    }

    private static string Unescape(ReadOnlySpan<char> s, bool extension)
    {
        var buffer = s.Length <= 256 ? stackalloc char[s.Length] : new char[s.Length];
        var n = 0;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\\' && i + 1 < s.Length)
            {
                var next = s[i + 1];
                char? unescaped = next switch
                {
                    '\\' => '\\',
                    '|' => '|',
                    '=' when extension => '=',
                    'n' when extension => '\n',
                    'r' when extension => '\r',
                    _ => null,
                };
                if (unescaped is { } u)
                {
                    buffer[n++] = u;
                    i++;
                    continue;
                }
            }

            buffer[n++] = c;
        }

        return new string(buffer[..n]);
    }
}
