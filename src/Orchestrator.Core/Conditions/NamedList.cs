using System.Globalization;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Conditions;

/// <summary>
/// A list from the inventory, written <c>lists.NAME</c> on the right of <c>in</c>. Each entry matches as
/// text (ignoring case), and also as an address or CIDR network, a MAC address or a number when it reads as one.
/// </summary>
public sealed class NamedList
{
    private NamedList(string name, IReadOnlyList<string> entries)
    {
        Name = name;
        Entries = entries;
        Texts = new HashSet<string>(entries, StringComparer.OrdinalIgnoreCase);
        TextLookup = Texts.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public string Name { get; }

    /// <summary>The entries as written, blanks removed and each trimmed.</summary>
    public IReadOnlyList<string> Entries { get; }

    internal HashSet<string> Texts { get; }

    internal HashSet<string>.AlternateLookup<ReadOnlySpan<char>> TextLookup { get; }

    internal NetworkSet Networks { get; } = new();

    internal HashSet<ulong> Macs { get; } = [];

    internal HashSet<double> Numbers { get; } = [];

    /// <summary>Reads the entries; throws <see cref="FormatException"/> naming the entry for a CIDR network with host bits set or a bad prefix.</summary>
    public static NamedList Parse(string name, IEnumerable<string> entries)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(entries);
        var kept = entries.Select(e => e.Trim()).Where(e => e.Length > 0).ToList();
        var list = new NamedList(name, kept);
        foreach (var entry in kept)
        {
            if (NetworkSet.TryParseNetwork(entry, out var address, out var prefix, out var error))
            {
                list.Networks.Add(address, prefix);
            }
            else if (error is not null)
            {
                throw new FormatException($"list '{name}': {error}");
            }
            else if (MacAddress.TryParse(entry, out var mac))
            {
                list.Macs.Add(mac.Value);
            }

            if (double.TryParse(entry, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                list.Numbers.Add(number);
            }
        }

        return list;
    }
}
