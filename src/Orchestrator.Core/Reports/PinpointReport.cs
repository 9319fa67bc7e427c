using System.Globalization;
using System.Net;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Detection.FirstSeen;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Reports;

/// <summary>One host of a <see cref="PinpointReport"/>: what unknown executables it ran in the window, and when.</summary>
/// <param name="Host">The host (lowercased <c>host.name</c>, else <c>host.ip</c>), as the first-seen record names it.</param>
/// <param name="Addresses">The addresses its events gave (<c>host.ip</c>), in the order seen.</param>
/// <param name="UnknownExecutables">How many distinct unknown executables it ran.</param>
/// <param name="Names">Their names, in the order of their first run on the host.</param>
/// <param name="FirstUnknownRun">Event time of its earliest run of an unknown executable in the window.</param>
/// <param name="LastUnknownRun">Event time of its latest such run.</param>
/// <param name="LowestPrevalence">The fewest hosts any of those executables ran on (1: only here).</param>
/// <param name="ShareConnections">Its connections to the share server in the window; null when no server was asked for.</param>
public sealed record PinpointHost(
    string Host,
    IReadOnlyList<IPAddress> Addresses,
    int UnknownExecutables,
    IReadOnlyList<string> Names,
    DateTimeOffset FirstUnknownRun,
    DateTimeOffset LastUnknownRun,
    int LowestPrevalence,
    int? ShareConnections);

/// <summary>
/// Pinpoint: which hosts ran an unknown executable in a window — out of 1,500 clients, the few that
/// ran something new when the share was encrypted. A run is unknown when its executable is in the
/// first-seen record, not allowlisted, and was first seen in the fleet less than
/// <see cref="FirstSeenOptions.UnknownFor"/> before the run. Hosts are ranked by the most distinct
/// unknown executables, then the earliest unknown run, then name; with a share server, only the hosts
/// that connected to it in the window are kept.
/// </summary>
/// <remarks>
/// Fed the window's events one at a time (<see cref="Add"/>), so a window of millions of process
/// starts is never held in memory: only the hosts that ran something unknown are.
/// </remarks>
public sealed class PinpointReport
{
    /// <summary>The name scheduled reports use.</summary>
    public const string Name = "pinpoint";

    /// <summary>How many of a host's unknown executables the report names (all are counted).</summary>
    public const int ListedNames = 10;

    private readonly FirstSeenRegistry _registry;

    // An executable is looked up once per report, not once per run; null: not in the record.
    private readonly Dictionary<string, FirstSeenEntry?> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HostRuns> _hosts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<IPAddress>> _addresses = new(StringComparer.Ordinal);

    public PinpointReport(FirstSeenRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        _registry = registry;
    }

    /// <summary>
    /// Takes one event of the window. A <c>process.started</c> counts for its host when its executable
    /// was unknown at the time; any event that gives its host's name and address teaches that address,
    /// which the share-server match uses.
    /// </summary>
    public void Add(SecurityEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        var host = HostOf(evt);
        if (host is null)
        {
            return;
        }

        if (evt.HostIp is { } ip)
        {
            if (!_addresses.TryGetValue(host, out var addresses))
            {
                addresses = [];
                _addresses[host] = addresses;
            }

            if (!addresses.Contains(ip))
            {
                addresses.Add(ip);
            }
        }

        if (evt.Kind != EventKinds.ProcessStarted || ProcessKey.Of(evt) is not { } key)
        {
            return;
        }

        if (!_entries.TryGetValue(key, out var entry))
        {
            entry = _registry.Get(key);
            _entries[key] = entry;
        }

        if (entry is null || !_registry.IsUnknownAt(entry, evt.Timestamp))
        {
            return;
        }

        if (!_hosts.TryGetValue(host, out var runs))
        {
            runs = new HostRuns();
            _hosts[host] = runs;
        }

        runs.Add(entry, evt.Timestamp);
    }

    /// <summary>The hosts that ran an unknown executable, ranked; with <paramref name="share"/>, only those that connected to it.</summary>
    public IReadOnlyList<PinpointHost> Rank(ShareServerClients? share = null)
    {
        var ranked = new List<PinpointHost>(_hosts.Count);
        foreach (var (host, runs) in _hosts)
        {
            IReadOnlyList<IPAddress> addresses = _addresses.TryGetValue(host, out var known) ? known : [];
            int? connections = share?.ConnectionsFrom(host, addresses);
            if (connections == 0)
            {
                continue;
            }

            var executables = runs.Executables.Values.OrderBy(e => e.FirstRun).ThenBy(e => e.Entry.Id).ToList();
            ranked.Add(new PinpointHost(
                host,
                addresses,
                executables.Count,
                [.. executables.Select(e => e.Entry.Name ?? e.Entry.Key)],
                runs.First,
                runs.Last,
                executables.Min(e => e.Entry.HostCount),
                connections));
        }

        return
        [
            .. ranked
                .OrderByDescending(h => h.UnknownExecutables)
                .ThenBy(h => h.FirstUnknownRun)
                .ThenBy(h => h.Host, StringComparer.Ordinal),
        ];
    }

    /// <summary>The ranked hosts as a report of the window [<paramref name="from"/>, <paramref name="to"/>).</summary>
    public ReportTable ToTable(DateTimeOffset from, DateTimeOffset to, ShareServerClients? share = null)
    {
        var hosts = Rank(share);
        var columns = new List<ReportColumn>
        {
            new("rank", "#"),
            new("host", "Host"),
            new("addresses", "Addresses"),
            new("unknown_executables", "Unknown executables"),
            new("names", "Names"),
            new("first_unknown_run", "First unknown run (UTC)"),
            new("last_unknown_run", "Last unknown run (UTC)"),
            new("lowest_prevalence", "Lowest prevalence"),
        };
        if (share is not null)
        {
            columns.Add(new("share_connections", "Connections to " + share.Server));
        }

        var rows = new List<string[]>(hosts.Count);
        foreach (var host in hosts)
        {
            var row = new List<string>
            {
                (rows.Count + 1).ToString(CultureInfo.InvariantCulture),
                host.Host,
                string.Join(", ", host.Addresses),
                host.UnknownExecutables.ToString(CultureInfo.InvariantCulture),
                ReportText.List(host.Names, ListedNames),
                ReportText.Time(host.FirstUnknownRun),
                ReportText.Time(host.LastUnknownRun),
                host.LowestPrevalence.ToString(CultureInfo.InvariantCulture),
            };
            if (host.ShareConnections is { } connections)
            {
                row.Add(connections.ToString(CultureInfo.InvariantCulture));
            }

            rows.Add([.. row]);
        }

        var executables = ReportText.Count(hosts.SelectMany(h => _hosts[h.Host].Executables.Keys).Distinct().Count(), "unknown executable", "unknown executables");
        var ran = share is null
            ? $"{ReportText.Count(hosts.Count, "host", "hosts")} ran {executables}"
            : $"{ReportText.Count(hosts.Count, "host", "hosts")} of {_hosts.Count} ran {executables} and connected to {share.Server}";
        var summary = $"{ran} (unknown: first seen in the fleet less than {Durations.Format(_registry.Options.UnknownFor)} before the run)";
        return new ReportTable("Hosts running unknown processes " + ReportText.Period(from, to), summary, columns, rows);
    }

    /// <summary>Lowercased <c>host.name</c>, else <c>host.ip</c>: the first-seen record's name for the host.</summary>
    private static string? HostOf(SecurityEvent evt) =>
        !string.IsNullOrWhiteSpace(evt.HostName) ? evt.HostName.ToLowerInvariant() : evt.HostIp?.ToString();

    /// <summary>What one host ran that was unknown, by executable key.</summary>
    private sealed class HostRuns
    {
        public Dictionary<string, (FirstSeenEntry Entry, DateTimeOffset FirstRun)> Executables { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset First { get; private set; } = DateTimeOffset.MaxValue;

        public DateTimeOffset Last { get; private set; } = DateTimeOffset.MinValue;

        // Events come in store order, not time order, so every bound is a min or a max.
        public void Add(FirstSeenEntry entry, DateTimeOffset time)
        {
            Executables[entry.Key] = Executables.TryGetValue(entry.Key, out var seen) && seen.FirstRun <= time ? seen : (entry, time);
            First = time < First ? time : First;
            Last = time > Last ? time : Last;
        }
    }
}
