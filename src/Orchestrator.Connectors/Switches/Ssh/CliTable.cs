using System.Net;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;

namespace Orchestrator.Connectors.Switches.Ssh;

/// <summary>
/// Fixed-column CLI tables (IOS <c>show interfaces status</c>, <c>show cdp neighbors</c>): a cell may hold
/// spaces (a port description, CDP's <c>Gig 1/0/48</c>), so cells are cut at the header's column starts
/// rather than split on blanks.
/// </summary>
public static class CliTable
{
    /// <summary>The header line (the first that holds every name) and the start of each named column in it; null when none.</summary>
    public static (int Line, int[] Starts)? Header(IReadOnlyList<string> lines, params string[] names)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(names);
        for (var i = 0; i < lines.Count; i++)
        {
            var starts = names.Select(n => lines[i].IndexOf(n, StringComparison.Ordinal)).ToArray();
            if (starts.All(s => s >= 0))
            {
                return (i, starts);
            }
        }

        return null;
    }

    /// <summary>The text of <paramref name="line"/> from <paramref name="start"/> to <paramref name="end"/> (or the end of the line), trimmed.</summary>
    public static string Cell(string line, int start, int? end = null)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (start >= line.Length)
        {
            return string.Empty;
        }

        var stop = Math.Min(end ?? line.Length, line.Length);
        return stop <= start ? string.Empty : line[start..stop].Trim();
    }

    /// <summary>The output's lines, without trailing blanks.</summary>
    public static string[] Lines(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return output.Split('\n').Select(l => l.TrimEnd()).ToArray();
    }

    /// <summary>The blank-separated words of a line.</summary>
    public static string[] Words(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>
    /// ARP entries of a table whose rows hold the IPv4 address and the MAC in fixed words (every OS orders them its
    /// own way); rows where either does not parse (headers, <c>Incomplete</c>, totals) are skipped.
    /// </summary>
    public static List<ArpEntry> Arp(string output, string router, int ipWord, int macWord)
    {
        var entries = new List<ArpEntry>();
        foreach (var words in Lines(output).Select(Words))
        {
            if (words.Length > Math.Max(ipWord, macWord) && words[ipWord].Count(c => c == '.') == 3
                && IPAddress.TryParse(words[ipWord], out var ip) && MacAddress.TryParse(words[macWord], out var mac))
            {
                entries.Add(new ArpEntry(ip, mac, router));
            }
        }

        return entries;
    }
}
