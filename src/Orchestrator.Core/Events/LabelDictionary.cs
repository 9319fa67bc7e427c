using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace Orchestrator.Core.Events;

/// <summary>
/// The labels of one event (vendor fields with no ECS home): string keys compared ordinally, each
/// with one string value, enumerated in the order they were first set.
/// </summary>
/// <remarks>
/// Most events carry a dozen labels or fewer, so they live in one array of pairs rather than a
/// hash table: one allocation, and lookups scan a few entries. A 64-bit filter of key shapes lets
/// most new keys skip the scan, and past <see cref="IndexThreshold"/> labels a key index keeps
/// wide rows linear to build.
/// </remarks>
public sealed class LabelDictionary : IReadOnlyDictionary<string, string>
{
    private const int IndexThreshold = 16;

    private KeyValuePair<string, string>[] _items;
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
        _items = capacity == 0 ? [] : new KeyValuePair<string, string>[capacity];
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
            _items[at] = new KeyValuePair<string, string>(_items[at].Key, value);
            return;
        }

        if (_count == _items.Length)
        {
            Array.Resize(ref _items, Math.Max(4, _count * 2));
        }

        _items[_count] = new KeyValuePair<string, string>(key, value);
        _keyFilter |= FilterBit(key);
        if (_index is not null)
        {
            _index[key] = _count;
        }
        else if (_count == IndexThreshold)
        {
            BuildIndex();
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

        value = _items[at].Value;
        return true;
    }

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<string, string>> IEnumerable<KeyValuePair<string, string>>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

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
            if (string.Equals(_items[i].Key, key, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private void BuildIndex()
    {
        var index = new Dictionary<string, int>(_items.Length, StringComparer.Ordinal);
        for (var i = 0; i <= _count; i++)
        {
            index[_items[i].Key] = i;
        }

        _index = index;
    }

    // Length and the two end characters tell most label names apart without reading them whole.
    private static ulong FilterBit(string key) =>
        key.Length == 0 ? 1UL : 1UL << (((key.Length * 7) + key[0] + (key[^1] * 3)) & 63);

    /// <summary>Enumerates the labels in the order they were first set, without allocating.</summary>
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

            Current = _labels._items[_next++];
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
