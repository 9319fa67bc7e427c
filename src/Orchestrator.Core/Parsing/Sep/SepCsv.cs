using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

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
    // The reader finds delimiters 64 characters at a time, as bit masks, instead of searching
    // again for every field: a SEP row is two dozen short fields.
    private const int BlockLength = 64;

    // A label ends within this many characters of its field's start (SepLabels.MaxLength + 1),
    // and the block always covers them, so the colon comes from the same masks.
    private const int LabelWindow = SepLabels.MaxLength + 1;

    private readonly ReadOnlySpan<char> _text;
    private int _pos;
    private int _blockStart;
    private ulong _delimiters;
    private ulong _colons;

    public SepCsvReader(ReadOnlySpan<char> text)
    {
        _text = text;
        _pos = 0;
        _blockStart = 0;
        LoadBlock(0);
    }

    /// <summary>Reads the next field; <paramref name="quoted"/> says it must go through <see cref="SepCsv.Unquote"/>.</summary>
    public bool MoveNext(out ReadOnlySpan<char> raw, out bool quoted) => MoveNext(out raw, out quoted, out _);

    /// <summary>
    /// Reads the next field, and gives the index in it of the first colon within a label's length
    /// (-1 when there is none), as <see cref="SepCsv.TrySplitLabel(ReadOnlySpan{char}, int, out ReadOnlySpan{char}, out ReadOnlySpan{char}, out SepLabel?, out bool)"/> takes it.
    /// </summary>
    public bool MoveNext(out ReadOnlySpan<char> raw, out bool quoted, out int colon)
    {
        if (_pos > _text.Length)
        {
            raw = default;
            quoted = false;
            colon = -1;
            return false;
        }

        var start = _pos;
        if (start + LabelWindow > _blockStart + BlockLength)
        {
            LoadBlock(start);
        }

        var colons = _colons >> (start - _blockStart);
        var end = NextDelimiter(start);
        quoted = false;
        if (end < _text.Length && _text[end] == '"')
        {
            end = SepCsv.FindFieldEnd(_text, start, out quoted);
        }

        raw = _text[start..end];
        colon = colons == 0 ? -1 : BitOperations.TrailingZeroCount(colons);
        if (colon >= Math.Min(raw.Length, LabelWindow))
        {
            colon = -1;
        }

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

    // Index of the first ',' or '"' at or after 'from', or the end of the text.
    private int NextDelimiter(int from)
    {
        while (true)
        {
            if (from >= _blockStart + BlockLength)
            {
                LoadBlock(from);
            }

            var bits = _delimiters >> (from - _blockStart);
            if (bits != 0)
            {
                return from + BitOperations.TrailingZeroCount(bits);
            }

            from = _blockStart + BlockLength;
            if (from >= _text.Length)
            {
                return _text.Length;
            }
        }
    }

    private void LoadBlock(int start)
    {
        _blockStart = start;
        if (start >= _text.Length)
        {
            // Nothing left (a shift by 64 would leave the masks unchanged, not clear them).
            _delimiters = 0;
            _colons = 0;
            return;
        }

        if (_text.Length >= BlockLength && Vector128.IsHardwareAccelerated)
        {
            // Near the end, read the last full block and drop the characters before 'start'.
            var from = Math.Min(start, _text.Length - BlockLength);
            Masks(_text.Slice(from, BlockLength), out var delimiters, out var colons);
            _delimiters = delimiters >> (start - from);
            _colons = colons >> (start - from);
            return;
        }

        ulong delimiterBits = 0;
        ulong colonBits = 0;
        var rest = _text[start..];
        for (var i = 0; i < Math.Min(rest.Length, BlockLength); i++)
        {
            var c = rest[i];
            if (c is ',' or '"')
            {
                delimiterBits |= 1UL << i;
            }
            else if (c == ':')
            {
                colonBits |= 1UL << i;
            }
        }

        _delimiters = delimiterBits;
        _colons = colonBits;
    }

    private static void Masks(ReadOnlySpan<char> block, out ulong delimiters, out ulong colons)
    {
        ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(block));
        delimiters = 0;
        colons = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var comma = Vector256.Create((ushort)',');
            var quote = Vector256.Create((ushort)'"');
            var colon = Vector256.Create((ushort)':');
            for (var i = 0; i < BlockLength; i += 2 * Vector256<ushort>.Count)
            {
                // Comparing before narrowing keeps a character such as U+012C from matching ','.
                var low = Vector256.LoadUnsafe(ref first, (nuint)i);
                var high = Vector256.LoadUnsafe(ref first, (nuint)(i + Vector256<ushort>.Count));
                var isDelimiter = Vector256.Narrow(
                    Vector256.Equals(low, comma) | Vector256.Equals(low, quote),
                    Vector256.Equals(high, comma) | Vector256.Equals(high, quote));
                var isColon = Vector256.Narrow(Vector256.Equals(low, colon), Vector256.Equals(high, colon));
                delimiters |= (ulong)isDelimiter.ExtractMostSignificantBits() << i;
                colons |= (ulong)isColon.ExtractMostSignificantBits() << i;
            }

            return;
        }

        var comma128 = Vector128.Create((ushort)',');
        var quote128 = Vector128.Create((ushort)'"');
        var colon128 = Vector128.Create((ushort)':');
        for (var i = 0; i < BlockLength; i += Vector128<ushort>.Count)
        {
            var chars = Vector128.LoadUnsafe(ref first, (nuint)i);
            delimiters |= (ulong)(Vector128.Equals(chars, comma128) | Vector128.Equals(chars, quote128)).ExtractMostSignificantBits() << i;
            colons |= (ulong)Vector128.Equals(chars, colon128).ExtractMostSignificantBits() << i;
        }
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
    public static bool TrySplitLabel(ReadOnlySpan<char> field, out ReadOnlySpan<char> label, out ReadOnlySpan<char> value, out SepLabel? known, out bool exact) =>
        TrySplitLabel(field, field[..Math.Min(field.Length, SepLabels.MaxLength + 1)].IndexOf(':'), out label, out value, out known, out exact);

    /// <summary>
    /// <see cref="TrySplitLabel(ReadOnlySpan{char}, out ReadOnlySpan{char}, out ReadOnlySpan{char}, out SepLabel?, out bool)"/>
    /// with the first colon (within <see cref="SepLabels.MaxLength"/> + 1 characters, else -1) already found.
    /// </summary>
    public static bool TrySplitLabel(ReadOnlySpan<char> field, int colon, out ReadOnlySpan<char> label, out ReadOnlySpan<char> value, out SepLabel? known, out bool exact)
    {
        label = default;
        value = default;
        known = null;
        exact = false;
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
