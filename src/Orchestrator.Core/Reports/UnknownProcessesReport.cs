using System.Globalization;
using Orchestrator.Core.Detection.FirstSeen;

namespace Orchestrator.Core.Reports;

/// <summary>
/// The executables first seen anywhere in the fleet in a period (a day, or a scheduled report's period),
/// oldest first, with where they ran: what is new on the network, for an admin to review before it spreads.
/// </summary>
public static class UnknownProcessesReport
{
    /// <summary>The name scheduled reports use.</summary>
    public const string Name = "unknown-processes";

    /// <summary>How many of an executable's hosts the report names (all are counted): the host of its earliest sighting, then the others by name.</summary>
    public const int ListedHosts = 10;

    public static IReadOnlyList<ReportColumn> Columns { get; } =
    [
        new("first_seen", "First seen (UTC)"),
        new("sha256", "SHA-256 (or key)"),
        new("name", "Name"),
        new("path", "Path"),
        new("signer", "Signer"),
        new("host_count", "Hosts"),
        new("hosts", "Ran on"),
        new("allowlisted", "Allowlisted"),
    ];

    /// <summary>The executables <paramref name="registry"/> first saw in [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public static ReportTable Create(FirstSeenRegistry registry, DateTimeOffset from, DateTimeOffset to)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var entries = registry.FirstSeenBetween(from, to);
        var hosts = new HashSet<string>(StringComparer.Ordinal);
        var rows = new List<string[]>(entries.Count);
        foreach (var entry in entries)
        {
            // The host of the earliest sighting first, then by name: the record's own order depends on whether it was loaded or built live.
            var ranOn = registry.HostsOf(entry.Key, int.MaxValue)
                .OrderBy(h => h == entry.FirstHost ? 0 : 1)
                .ThenBy(h => h, StringComparer.Ordinal)
                .ToList();
            hosts.UnionWith(ranOn);
            rows.Add(
            [
                ReportText.Time(entry.FirstSeen),
                entry.Sha256 ?? entry.Key,
                entry.Name ?? "",
                entry.Path ?? "",
                entry.Signer ?? "",
                entry.HostCount.ToString(CultureInfo.InvariantCulture),
                ReportText.List(ranOn, ListedHosts),
                entry.AllowedBy ?? "",
            ]);
        }

        var allowed = entries.Count(e => e.AllowedBy is not null);
        var summary = ReportText.Count(entries.Count, "executable", "executables") + " first seen"
            + (allowed > 0 ? string.Create(CultureInfo.InvariantCulture, $" ({allowed} allowlisted)") : "")
            + ", on " + ReportText.Count(hosts.Count, "host", "hosts");
        return new ReportTable("Unknown processes first seen " + ReportText.Period(from, to), summary, Columns, rows);
    }
}
