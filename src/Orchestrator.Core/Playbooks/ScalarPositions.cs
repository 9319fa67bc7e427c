using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Core.Playbooks;

/// <summary>
/// Maps an offset inside a YAML scalar's value (what the condition compiler or Fluid sees) back to the
/// line and column in the file. The value differs from the source by quotes, escapes, line folding and
/// block indentation, so the scalar is re-read from the source with the YAML rules for its style.
/// </summary>
internal sealed class ScalarPositions
{
    private readonly int[]? _sourceIndex;
    private readonly int _fallbackIndex;
    private readonly SourceText _text;

    private ScalarPositions(SourceText text, int[]? sourceIndex, int fallbackIndex)
    {
        _text = text;
        _sourceIndex = sourceIndex;
        _fallbackIndex = fallbackIndex;
    }

    public static ScalarPositions For(SourceText text, YamlScalarNode scalar)
    {
        var start = (int)scalar.Start.Index;
        var value = scalar.Value ?? "";
        var map = scalar.Style switch
        {
            ScalarStyle.Plain or ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted => ReadFlow(text.Text, start, scalar.Style, value.Length),
            ScalarStyle.Literal or ScalarStyle.Folded => ReadBlock(text.Text, start, scalar.Style == ScalarStyle.Folded),
            _ => null,
        };

        // A re-read that does not give back the parser's value (an exotic form) points at the scalar's start, never at a wrong place.
        if (map is not null && !map.Value.Text.TrimEnd('\n').Equals(value.TrimEnd('\n'), StringComparison.Ordinal))
        {
            map = null;
        }

        return new ScalarPositions(text, map?.Indexes, start);
    }

    /// <summary>The file position of the value's character at <paramref name="offset"/> (the end of the value for an offset past it).</summary>
    public (int Line, int Column) At(int offset)
    {
        if (_sourceIndex is null || _sourceIndex.Length == 0)
        {
            return _text.Position(_fallbackIndex);
        }

        if (offset < _sourceIndex.Length)
        {
            return _text.Position(_sourceIndex[Math.Max(offset, 0)]);
        }

        return _text.Position(_sourceIndex[^1] + 1);
    }

    private static (string Text, int[] Indexes)? ReadFlow(string text, int start, ScalarStyle style, int length)
    {
        var output = new StringBuilder();
        var indexes = new List<int>();
        var rawWhitespace = new List<bool>();
        var quote = style switch
        {
            ScalarStyle.SingleQuoted => '\'',
            ScalarStyle.DoubleQuoted => '"',
            _ => '\0',
        };
        var i = quote == '\0' ? start : start + 1;

        void Emit(char c, int at, bool raw = false)
        {
            output.Append(c);
            indexes.Add(at);
            rawWhitespace.Add(raw);
        }

        while (i < text.Length)
        {
            if (quote == '\0' && output.Length >= length)
            {
                break;
            }

            var c = text[i];
            if (quote != '\0' && c == quote)
            {
                if (quote == '\'' && i + 1 < text.Length && text[i + 1] == '\'')
                {
                    Emit('\'', i);
                    i += 2;
                    continue;
                }

                break;
            }

            if (quote == '"' && c == '\\' && i + 1 < text.Length)
            {
                var e = text[i + 1];
                if (e is '\r' or '\n')
                {
                    i = SkipBreak(text, i + 1);
                    while (i < text.Length && text[i] is ' ' or '\t')
                    {
                        i++;
                    }

                    continue;
                }

                var hexLength = e switch { 'x' => 2, 'u' => 4, 'U' => 8, _ => 0 };
                if (hexLength > 0)
                {
                    if (i + 2 + hexLength > text.Length
                        || !int.TryParse(text.AsSpan(i + 2, hexLength), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        return null;
                    }

                    foreach (var ch in char.ConvertFromUtf32(code))
                    {
                        Emit(ch, i);
                    }

                    i += 2 + hexLength;
                    continue;
                }

                char? escaped = e switch
                {
                    '0' => '\0', 'a' => '\a', 'b' => '\b', 't' or '\t' => '\t', 'n' => '\n', 'v' => '\v', 'f' => '\f',
                    'r' => '\r', 'e' => '\u001b', ' ' => ' ', '"' => '"', '/' => '/', '\\' => '\\', 'N' => '\u0085',
                    '_' => '\u00a0', 'L' => '\u2028', 'P' => '\u2029', _ => null,
                };
                if (escaped is null)
                {
                    return null;
                }

                Emit(escaped.Value, i);
                i += 2;
                continue;
            }

            if (c is '\r' or '\n')
            {
                // Line folding: trailing blanks go, the break becomes a space, or n newlines for n empty lines.
                while (rawWhitespace.Count > 0 && rawWhitespace[^1])
                {
                    output.Length--;
                    indexes.RemoveAt(indexes.Count - 1);
                    rawWhitespace.RemoveAt(rawWhitespace.Count - 1);
                }

                var breakAt = i;
                i = SkipBreak(text, i);
                var emptyLines = 0;
                while (true)
                {
                    while (i < text.Length && text[i] is ' ' or '\t')
                    {
                        i++;
                    }

                    if (i < text.Length && text[i] is '\r' or '\n')
                    {
                        emptyLines++;
                        i = SkipBreak(text, i);
                        continue;
                    }

                    break;
                }

                if (emptyLines == 0)
                {
                    Emit(' ', breakAt);
                }

                for (var n = 0; n < emptyLines; n++)
                {
                    Emit('\n', breakAt);
                }

                continue;
            }

            Emit(c, i, raw: c is ' ' or '\t');
            i++;
        }

        return (output.ToString(), indexes.ToArray());
    }

    private static (string Text, int[] Indexes)? ReadBlock(string text, int start, bool folded)
    {
        var i = text.IndexOf('\n', start);
        if (i < 0)
        {
            return null;
        }

        i++;
        var lines = new List<(int ContentStart, int ContentEnd, int BreakAt)>();
        var indent = -1;
        while (i < text.Length)
        {
            var lineEnd = text.IndexOf('\n', i);
            if (lineEnd < 0)
            {
                lineEnd = text.Length;
            }

            var contentEnd = lineEnd > i && text[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            var spaces = 0;
            while (i + spaces < contentEnd && text[i + spaces] == ' ')
            {
                spaces++;
            }

            var empty = i + spaces == contentEnd;
            if (!empty && indent < 0)
            {
                indent = spaces;
            }

            if (!empty && spaces < indent)
            {
                break;
            }

            if (!empty && indent == 0)
            {
                break;
            }

            lines.Add(empty ? (contentEnd, contentEnd, contentEnd) : (i + indent, contentEnd, contentEnd));
            i = lineEnd + 1;
        }

        while (lines.Count > 0 && lines[^1].ContentStart == lines[^1].ContentEnd)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        var output = new StringBuilder();
        var indexes = new List<int>();
        for (var n = 0; n < lines.Count; n++)
        {
            var (contentStart, contentEnd, breakAt) = lines[n];
            for (var k = contentStart; k < contentEnd; k++)
            {
                output.Append(text[k]);
                indexes.Add(k);
            }

            if (n == lines.Count - 1)
            {
                break;
            }

            var next = lines[n + 1];
            var thisNormal = contentEnd > contentStart && text[contentStart] is not ' ' and not '\t';
            var nextNormal = next.ContentEnd > next.ContentStart && text[next.ContentStart] is not ' ' and not '\t';
            var nextEmpty = next.ContentEnd == next.ContentStart;
            if (folded && thisNormal && nextNormal)
            {
                output.Append(' ');
                indexes.Add(breakAt);
            }
            else if (folded && thisNormal && nextEmpty)
            {
                // The break before a run of empty lines is dropped; each empty line gives one newline.
                continue;
            }
            else
            {
                output.Append('\n');
                indexes.Add(breakAt);
            }
        }

        return (output.ToString(), indexes.ToArray());
    }

    private static int SkipBreak(string text, int i) =>
        text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n' ? i + 2 : i + 1;
}

/// <summary>A file's text with its line starts, to turn a character index into a 1-based line and column.</summary>
internal sealed class SourceText
{
    private readonly List<int> _lineStarts = [0];

    public SourceText(string text)
    {
        Text = text;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    public string Text { get; }

    public (int Line, int Column) Position(int index)
    {
        var line = _lineStarts.BinarySearch(index);
        if (line < 0)
        {
            line = ~line - 1;
        }

        return (line + 1, index - _lineStarts[line] + 1);
    }
}
