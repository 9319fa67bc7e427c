using System.Text.Unicode;

namespace Orchestrator.Core.Parsing;

/// <summary>
/// Parses the lines of one stream in order. It remembers the last header line (Zeek
/// <c>#fields</c>, a SEPM CSV header) so the lines after it can be read, and, in auto mode,
/// recognises each line's format on its own. Not thread-safe: one session per stream.
/// </summary>
public sealed class ParsingSession
{
    private readonly ParserRegistry _registry;
    private readonly string _format;
    private string? _lastFormat;
    private IEventParser? _lastParser;

    internal ParsingSession(ParserRegistry registry, string format)
    {
        if (!EventFormats.IsKnown(format))
        {
            throw new ArgumentException($"unknown format '{format}' (known: {string.Join(", ", EventFormats.All)})", nameof(format));
        }

        _registry = registry;
        _format = format;
    }

    /// <summary>The header in force for the next line, stored beside each event it applies to.</summary>
    public string? Context { get; private set; }

    /// <summary>The format of that header (zeek or sep-csv).</summary>
    public string? ContextFormat { get; private set; }

    /// <summary>Parses one line; a header line updates <see cref="Context"/>.</summary>
    public ParseResult Parse(string line, DateTimeOffset receivedAt) => Parse(line, default, receivedAt);

    /// <summary>
    /// Parses one line given both as text and as the bytes it was decoded from (empty when not
    /// known); a parser that reads UTF-8 gets the bytes when they are valid UTF-8, so they are
    /// exactly the text.
    /// </summary>
    public ParseResult Parse(string line, ReadOnlySpan<byte> utf8Line, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (string.IsNullOrWhiteSpace(line))
        {
            return ParseResult.Skipped;
        }

        var format = _format == EventFormats.Auto ? Detect(line) : _format;
        if (format is null)
        {
            return ParseResult.Rejected("no parser recognised the line (tried sep, epo, cef, leef, sysmon, zeek, json; set a format to force one)");
        }

        var context = format == ContextFormat ? Context : null;
        var parser = ParserFor(format);
        var input = new RawInput(line, receivedAt, context);
        var result = parser is IUtf8EventParser utf8Parser && !utf8Line.IsEmpty && Utf8.IsValid(utf8Line)
            ? utf8Parser.Parse(utf8Line, input)
            : parser.Parse(input);
        if (result.Outcome == ParseOutcome.Header)
        {
            Context = result.Header;
            ContextFormat = format;
        }

        return result;
    }

    // Lines of one stream are nearly always of one format: remember its parser rather than look it up per line.
    private IEventParser ParserFor(string format)
    {
        if (!ReferenceEquals(format, _lastFormat))
        {
            _lastParser = _registry.Get(format);
            _lastFormat = format;
        }

        return _lastParser!;
    }

    /// <summary>Recognises the format of one line, or null. Cheap: substring scans, no parsing.</summary>
    internal string? Detect(string line)
    {
        var span = line.AsSpan().TrimStart();
        if (span.Length == 0)
        {
            return null;
        }

        if (span[0] == '{')
        {
            if (span.Contains("\"id.orig_h\"", StringComparison.Ordinal) || span.Contains("\"id_orig_h\"", StringComparison.Ordinal))
            {
                return EventFormats.Zeek;
            }

            // Sysmon and the other Windows event logs (Security 4688/5156, System 7045) share one
            // JSON shape; the sysmon parser maps Sysmon 1 and 3 and keeps the others as `other`.
            if (span.Contains("Microsoft-Windows-Sysmon", StringComparison.Ordinal)
                || span.Contains("\"winlog\"", StringComparison.Ordinal)
                || (span.Contains("\"EventID\"", StringComparison.Ordinal) && span.Contains("\"Channel\"", StringComparison.Ordinal)))
            {
                return EventFormats.Sysmon;
            }

            return EventFormats.Json;
        }

        if (span[0] == '#')
        {
            return EventFormats.Zeek;
        }

        if (span.Contains("SymantecServer", StringComparison.Ordinal))
        {
            return EventFormats.Sep;
        }

        if (span.Contains("CEF:", StringComparison.Ordinal))
        {
            return EventFormats.Cef;
        }

        if (span.Contains("LEEF:", StringComparison.Ordinal))
        {
            return EventFormats.Leef;
        }

        if (span.Contains("<?xml", StringComparison.Ordinal) || span.Contains("<EPOEvent", StringComparison.OrdinalIgnoreCase))
        {
            return EventFormats.Epo;
        }

        if (ContextFormat == EventFormats.Zeek && span.Contains('\t'))
        {
            return EventFormats.Zeek;
        }

        if (ContextFormat == EventFormats.SepCsv || Sep.SepCsvParser.LooksLikeHeader(span))
        {
            return EventFormats.SepCsv;
        }

        return null;
    }
}
