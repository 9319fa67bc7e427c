using System.Globalization;
using System.Text;
using System.Text.Json;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing.Json;

namespace Orchestrator.Core.Parsing;

/// <summary>
/// Reads a file of sample events, as <c>orchestrator test --event FILE</c> takes them: ECS JSON
/// (one object, an array of objects, or one object per line) or raw log lines in any format the
/// parsers recognise. Every problem is reported as <c>file:line: message</c>; no exception on bad input.
/// </summary>
/// <remarks>
/// JSON is read with <see cref="SecurityEventJson"/> directly rather than through the ingestion
/// parser, so a sample may state any <c>orchestrator.kind</c>, including the derived kinds the
/// tracers emit (<c>process.unknown</c>); without one the kind is inferred as at ingestion. An event
/// without a time gets the time it was read. When no event carries an <c>orchestrator.id</c>, the
/// events are numbered 1..n in file order.
/// </remarks>
public static class EventFile
{
    /// <summary>Reads <paramref name="path"/>; a missing or unreadable file is one error.</summary>
    public static EventFileContents Read(string path, ParserRegistry registry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new EventFileContents([], [new EventFileError(path, 1, ex is FileNotFoundException or DirectoryNotFoundException ? "no such file" : ex.Message)]);
        }

        return Parse(path, text, registry, now);
    }

    /// <summary>Reads events from <paramref name="text"/>; <paramref name="file"/> names it in errors.</summary>
    public static EventFileContents Parse(string file, string text, ParserRegistry registry, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(registry);
        var events = new List<EventFileEntry>();
        var errors = new List<EventFileError>();
        var first = text.AsSpan().TrimStart();
        if (first.Length > 0 && first[0] is '{' or '[')
        {
            ReadJson(file, text, now, events, errors);
        }
        else
        {
            ReadLines(file, text, registry, now, events, errors);
        }

        if (events.TrueForAll(e => e.Event.Id == 0))
        {
            for (var i = 0; i < events.Count; i++)
            {
                events[i].Event.Id = i + 1;
            }
        }

        return new EventFileContents(events, errors);
    }

    private static void ReadJson(string file, string text, DateTimeOffset now, List<EventFileEntry> events, List<EventFileError> errors)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowMultipleValues = true, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            while (reader.Read())
            {
                if (reader.CurrentDepth == 0 && reader.TokenType is JsonTokenType.StartArray or JsonTokenType.EndArray)
                {
                    continue;
                }

                var start = (int)reader.TokenStartIndex;
                var line = LineOf(bytes, start);
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    errors.Add(new EventFileError(file, line, $"expected an event (a JSON object), found {SecurityEventJson.DescribeToken(reader.TokenType)}"));
                    reader.Skip();
                    continue;
                }

                reader.Skip();
                var element = bytes.AsSpan(start, (int)reader.BytesConsumed - start);
                var evt = new SecurityEvent { Kind = "" };
                if (!SecurityEventJson.TryReadInto(element, evt, out var error))
                {
                    errors.Add(new EventFileError(file, line, error));
                    continue;
                }

                if (evt.Kind.Length == 0)
                {
                    evt.Kind = EcsJsonParser.InferKind(evt);
                }

                if (evt.Timestamp == default)
                {
                    evt.Timestamp = now;
                }

                evt.Format = EventFormats.Json;
                evt.Original = Encoding.UTF8.GetString(element);
                evt.Ingested = now;
                events.Add(new EventFileEntry(line, evt));
            }
        }
        catch (JsonException ex)
        {
            errors.Add(new EventFileError(file, (int)(ex.LineNumber ?? 0) + 1, "invalid JSON: " + FirstSentence(ex.Message)));
        }
    }

    private static void ReadLines(string file, string text, ParserRegistry registry, DateTimeOffset now, List<EventFileEntry> events, List<EventFileError> errors)
    {
        var session = registry.StartSession();
        var lineNumber = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNumber++;
            var line = raw.EndsWith('\r') ? raw[..^1] : raw;
            var result = session.Parse(line, now);
            switch (result.Outcome)
            {
                case ParseOutcome.Event:
                    result.Event!.Ingested = now;
                    events.Add(new EventFileEntry(lineNumber, result.Event));
                    break;
                case ParseOutcome.Rejected:
                    errors.Add(new EventFileError(file, lineNumber, result.Error!));
                    break;
                default:
                    break;
            }
        }
    }

    private static int LineOf(byte[] bytes, int offset) => bytes.AsSpan(0, offset).Count((byte)'\n') + 1;

    // System.Text.Json appends "LineNumber: 2 | BytePositionInLine: 7." which file:line already says.
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd(' ', '.');
    }
}

/// <summary>The events of a sample file with the line each starts on, and the problems found.</summary>
public sealed record EventFileContents(IReadOnlyList<EventFileEntry> Events, IReadOnlyList<EventFileError> Errors);

/// <summary>One event of a sample file and the line it starts on (1-based).</summary>
public sealed record EventFileEntry(int Line, SecurityEvent Event);

/// <summary>A problem in a sample file, printed as <c>file:line: message</c>.</summary>
public sealed record EventFileError(string File, int Line, string Message)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{File}:{Line}: {Message}");
}
