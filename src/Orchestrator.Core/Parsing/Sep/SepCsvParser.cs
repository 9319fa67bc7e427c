using System.Globalization;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Parsing.Sep;

/// <summary>
/// The risk log exported from the SEPM console as CSV: a header row of column names, then one
/// row per event. Columns are mapped by header name, so any column order and subset works.
/// </summary>
public sealed class SepCsvParser : IEventParser
{
    public string Format => EventFormats.SepCsv;

    public ParseResult Parse(RawInput input)
    {
        var text = input.Text;
        if (string.IsNullOrWhiteSpace(text))
        {
            return ParseResult.Skipped;
        }

        if (LooksLikeHeader(text))
        {
            return ParseResult.HeaderLine(text);
        }

        var headerLine = input.Context;
        if (headerLine is null)
        {
            return ParseResult.Rejected("a SEPM CSV row needs its header line first");
        }

        var row = text.AsSpan().TrimEnd();
        var headerCount = SepCsvReader.Count(headerLine);
        var rowCount = SepCsvReader.Count(row);
        if (rowCount > headerCount)
        {
            return ParseResult.Rejected(string.Create(CultureInfo.InvariantCulture,
                $"the SEPM CSV row has {rowCount} columns but its header has {headerCount}; check the export's header line"));
        }

        var evt = new SecurityEvent { Format = EventFormats.SepCsv, Original = text, Ingested = input.ReceivedAt };
        var builder = new SepEventBuilder(evt);
        var names = new SepCsvReader(headerLine);
        var cells = new SepCsvReader(row);
        while (cells.MoveNext(out var cell, out var cellQuoted) && names.MoveNext(out var name, out var nameQuoted))
        {
            var label = (nameQuoted ? SepCsv.Unquote(name).AsSpan() : name).Trim();
            var value = cellQuoted ? SepCsv.Unquote(cell).AsSpan() : cell;
            if (!label.IsEmpty)
            {
                builder.Labelled(label, value);
            }
        }

        builder.Finish(null, input.ReceivedAt);
        return ParseResult.Success(evt);
    }

    /// <summary>
    /// True for the header row of a SEPM risk log export: one column is named Computer Name, and
    /// another Source Computer (Name/IP), Risk (Name) or Event (case-insensitive, trimmed).
    /// </summary>
    public static bool LooksLikeHeader(ReadOnlySpan<char> line)
    {
        var reader = new SepCsvReader(line);
        var computer = false;
        var other = false;
        while (reader.MoveNext(out var raw, out _))
        {
            var name = raw.Trim().Trim('"').Trim();
            if (name.Equals("Computer Name", StringComparison.OrdinalIgnoreCase))
            {
                computer = true;
            }
            else if (name.Equals("Source Computer", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Source Computer Name", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Source Computer IP", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Risk Name", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Risk", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Event", StringComparison.OrdinalIgnoreCase))
            {
                other = true;
            }
        }

        return computer && other;
    }
}
