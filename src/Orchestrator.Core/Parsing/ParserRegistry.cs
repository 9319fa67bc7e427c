using Orchestrator.Core.Parsing.Cef;
using Orchestrator.Core.Parsing.Epo;
using Orchestrator.Core.Parsing.Json;
using Orchestrator.Core.Parsing.Sep;
using Orchestrator.Core.Parsing.Sysmon;
using Orchestrator.Core.Parsing.Zeek;

namespace Orchestrator.Core.Parsing;

/// <summary>The parsers by format name. Thread-safe; one instance serves the whole process.</summary>
public sealed class ParserRegistry
{
    private readonly Dictionary<string, IEventParser> _parsers;

    public ParserRegistry(IEnumerable<IEventParser> parsers)
    {
        ArgumentNullException.ThrowIfNull(parsers);
        _parsers = parsers.ToDictionary(p => p.Format, StringComparer.Ordinal);
    }

    /// <summary>Every built-in parser.</summary>
    public static ParserRegistry CreateDefault() => new(
    [
        new SepSyslogParser(), new SepCsvParser(), new EpoParser(), new CefParser(), new LeefParser(),
        new SysmonParser(), new ZeekParser(), new EcsJsonParser(),
    ]);

    /// <summary>The parser for <paramref name="format"/>; throws naming the known formats when there is none.</summary>
    public IEventParser Get(string format)
    {
        ArgumentNullException.ThrowIfNull(format);
        return _parsers.TryGetValue(format, out var parser)
            ? parser
            : throw new ArgumentException($"unknown format '{format}' (known: {string.Join(", ", EventFormats.All)})", nameof(format));
    }

    /// <summary>Starts a session for one stream (a file, a connection, a request body).</summary>
    public ParsingSession StartSession(string format = EventFormats.Auto) => new(this, format);
}
