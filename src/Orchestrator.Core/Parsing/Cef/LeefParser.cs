using System.Globalization;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing.Syslog;

namespace Orchestrator.Core.Parsing.Cef;

/// <summary>
/// IBM Log Event Extended Format 1.0 and 2.0, optionally behind a syslog header:
/// <c>LEEF:Version|Vendor|Product|Version|EventID|[Delimiter|]key=value...</c>.
/// Stateless and thread-safe.
/// </summary>
public sealed class LeefParser : IEventParser
{
    private const string Marker = "LEEF:";
    private const int HeaderFieldCount = 5;

    public string Format => EventFormats.Leef;

    public ParseResult Parse(RawInput input)
    {
        var text = input.Text;
        if (string.IsNullOrWhiteSpace(text))
        {
            return ParseResult.Rejected("empty line: a LEEF event looks like 'LEEF:1.0|Vendor|Product|Version|EventID|key=value<TAB>...'");
        }

        var start = text.IndexOf(Marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return ParseResult.Rejected("no 'LEEF:' marker in the line: a LEEF event looks like 'LEEF:1.0|Vendor|Product|Version|EventID|key=value<TAB>...'");
        }

        var body = text.AsSpan(start + Marker.Length);
        Span<Range> fields = stackalloc Range[HeaderFieldCount];
        var found = CefParser.SplitHeader(body, fields, out var attributesStart);
        if (found < HeaderFieldCount)
        {
            return ParseResult.Rejected(string.Create(CultureInfo.InvariantCulture,
                $"LEEF header has {found} of the {HeaderFieldCount} '|'-terminated fields (Version|Vendor|Product|Version|EventID|); check for a missing '|'"));
        }

        var version = body[fields[0]].Trim();
        if (version.Length == 0 || !char.IsAsciiDigit(version[0]))
        {
            return ParseResult.Rejected($"LEEF version '{version[..Math.Min(version.Length, 16)]}' is not a number (expected 'LEEF:1.0|' or 'LEEF:2.0|')");
        }

        var attributes = body[attributesStart..];
        var delimiter = '\t';

        // LEEF 2.0 adds an optional sixth header field: the attribute delimiter as one character
        // or as hex (x5E, 0x5E). An empty field or no field at all means tab.
        if (version[0] != '1')
        {
            var bar = attributes.IndexOf('|');
            if (bar >= 0 && bar <= 4 && TryDelimiter(attributes[..bar], out var d))
            {
                delimiter = d;
                attributes = attributes[(bar + 1)..];
            }
        }

        var evt = new SecurityEvent
        {
            Format = EventFormats.Leef,
            Original = text,
            Ingested = input.ReceivedAt.ToUniversalTime(),
        };

        var header = start > 0 ? SyslogHeader.Parse(text[..start], input.ReceivedAt) : default;
        evt.ObserverName = header.Hostname;

        var vendor = CefParser.UnescapeHeader(body[fields[1]]);
        var product = CefParser.UnescapeHeader(body[fields[2]]);
        evt.EventProvider = ExtensionMapper.Provider(vendor, product);
        evt.SetLabel("vendor", vendor);
        evt.SetLabel("product", product);
        var productVersion = CefParser.UnescapeHeader(body[fields[3]]);
        if (productVersion.Length > 0)
        {
            evt.SetLabel("version", productVersion);
        }

        var eventId = CefParser.UnescapeHeader(body[fields[4]]);
        evt.EventCode = eventId.Length > 0 ? eventId : null;

        var pairs = new List<KeyValuePair<string, string>>();
        SplitAttributes(attributes.TrimEnd("\r\n\0"), delimiter, pairs);
        var mapper = new ExtensionMapper(evt);
        mapper.ApplyAll(pairs);
        if (!mapper.TrySetTimestamp(input.ReceivedAt))
        {
            evt.Timestamp = (header.Timestamp ?? input.ReceivedAt).ToUniversalTime();
        }

        mapper.Classify(eventId);
        return ParseResult.Success(evt);
    }

    private static bool TryDelimiter(ReadOnlySpan<char> spec, out char delimiter)
    {
        delimiter = '\t';
        if (spec.Length == 0)
        {
            return true;
        }

        if (spec.Length == 1)
        {
            delimiter = spec[0];
            return true;
        }

        if (spec.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            spec = spec[2..];
        }
        else if (spec[0] is 'x' or 'X')
        {
            spec = spec[1..];
        }
        else
        {
            return false;
        }

        if (spec.Length is 1 or 2 && byte.TryParse(spec, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var b) && b != 0)
        {
            delimiter = (char)b;
            return true;
        }

        return false;
    }

    // key=value pairs split on the delimiter; a piece with no '=' belongs to the previous value
    // (a sender that did not escape the delimiter inside a value).
    private static void SplitAttributes(ReadOnlySpan<char> s, char delimiter, List<KeyValuePair<string, string>> pairs)
    {
        foreach (var range in s.Split(delimiter))
        {
            var piece = s[range];
            if (piece.IsWhiteSpace())
            {
                continue;
            }

            var eq = piece.IndexOf('=');
            if (eq <= 0)
            {
                if (pairs.Count > 0)
                {
                    var last = pairs[^1];
                    pairs[^1] = new(last.Key, string.Concat(last.Value, delimiter.ToString(), piece));
                }

                continue;
            }

            pairs.Add(new(piece[..eq].Trim().ToString(), piece[(eq + 1)..].ToString()));
        }
    }
}
