using System.Runtime.InteropServices;

namespace Orchestrator.Core.Parsing.Sep;

/// <summary>
/// A small per-thread cache of recent short values (actions, scan types, group and user names),
/// so a stream of similar SEP lines does not allocate the same strings again and again.
/// </summary>
/// <remarks>A lossy direct-mapped table: a collision only costs an allocation, never a wrong string.</remarks>
internal static class SepStrings
{
    private const int SizeBits = 9;
    private const int Size = 1 << SizeBits;
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
        ref var slot = ref pool[Slot(value)];
        if (slot is not null && value.SequenceEqual(slot))
        {
            return slot;
        }

        slot = value.ToString();
        return slot;
    }

    // Constant-time: the first and last four characters and the length, which tell apart the
    // values SEP repeats (timestamps differ at the end, host and user names at either end).
    private static int Slot(ReadOnlySpan<char> value)
    {
        ulong head;
        ulong tail;
        if (value.Length >= 4)
        {
            head = MemoryMarshal.Read<ulong>(MemoryMarshal.AsBytes(value[..4]));
            tail = MemoryMarshal.Read<ulong>(MemoryMarshal.AsBytes(value[^4..]));
        }
        else
        {
            head = value[0];
            tail = value[^1];
        }

        var hash = ((head * 0x9E3779B97F4A7C15UL) ^ tail ^ (ulong)value.Length) * 0xC2B2AE3D27D4EB4FUL;
        return (int)(hash >> (64 - SizeBits));
    }
}
