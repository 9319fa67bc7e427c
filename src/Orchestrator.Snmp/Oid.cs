using System.Globalization;
using System.Text;

namespace Orchestrator.Snmp;

/// <summary>An SNMP object identifier such as 1.3.6.1.2.1.1.1.0: 2 to 128 arcs, each 0..2^32-1, ordered lexicographically.</summary>
public sealed class Oid : IEquatable<Oid>, IComparable<Oid>
{
    private readonly uint[] arcs;

    public Oid(params ReadOnlySpan<uint> arcs)
    {
        Validate(arcs);
        this.arcs = arcs.ToArray();
    }

    private Oid(uint[] arcs)
    {
        this.arcs = arcs;
    }

    /// <summary>The arcs of this identifier.</summary>
    public ReadOnlyMemory<uint> Arcs => arcs;

    public int Length => arcs.Length;

    public static bool operator ==(Oid? left, Oid? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(Oid? left, Oid? right) => !(left == right);

    public static bool operator <(Oid left, Oid right) => Compare(left, right) < 0;

    public static bool operator >(Oid left, Oid right) => Compare(left, right) > 0;

    public static bool operator <=(Oid left, Oid right) => Compare(left, right) <= 0;

    public static bool operator >=(Oid left, Oid right) => Compare(left, right) >= 0;

    /// <summary>Parses dotted decimal ("1.3.6.1.2.1.1.1.0"; a leading dot is allowed, as net-snmp prints it).</summary>
    public static Oid Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ReadOnlySpan<char> span = text.AsSpan();
        if (span.StartsWith('.'))
        {
            span = span[1..];
        }

        List<uint> parsed = [];
        foreach (Range range in span.Split('.'))
        {
            if (!uint.TryParse(span[range], NumberStyles.None, CultureInfo.InvariantCulture, out uint arc))
            {
                throw new FormatException($"'{text}' is not an object identifier: each arc must be a number 0..4294967295 (e.g. 1.3.6.1.2.1.1.1.0).");
            }

            parsed.Add(arc);
        }

        try
        {
            return new Oid(parsed.ToArray().AsSpan());
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"'{text}' is not an object identifier: {e.Message}", e);
        }
    }

    public static int Compare(Oid? left, Oid? right)
    {
        if (ReferenceEquals(left, right))
        {
            return 0;
        }

        if (left is null)
        {
            return -1;
        }

        if (right is null)
        {
            return 1;
        }

        return left.arcs.AsSpan().SequenceCompareTo(right.arcs);
    }

    /// <summary>True when this identifier equals <paramref name="prefix"/> or lies under it.</summary>
    public bool StartsWith(Oid prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        return arcs.AsSpan().StartsWith(prefix.arcs);
    }

    /// <summary>True when this identifier lies strictly under <paramref name="root"/>, as a walk of that subtree returns.</summary>
    public bool IsDescendantOf(Oid root)
    {
        ArgumentNullException.ThrowIfNull(root);
        return arcs.Length > root.arcs.Length && StartsWith(root);
    }

    /// <summary>This identifier with more arcs appended, e.g. a column plus an index.</summary>
    public Oid Append(params ReadOnlySpan<uint> more)
    {
        uint[] combined = new uint[arcs.Length + more.Length];
        arcs.CopyTo(combined, 0);
        more.CopyTo(combined.AsSpan(arcs.Length));
        return new Oid(combined.AsSpan());
    }

    public int CompareTo(Oid? other) => Compare(this, other);

    public bool Equals(Oid? other) => other is not null && arcs.AsSpan().SequenceEqual(other.arcs);

    public override bool Equals(object? obj) => obj is Oid other && Equals(other);

    public override int GetHashCode()
    {
        HashCode hash = default;
        foreach (uint arc in arcs)
        {
            hash.Add(arc);
        }

        return hash.ToHashCode();
    }

    public override string ToString()
    {
        StringBuilder text = new(arcs.Length * 4);
        for (int i = 0; i < arcs.Length; i++)
        {
            if (i > 0)
            {
                text.Append('.');
            }

            text.Append(arcs[i].ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>For the BER decoder, which has already enforced the rules <see cref="Validate"/> checks.</summary>
    internal static Oid FromValidatedArcs(uint[] arcs) => new(arcs);

    private static void Validate(ReadOnlySpan<uint> arcs)
    {
        if (arcs.Length < 2 || arcs.Length > 128)
        {
            throw new ArgumentException($"an object identifier has 2 to 128 arcs, not {arcs.Length}.", nameof(arcs));
        }

        // X.690 8.19.4: the first two arcs share one sub-identifier, so arc 1 is 0, 1 or 2 and under 0 or 1 arc 2 is below 40.
        if (arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40))
        {
            throw new ArgumentException("the first arc must be 0, 1 or 2, and the second below 40 unless the first is 2.", nameof(arcs));
        }
    }
}
