using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Orchestrator.Core.Events;

/// <summary>
/// Writes and reads the canonical event as nested ECS JSON (<c>{"source":{"ip":"..."}}</c>).
/// </summary>
/// <remarks>
/// Written: every <see cref="EcsFields"/> field that is set (null, empty strings and a default
/// timestamp are left out), nested by its dotted path; <c>orchestrator.id</c> when the store id is
/// not 0; <c>labels</c> as an object of strings. Timestamps are UTC in the round-trip "O" form
/// (<c>2020-10-19T07:30:46.2510000Z</c>), numbers are JSON numbers, IPs and MACs strings.
/// Read: nested objects and flat dotted keys (<c>"source.ip"</c>) alike, in any mix. For a
/// canonical field given an array (ECS allows <c>host.ip: [...]</c>, <c>event.category: [...]</c>)
/// the first element is taken and, when there are more, the whole array is also kept as the label
/// of that path, comma-joined. Other scalars and arrays of scalars become labels keyed by their
/// dotted path (<c>"labels.site"</c> is the label <c>site</c>); arrays of objects are dropped (the
/// original text keeps them). A value that does not fit its field's type
/// (<c>"source.ip": "not-an-ip"</c>) does not fail the event: it is kept as the label
/// <c>invalid.&lt;path&gt;</c>. No exception escapes on bad input.
/// </remarks>
public static class SecurityEventJson
{
    /// <summary>The label prefix for a value that did not parse as its field's type.</summary>
    public const string InvalidLabelPrefix = "invalid.";

    private const string IdPath = "orchestrator.id";
    private const string LabelsPath = "labels";

    // Printed for people and logs, never into HTML: keep quotes, non-ASCII and '<' readable.
    /// <summary>Writer options that keep quotes, '&lt;' and non-ASCII readable: for JSON that is printed or served as JSON, never embedded in HTML.</summary>
    public static JsonWriterOptions ReadableOutput { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly UTF8Encoding ThrowingUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly JsonEncodedText LabelsName = JsonEncodedText.Encode(LabelsPath);

    // The fields in write order, grouped so that fields sharing a parent object are adjacent
    // (the registry's order need not guarantee that), with their path segments pre-encoded.
    private static readonly WriteSlot[] Slots = BuildSlots();

    /// <summary>Writes one event as a nested ECS JSON object.</summary>
    public static void Write(Utf8JsonWriter writer, SecurityEvent evt)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(evt);

        writer.WriteStartObject();
        JsonEncodedText[]? open = null;
        var openDepth = 0;
        foreach (var slot in Slots)
        {
            var value = slot.Field is null ? (evt.Id != 0 ? evt.Id : null) : slot.Field.Get(evt);
            if (value is null or "" || (value is DateTimeOffset time && time == default))
            {
                continue;
            }

            var parents = slot.Segments.Length - 1;
            var common = 0;
            while (common < openDepth && common < parents && open![common].Equals(slot.Segments[common]))
            {
                common++;
            }

            for (; openDepth > common; openDepth--)
            {
                writer.WriteEndObject();
            }

            for (var i = common; i < parents; i++)
            {
                writer.WriteStartObject(slot.Segments[i]);
            }

            open = slot.Segments;
            openDepth = parents;
            WriteValue(writer, slot.Segments[^1], value);
        }

        for (; openDepth > 0; openDepth--)
        {
            writer.WriteEndObject();
        }

        if (evt.Labels is { Count: > 0 } labels)
        {
            writer.WriteStartObject(LabelsName);
            for (var i = 0; i < labels.Count; i++)
            {
                writer.WriteString(labels.KeyAt(i), labels.ValueSpanAt(i));
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>One event as a single line of nested ECS JSON.</summary>
    public static string Serialize(SecurityEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, ReadableOutput))
        {
            Write(writer, evt);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// Reads one JSON object into a new event; false with a reason (invalid JSON with its line and
    /// byte, or not an object) otherwise. Never throws on bad input.
    /// </summary>
    public static bool TryRead(string json, [NotNullWhen(true)] out SecurityEvent? evt, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(json);
        evt = null;
        var read = new SecurityEvent();
        if (!TryReadInto(json, read, out error))
        {
            return false;
        }

        evt = read;
        return true;
    }

    /// <summary>Like <see cref="TryReadInto(ReadOnlySpan{byte}, SecurityEvent, out string?)"/> for text; a lone UTF-16 surrogate is refused.</summary>
    internal static bool TryReadInto(string json, SecurityEvent evt, [NotNullWhen(false)] out string? error)
    {
        var utf8 = ArrayPool<byte>.Shared.Rent(ThrowingUtf8.GetMaxByteCount(json.Length));
        try
        {
            int length;
            try
            {
                length = ThrowingUtf8.GetBytes(json, utf8);
            }
            catch (EncoderFallbackException ex)
            {
                error = $"invalid text: {ex.Message}";
                return false;
            }

            return TryReadInto(utf8.AsSpan(0, length), evt, out error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    /// <summary>
    /// Checks that <paramref name="utf8Json"/> is one JSON object and sets the fields and labels
    /// found in it (nested or dotted) on <paramref name="evt"/>, in one pass over the bytes. False
    /// with a reason otherwise: a syntax error (1-based line and byte) is reported before anything
    /// else wrong in the same text, as a parse followed by a walk would. Never throws on bad input.
    /// </summary>
    internal static bool TryReadInto(ReadOnlySpan<byte> utf8Json, SecurityEvent evt, [NotNullWhen(false)] out string? error)
    {
        var reader = new Utf8JsonReader(utf8Json);
        var path = new PathBuilder(ArrayPool<char>.Shared.Rent(128));
        try
        {
            try
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    var kind = reader.TokenType;
                    ReadToEnd(ref reader);
                    error = $"expected one JSON object, got {DescribeToken(kind)}";
                    return false;
                }

                try
                {
                    ReadObject(ref reader, ref path, evt);
                }
                catch (InvalidOperationException ex)
                {
                    // The reader accepts escaped lone surrogates ("\ud800"), which only fail when the string is read.
                    ReadToEnd(ref reader);
                    error = $"invalid JSON string: {ex.Message}";
                    return false;
                }

                ReadToEnd(ref reader);
                error = null;
                return true;
            }
            catch (JsonException ex)
            {
                error = SyntaxError(ex);
                return false;
            }
        }
        finally
        {
            path.Dispose();
        }
    }

    /// <summary>
    /// Parses <paramref name="json"/> and checks it is one JSON object; the error names the line
    /// and byte (both 1-based) of a syntax error.
    /// </summary>
    internal static bool TryParseObject(string json, [NotNullWhen(true)] out JsonDocument? document, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(json);
        document = null;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (ArgumentException ex)
        {
            // A lone UTF-16 surrogate cannot be transcoded to UTF-8.
            error = $"invalid text: {ex.Message}";
            return false;
        }
        catch (JsonException ex)
        {
            error = SyntaxError(ex);
            return false;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            error = $"expected one JSON object, got {DescribeKind(document.RootElement.ValueKind)}";
            document.Dispose();
            document = null;
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>
    /// Runs a walk over a parsed document. The parser accepts escaped lone surrogates
    /// (<c>"\ud800"</c>), which only fail when the string is read; that is bad input, not a bug.
    /// </summary>
    internal static bool TryWalk(Action walk, [NotNullWhen(false)] out string? error)
    {
        try
        {
            walk();
            error = null;
            return true;
        }
        catch (InvalidOperationException ex)
        {
            error = $"invalid JSON string: {ex.Message}";
            return false;
        }
    }

    /// <summary>The text of a scalar JSON value (strings as is, numbers and booleans as written), or null.</summary>
    internal static string? ScalarText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };

    // The reader is at the object's StartObject; it is left at its EndObject.
    private static void ReadObject(ref Utf8JsonReader reader, ref PathBuilder path, SecurityEvent evt)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var parentLength = path.Append(ref reader);
            reader.Read();
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject when path.Chars is LabelsPath:
                    ReadLabels(ref reader, evt);
                    break;
                case JsonTokenType.StartObject:
                    ReadObject(ref reader, ref path, evt);
                    break;
                case JsonTokenType.StartArray:
                    ReadArray(ref reader, path.Chars, evt);
                    break;
                default:
                    ReadScalar(ref reader, path.Chars, evt);
                    break;
            }

            path.Truncate(parentLength);
        }
    }

    private static void ReadLabels(ref Utf8JsonReader reader, SecurityEvent evt)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            // The name is read only when the value is kept, so a bad name beside a dropped value is no error.
            var atName = reader;
            reader.Read();
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
            }
            else if (ScalarText(ref reader) is { } text)
            {
                evt.SetLabel(atName.GetString()!, text);
            }
        }
    }

    private static void ReadArray(ref Utf8JsonReader reader, ReadOnlySpan<char> path, SecurityEvent evt)
    {
        string? first = null;
        StringBuilder? all = null;
        var count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }

            if (ScalarText(ref reader) is not { } text)
            {
                continue;
            }

            if (count == 0)
            {
                first = text;
            }
            else
            {
                all ??= new StringBuilder(first);
                all.Append(',').Append(text);
            }

            count++;
        }

        if (first is null)
        {
            return;
        }

        if (EcsFields.TryGet(path, out _) || path is IdPath)
        {
            SetPath(evt, path, first);
            if (all is not null)
            {
                evt.SetLabel(path.ToString(), all.ToString());
            }
        }
        else
        {
            evt.SetLabel(path.ToString(), all?.ToString() ?? first);
        }
    }

    private static void ReadScalar(ref Utf8JsonReader reader, ReadOnlySpan<char> path, SecurityEvent evt)
    {
        if (!EcsFields.TryGet(path, out var field))
        {
            if (ScalarText(ref reader) is { } text)
            {
                SetPath(evt, path, text);
            }

            return;
        }

        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped && TrySetFromUtf8(ref reader, field, evt))
        {
            return;
        }

        if (ScalarText(ref reader) is { } scalar && !field.TrySet(evt, scalar))
        {
            evt.SetLabel(string.Concat(InvalidLabelPrefix, path), scalar);
        }
    }

    /// <summary>
    /// Sets an IP or a UTC timestamp straight from the string's bytes, without making a string of
    /// it; false leaves the value to the text path, which decides what it is and reports it.
    /// </summary>
    private static bool TrySetFromUtf8(ref Utf8JsonReader reader, EcsField field, SecurityEvent evt)
    {
        var utf8 = reader.ValueSpan;
        switch (field.Type)
        {
            case EcsFieldType.Ip:
                return IPAddress.TryParse(utf8, out var ip) && field.TrySet(evt, ip);
            case EcsFieldType.Timestamp:
                // Only ISO 8601 in UTC with at most 7 fraction digits ("2026-11-23T10:00:00.1234567Z"):
                // there the reader's value is exactly what the text parse gives.
                return utf8.Length is > 0 and <= 28 && utf8[^1] == (byte)'Z'
                    && reader.TryGetDateTimeOffset(out var time) && field.TrySet(evt, time.ToUniversalTime());
            default:
                return false;
        }
    }

    /// <summary>The text of the scalar at the reader (strings unescaped, numbers and booleans as written), or null.</summary>
    private static string? ScalarText(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        // A number token is never escaped: its bytes are its text.
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        _ => null,
    };

    private static void SetPath(SecurityEvent evt, ReadOnlySpan<char> path, string text)
    {
        if (path is IdPath)
        {
            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) && id >= 0)
            {
                evt.Id = id;
            }
            else
            {
                evt.SetLabel(InvalidLabelPrefix + IdPath, text);
            }

            return;
        }

        if (path.StartsWith(LabelsPath + ".", StringComparison.Ordinal))
        {
            evt.SetLabel(path[(LabelsPath.Length + 1)..].ToString(), text);
        }
        else if (!EcsFields.TryGet(path, out var field))
        {
            evt.SetLabel(path.ToString(), text);
        }
        else if (!field.TrySet(evt, text))
        {
            evt.SetLabel(string.Concat(InvalidLabelPrefix, path), text);
        }
    }

    private static void ReadToEnd(ref Utf8JsonReader reader)
    {
        while (reader.Read())
        {
        }
    }

    private static string SyntaxError(JsonException ex) => string.Create(
        CultureInfo.InvariantCulture,
        $"invalid JSON at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}: {TrimPosition(ex.Message)}");

    private static void WriteValue(Utf8JsonWriter writer, JsonEncodedText name, object value)
    {
        switch (value)
        {
            case string s:
                writer.WriteString(name, s);
                break;
            case long l:
                writer.WriteNumber(name, l);
                break;
            case int i:
                writer.WriteNumber(name, i);
                break;
            case DateTimeOffset t:
                Span<char> time = stackalloc char[40];
                t.UtcDateTime.TryFormat(time, out var written, "O", CultureInfo.InvariantCulture);
                writer.WriteString(name, time[..written]);
                break;
            case IPAddress ip:
                Span<char> address = stackalloc char[64];
                if (ip.TryFormat(address, out var length))
                {
                    writer.WriteString(name, address[..length]);
                }
                else
                {
                    writer.WriteString(name, ip.ToString());
                }

                break;
            default:
                writer.WriteString(name, Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static WriteSlot[] BuildSlots()
    {
        var paths = new List<(string Path, EcsField? Field)>();
        foreach (var field in EcsFields.All)
        {
            paths.Add((field.Path, field));
            if (field.Path == "orchestrator.kind")
            {
                paths.Insert(paths.Count - 1, (IdPath, null));
            }
        }

        if (!paths.Exists(p => p.Path == IdPath))
        {
            paths.Insert(0, (IdPath, null));
        }

        // Stable grouping: each path goes right after the last path already placed that shares
        // its longest parent prefix, so siblings end up adjacent and the registry order is kept.
        var ordered = new List<(string Path, EcsField? Field)>();
        foreach (var entry in paths)
        {
            var at = ordered.Count;
            var parent = ParentOf(entry.Path);
            while (parent is not null)
            {
                var last = ordered.FindLastIndex(p => p.Path.StartsWith(parent + ".", StringComparison.Ordinal));
                if (last >= 0)
                {
                    at = last + 1;
                    break;
                }

                parent = ParentOf(parent);
            }

            ordered.Insert(at, entry);
        }

        var encoded = new Dictionary<string, JsonEncodedText>(StringComparer.Ordinal);
        return ordered.Select(p => new WriteSlot(
            p.Path.Split('.').Select(s => encoded.TryGetValue(s, out var e) ? e : encoded[s] = JsonEncodedText.Encode(s)).ToArray(),
            p.Field)).ToArray();
    }

    private static string? ParentOf(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot < 0 ? null : path[..dot];
    }

    private static string TrimPosition(string message)
    {
        var at = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return at < 0 ? message : message[..at];
    }

    /// <summary>What a JSON token is, for error messages ("an array", "a string", …).</summary>
    internal static string DescribeToken(JsonTokenType token) => token switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => "something else",
    };

    private static string DescribeKind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "something else",
    };

    private sealed record WriteSlot(JsonEncodedText[] Segments, EcsField? Field);

    /// <summary>The dotted path of the property being read, built in a pooled buffer so known fields are found without a string.</summary>
    private ref struct PathBuilder(char[] buffer)
    {
        private char[] _buffer = buffer;
        private int _length;

        public readonly ReadOnlySpan<char> Chars => _buffer.AsSpan(0, _length);

        /// <summary>Appends the property name at the reader (unescaped) after a dot; returns the length to truncate back to.</summary>
        public int Append(ref Utf8JsonReader reader)
        {
            var parentLength = _length;
            // The reader runs over one span, and an unescaped name has at most as many UTF-16 chars as UTF-8 bytes.
            var needed = _length + 1 + reader.ValueSpan.Length;
            if (needed > _buffer.Length)
            {
                var larger = ArrayPool<char>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
                Chars.CopyTo(larger);
                ArrayPool<char>.Shared.Return(_buffer);
                _buffer = larger;
            }

            if (_length > 0)
            {
                _buffer[_length++] = '.';
            }

            _length += reader.CopyString(_buffer.AsSpan(_length));
            return parentLength;
        }

        public void Truncate(int length) => _length = length;

        public void Dispose() => ArrayPool<char>.Shared.Return(_buffer);
    }
}
