using System.Buffers;

namespace Orchestrator.Core.Parsing.Sep;

/// <summary>
/// Splits one SEP CSV row into fields without allocating, and splits a field into its
/// <c>Label: value</c> parts. Shared by the syslog and the exported-CSV parsers.
/// </summary>
/// <remarks>
/// Quotes follow CSV rules (a quoted field may hold commas, <c>""</c> is one quote), with the SEP
/// quirk that a quote may also open right after <c>Label: </c>, as in
/// <c>Company name: "Sample Inc., Inc."</c>. A quote anywhere else is a literal character, and a
/// quote that never closes is taken literally too, so one stray quote cannot swallow the row.
/// </remarks>
internal ref struct SepCsvReader
{
    private readonly ReadOnlySpan<char> _text;
    private int _pos;

    public SepCsvReader(ReadOnlySpan<char> text)
    {
        _text = text;
        _pos = 0;
    }

    /// <summary>Reads the next field; <paramref name="quoted"/> says it must go through <see cref="SepCsv.Unquote"/>.</summary>
    public bool MoveNext(out ReadOnlySpan<char> raw, out bool quoted)
    {
        if (_pos > _text.Length)
        {
            raw = default;
            quoted = false;
            return false;
        }

        var start = _pos;
        var end = SepCsv.FindFieldEnd(_text, start, out quoted);
        raw = _text[start..end];
        _pos = end + 1;
        return true;
    }

    /// <summary>Counts the fields of a row.</summary>
    public static int Count(ReadOnlySpan<char> text)
    {
        var reader = new SepCsvReader(text);
        var n = 0;
        while (reader.MoveNext(out _, out _))
        {
            n++;
        }

        return n;
    }
}

/// <summary>Helpers for SEP CSV fields: quote removal and the <c>Label: value</c> split.</summary>
internal static class SepCsv
{
    /// <summary>Index of the comma (or end of text) that ends the field starting at <paramref name="start"/>.</summary>
    public static int FindFieldEnd(ReadOnlySpan<char> text, int start, out bool quoted)
    {
        quoted = false;
        var i = start;
        while (true)
        {
            var next = text[i..].IndexOfAny(',', '"');
            if (next < 0)
            {
                return text.Length;
            }

            i += next;
            if (text[i] == ',')
            {
                return i;
            }

            if (!QuoteOpensAt(text, start, i))
            {
                i++;
                continue;
            }

            var close = FindClosingQuote(text, i + 1);
            if (close < 0)
            {
                // Unterminated: take every quote of this field literally.
                quoted = false;
                var comma = text[start..].IndexOf(',');
                return comma < 0 ? text.Length : start + comma;
            }

            quoted = true;
            i = close + 1;
        }
    }

    /// <summary>The field text with CSV quoting removed (allocates; only for fields that had quotes).</summary>
    public static string Unquote(ReadOnlySpan<char> raw)
    {
        Span<char> buffer = raw.Length <= 512 ? stackalloc char[raw.Length] : new char[raw.Length];
        var n = 0;
        var i = 0;
        while (i < raw.Length)
        {
            var c = raw[i];
            if (c == '"' && QuoteOpensAt(raw, 0, i))
            {
                var close = FindClosingQuote(raw, i + 1);
                if (close < 0)
                {
                    buffer[n++] = c;
                    i++;
                    continue;
                }

                for (var j = i + 1; j < close; j++)
                {
                    buffer[n++] = raw[j];
                    if (raw[j] == '"')
                    {
                        j++;
                    }
                }

                i = close + 1;
                continue;
            }

            buffer[n++] = c;
            i++;
        }

        return new string(buffer[..n]);
    }

    /// <summary>
    /// Splits <c>Label: value</c> on the first colon, as Elastic's
    /// <c>^([a-zA-Z][a-zA-Z0-9 \(\)-]{0,28}):(?:\s(.+)|\s)?</c> does, but only when the colon ends
    /// the field or is followed by white space, so <c>C:\Windows</c> and <c>http://x</c> stay positional.
    /// </summary>
    public static bool TrySplitLabel(ReadOnlySpan<char> field, out ReadOnlySpan<char> label, out ReadOnlySpan<char> value, out SepLabel? known, out bool exact)
    {
        label = default;
        value = default;
        known = null;
        exact = false;
        var colon = field[..Math.Min(field.Length, SepLabels.MaxLength + 1)].IndexOf(':');
        if (colon < 1 || !char.IsAsciiLetter(field[0]))
        {
            return false;
        }

        if (colon + 1 < field.Length && field[colon + 1] is not (' ' or '\t'))
        {
            return false;
        }

        label = field[..colon].TrimEnd(' ');
        known = SepLabels.Find(label, out exact);
        if (known is null && field[1..colon].ContainsAnyExcept(LabelChars))
        {
            label = default;
            return false;
        }

        value = field[Math.Min(colon + 2, field.Length)..];
        if (!value.IsEmpty && (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1])))
        {
            value = value.Trim();
        }

        return true;
    }

    private static readonly SearchValues<char> LabelChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ()-");

    private static bool QuoteOpensAt(ReadOnlySpan<char> text, int fieldStart, int at) =>
        text[fieldStart..at].IsWhiteSpace() || (at - fieldStart >= 2 && text[at - 1] == ' ' && text[at - 2] == ':');

    // Index of the quote that closes a quoted run starting at 'from'; "" inside the run is an escaped quote.
    private static int FindClosingQuote(ReadOnlySpan<char> text, int from)
    {
        var i = from;
        while (i < text.Length)
        {
            var q = text[i..].IndexOf('"');
            if (q < 0)
            {
                return -1;
            }

            i += q;
            if (i + 1 < text.Length && text[i + 1] == '"')
            {
                i += 2;
                continue;
            }

            return i;
        }

        return -1;
    }
}
