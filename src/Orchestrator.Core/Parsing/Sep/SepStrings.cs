using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Orchestrator.Core.Parsing.Sep;

/// <summary>
/// A small per-thread cache of recent short values (actions, scan types, group and user names),
/// so a stream of similar SEP lines does not allocate the same strings again and again.
/// </summary>
/// <remarks>A lossy direct-mapped table: a collision only costs an allocation, never a wrong string.</remarks>
internal sealed class SepStrings
{
    private const int SizeBits = 9;
    private const int Size = 1 << SizeBits;
    private const int MaxLength = 40;

    [ThreadStatic]
    private static SepStrings? t_current;

    // Entries are structs so that taking a ref to one needs no array covariance check.
    private readonly Entry[] _entries = new Entry[Size];

    /// <summary>The cache of the calling thread.</summary>
    public static SepStrings Current => t_current ??= new SepStrings();

    /// <summary>The string for <paramref name="value"/>, from the cache when seen recently.</summary>
    public string Get(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return string.Empty;
        }

        if (value.Length > MaxLength)
        {
            return value.ToString();
        }

        ref var slot = ref _entries[Slot(value)].Value;
        if (slot is not null && value.SequenceEqual(slot))
        {
            return slot;
        }

        slot = value.ToString();
        return slot;
    }

    // Constant-time: the first and last four characters and the length, which tell apart the
    // values SEP repeats (timestamps differ at the end, host and user names at either end).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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

    private struct Entry
    {
        public string? Value;
    }
}
