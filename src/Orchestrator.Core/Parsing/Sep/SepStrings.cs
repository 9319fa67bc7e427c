namespace Orchestrator.Core.Parsing.Sep;

/// <summary>
/// A small per-thread cache of recent short values (actions, scan types, group and user names),
/// so a stream of similar SEP lines does not allocate the same strings again and again.
/// </summary>
/// <remarks>A lossy direct-mapped table: a collision only costs an allocation, never a wrong string.</remarks>
internal static class SepStrings
{
    private const int Size = 4096;
    private const int MaxLength = 40;

    [ThreadStatic]
    private static string?[]? t_pool;

    /// <summary>The string for <paramref name="value"/>, from the cache when seen recently.</summary>
    public static string Get(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return string.Empty;
        }

        if (value.Length > MaxLength)
        {
            return value.ToString();
        }

        var pool = t_pool ??= new string?[Size];
        var hash = 2166136261u;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 16777619u;
        }

        ref var slot = ref pool[(int)(hash & (Size - 1))];
        if (slot is not null && value.SequenceEqual(slot))
        {
            return slot;
        }

        slot = value.ToString();
        return slot;
    }
}
