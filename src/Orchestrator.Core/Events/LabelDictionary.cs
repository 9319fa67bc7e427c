using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Orchestrator.Core.Events;

/// <summary>
/// The labels of one event (vendor fields with no ECS home): string keys compared ordinally, each
/// with one string value, enumerated in the order they were first set.
/// </summary>
/// <remarks>
/// Most events carry a dozen labels or fewer, so keys and values live in arrays rather than a
/// hash table, and lookups scan a few entries. A 64-bit filter of key shapes lets most new keys
/// skip the scan, and past <see cref="IndexThreshold"/> labels a key index keeps wide rows linear
/// to build. A parser may hand over a key array shared by many events (copied before the first
/// new key is added) and values as slices of a source text (the event's original line), so an
/// event waiting for its batch holds two small arrays instead of a string per value; a slice
/// becomes a string only when it is read.
/// </remarks>
public sealed class LabelDictionary : IReadOnlyDictionary<string, string>
{
    private const int IndexThreshold = 16;

    private string[] _keys;
    private bool _keysShared;

    // Value i is _values[i] when that is set, else the slice _slices[i] of _source.
    private string?[]? _values;
    private Slice[]? _slices;
    private readonly string? _source;

    private int _count;
    private ulong _keyFilter;
    private Dictionary<string, int>? _index;

    /// <summary>Creates an empty set of labels.</summary>
    public LabelDictionary()
        : this(0)
    {
    }

    /// <summary>Creates an empty set of labels with room for <paramref name="capacity"/> of them.</summary>
    public LabelDictionary(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _keys = capacity == 0 ? [] : new string[capacity];
    }

    /// <summary>
    /// Labels whose keys are <paramref name="keys"/> (distinct, kept shared and never written) and
    /// whose values are <paramref name="slices"/> of <paramref name="source"/>, except where
    /// <paramref name="values"/> (when given) holds a string.
    /// </summary>
    internal LabelDictionary(string[] keys, string source, Slice[] slices, string?[]? values)
    {
        _keys = keys;
        _keysShared = true;
        _source = source;
        _slices = slices;
        _values = values;
        _count = keys.Length;
        foreach (var key in keys)
        {
            _keyFilter |= FilterBit(key);
        }

        if (_count > IndexThreshold)
        {
            BuildIndex();
        }
    }

    public int Count => _count;

    /// <summary>The value of <paramref name="key"/>; setting it adds the label or replaces its value in place.</summary>
    /// <exception cref="KeyNotFoundException">Reading a key that is not set.</exception>
    public string this[string key]
    {
        get => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"the event has no label '{key}'");
        set => Set(key, value);
    }

    public IEnumerable<string> Keys => this.Select(pair => pair.Key);

    public IEnumerable<string> Values => this.Select(pair => pair.Value);

    /// <summary>Adds the label, or replaces the value of the one already set under <paramref name="key"/>.</summary>
    public void Set(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var at = IndexOf(key);
        if (at >= 0)
        {
            ValuesForWrite()[at] = value;
            return;
        }

        if (_count == _keys.Length || _keysShared)
        {
            Grow();
        }

        _keys[_count] = key;
        ValuesForWrite()[_count] = value;
        _keyFilter |= FilterBit(key);
        if (_index is not null)
        {
            _index[key] = _count;
        }
        else if (_count == IndexThreshold)
        {
            _count++;
            BuildIndex();
            return;
        }

        _count++;
    }

    public bool ContainsKey(string key) => IndexOf(key) >= 0;

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        var at = IndexOf(key);
        if (at < 0)
        {
            value = null;
            return false;
        }

        value = ValueAt(at);
        return true;
    }

    /// <summary>The value of <paramref name="key"/> as characters, without making a string of a slice.</summary>
    internal bool TryGetValueSpan(string key, out ReadOnlySpan<char> value)
    {
        var at = IndexOf(key);
        if (at < 0)
        {
            value = default;
            return false;
        }

        value = ValueSpanAt(at);
        return true;
    }

    /// <summary>The key of the label at <paramref name="index"/> (in enumeration order).</summary>
    internal string KeyAt(int index) => _keys[index];

    /// <summary>The value of the label at <paramref name="index"/> as characters, without making a string of a slice.</summary>
    internal ReadOnlySpan<char> ValueSpanAt(int index) =>
        _values?[index] is { } text ? text : _source.AsSpan(_slices![index].Start, _slices[index].Length);

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<string, string>> IEnumerable<KeyValuePair<string, string>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private string ValueAt(int index) =>
        _values?[index] is { } text ? text : _source!.Substring(_slices![index].Start, _slices[index].Length);

    private string?[] ValuesForWrite() => _values ??= new string?[_keys.Length];

    // Keeps keys, values and slices the same length, and the keys our own from here on.
    private void Grow()
    {
        var capacity = _count == _keys.Length ? Math.Max(4, _count * 2) : _keys.Length;
        var keys = new string[capacity];
        Array.Copy(_keys, keys, _count);
        _keys = keys;
        _keysShared = false;
        if (_values is not null)
        {
            Array.Resize(ref _values, capacity);
        }

        if (_slices is not null)
        {
            Array.Resize(ref _slices, capacity);
        }
    }

    private int IndexOf(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_index is not null)
        {
            return _index.TryGetValue(key, out var indexed) ? indexed : -1;
        }

        if ((_keyFilter & FilterBit(key)) == 0)
        {
            return -1;
        }

        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_keys[i], key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private void BuildIndex()
    {
        var index = new Dictionary<string, int>(Math.Max(_keys.Length, _count), StringComparer.Ordinal);
        for (var i = 0; i < _count; i++)
        {
            index[_keys[i]] = i;
        }

        _index = index;
    }

    // Length and the two end characters tell most label names apart without reading them whole.
    private static ulong FilterBit(string key) =>
        key.Length == 0 ? 1UL : 1UL << (((key.Length * 7) + key[0] + (key[^1] * 3)) & 63);

    /// <summary>A value given as <see cref="Length"/> characters of the source text from <see cref="Start"/>.</summary>
    /// <remarks>16 bits each, half the size of ints: a value ending past <see cref="MaxEnd"/> is kept as a string instead.</remarks>
    internal readonly record struct Slice(ushort Start, ushort Length)
    {
        public const int MaxEnd = ushort.MaxValue;
    }

    /// <summary>Enumerates the labels in the order they were first set; a value held as a slice is made a string here.</summary>
    public struct Enumerator : IEnumerator<KeyValuePair<string, string>>
    {
        private readonly LabelDictionary _labels;
        private int _next;

        internal Enumerator(LabelDictionary labels)
        {
            _labels = labels;
            _next = 0;
            Current = default;
        }

        public KeyValuePair<string, string> Current { get; private set; }

        readonly object IEnumerator.Current => Current;

        public bool MoveNext()
        {
            if (_next >= _labels._count)
            {
                return false;
            }

            Current = new KeyValuePair<string, string>(_labels._keys[_next], _labels.ValueAt(_next));
            _next++;
            return true;
        }

        public void Reset()
        {
            _next = 0;
            Current = default;
        }

        public readonly void Dispose()
        {
        }
    }
}
