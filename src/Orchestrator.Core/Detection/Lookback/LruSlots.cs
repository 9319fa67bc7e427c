namespace Orchestrator.Core.Detection.Lookback;

/// <summary>
/// Keys held in numbered slots (0 to capacity − 1) in order of last use. Callers keep their data
/// in arrays by slot; when all slots are taken a new key gets the least recently used one, and the
/// caller reuses what is there. The order is a doubly linked list through two int arrays, so
/// a touch or an eviction is O(1) and allocates nothing. Not thread-safe.
/// </summary>
internal sealed class LruSlots<TKey>
    where TKey : notnull
{
    private const int None = -1;

    private readonly Dictionary<TKey, int> _slots;
    private readonly int _capacity;
    private TKey[] _keys = [];
    private int[] _newer = [];
    private int[] _older = [];
    private int _newest = None;
    private int _oldest = None;

    public LruSlots(int capacity, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _slots = new Dictionary<TKey, int>(comparer);
    }

    public int Count => _slots.Count;

    /// <summary>Slots allocated so far (arrays grow by doubling up to the capacity).</summary>
    public int AllocatedSlots => _keys.Length;

    /// <summary>Entries the key map has room for, to estimate its memory.</summary>
    public int MapCapacity => _slots.EnsureCapacity(0);

    public bool TryGet(TKey key, out int slot) => _slots.TryGetValue(key, out slot);

    public TKey KeyAt(int slot) => _keys[slot];

    /// <summary>Marks <paramref name="slot"/> as the most recently used.</summary>
    public void Touch(int slot)
    {
        if (slot != _newest)
        {
            Unlink(slot);
            LinkNewest(slot);
        }
    }

    /// <summary>
    /// Gives <paramref name="key"/> (not present) a slot, most recently used: a fresh one while
    /// below capacity, else the least recently used one, whose key comes back in <paramref name="evictedKey"/>.
    /// </summary>
    public int Add(TKey key, out bool evicted, out TKey? evictedKey)
    {
        int slot;
        if (_slots.Count < _capacity)
        {
            slot = _slots.Count;
            if (slot == _keys.Length)
            {
                var length = (int)Math.Min(_capacity, Math.Max(16L, _keys.Length * 2L));
                Array.Resize(ref _keys, length);
                Array.Resize(ref _newer, length);
                Array.Resize(ref _older, length);
            }

            evicted = false;
            evictedKey = default;
        }
        else
        {
            slot = _oldest;
            evictedKey = _keys[slot];
            evicted = true;
            _slots.Remove(evictedKey);
            Unlink(slot);
        }

        _keys[slot] = key;
        _slots.Add(key, slot);
        LinkNewest(slot);
        return slot;
    }

    private void Unlink(int slot)
    {
        var newer = _newer[slot];
        var older = _older[slot];
        if (newer == None)
        {
            _newest = older;
        }
        else
        {
            _older[newer] = older;
        }

        if (older == None)
        {
            _oldest = newer;
        }
        else
        {
            _newer[older] = newer;
        }
    }

    private void LinkNewest(int slot)
    {
        _newer[slot] = None;
        _older[slot] = _newest;
        if (_newest != None)
        {
            _newer[_newest] = slot;
        }

        _newest = slot;
        if (_oldest == None)
        {
            _oldest = slot;
        }
    }
}
