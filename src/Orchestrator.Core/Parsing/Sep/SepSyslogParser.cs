using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing.Syslog;

namespace Orchestrator.Core.Parsing.Sep;

/// <summary>
/// Symantec Endpoint Protection Manager syslog (<c>SymantecServer:</c>): one CSV row of mostly
/// <c>Label: value</c> columns. Risk events become detections (with the Risk Tracer
/// source when it names one), traffic lines network connections, everything else <c>other</c> with its columns kept.
/// </summary>
public sealed class SepSyslogParser : IEventParser
{
    private const string Tag = "SymantecServer";

    public string Format => EventFormats.Sep;

    public ParseResult Parse(RawInput input)
    {
        var text = input.Text;
        if (string.IsNullOrWhiteSpace(text))
        {
            return ParseResult.Rejected("empty line: a SEP line needs a 'SymantecServer:' message");
        }

        var header = SyslogHeader.Parse(text, input.ReceivedAt);
        var payload = text.AsSpan(header.MessageStart).TrimEnd();
        var tagged = string.Equals(header.AppName, Tag, StringComparison.OrdinalIgnoreCase);
        if (!tagged && header.AppName is null && payload.StartsWith(Tag + ":", StringComparison.OrdinalIgnoreCase))
        {
            // Header with a time but no tag recognised, e.g. an unusual host field: still a SEP line.
            payload = payload[(Tag.Length + 1)..].TrimStart();
            tagged = true;
        }

        if (payload.IsEmpty)
        {
            return ParseResult.Rejected("the SEP message is empty (nothing after the syslog header)");
        }

        var evt = new SecurityEvent
        {
            Format = EventFormats.Sep,
            Original = text,
            Ingested = input.ReceivedAt,
            ObserverName = header.Hostname,
        };
        var builder = new SepEventBuilder(evt);
        var reader = new SepCsvReader(payload);
        var headerTime = header.Timestamp;
        var dump = TrySkipDumpPrefix(ref reader, ref builder, ref headerTime);

        var column = 0;
        while (reader.MoveNext(out var raw, out var quoted, out var colon))
        {
            column++;
            var field = raw;
            if (quoted)
            {
                field = SepCsv.Unquote(raw);
                colon = field[..Math.Min(field.Length, SepLabels.MaxLength + 1)].IndexOf(':');
            }

            if (SepCsv.TrySplitLabel(field, colon, out var label, out var value, out var known, out var exact))
            {
                builder.Labelled(known, exact, label, value);
            }
            else
            {
                builder.Column(column, field);
            }
        }

        if (!tagged && !dump && !builder.IsRisk && builder.KnownLabels < 2)
        {
            return ParseResult.Rejected("not a SEP line: no 'SymantecServer:' tag and no SEP columns such as 'Computer name:' or 'Event Description:'");
        }

        builder.Finish(headerTime, input.ReceivedAt);
        return ParseResult.Success(evt);
    }

    // The text-file export ("dump") puts "yyyy-MM-dd HH:mm:ss,severity," before the payload (TECH171741).
    private static bool TrySkipDumpPrefix(ref SepCsvReader reader, ref SepEventBuilder builder, ref DateTimeOffset? time)
    {
        var peek = reader;
        if (!peek.MoveNext(out var first, out _) || !SepEventBuilder.TryParseSepTime(first, out var dumpTime)
            || !peek.MoveNext(out var severity, out _))
        {
            return false;
        }

        reader = peek;
        time ??= dumpTime;
        builder.Keep("Severity", severity.Trim());
        return true;
    }
}
