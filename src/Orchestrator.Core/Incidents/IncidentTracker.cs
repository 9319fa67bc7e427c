using System.Globalization;
using System.Net;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Incidents;

/// <summary>
/// Puts each run and event into the open incident that already involves one of its hosts or
/// addresses (source, host, destination), or opens a new one. An incident with no activity for
/// <see cref="QuietAfter"/> is not joined any more, so a host infected again next week gets a
/// new incident. When an event links two open incidents, it joins the older one. Open incidents are
/// indexed by host and address, so a storm of decisions costs a lookup each, not a scan of every open
/// incident. Not thread-safe.
/// </summary>
public sealed class IncidentTracker(TimeProvider time)
{
    /// <summary>Events kept per incident; the rest are found through the store by entity and time.</summary>
    public const int MaxEventIds = 1_000;

    // Incidents resolved elsewhere or gone quiet are dropped from the list and the indexes this often.
    private const int PruneEvery = 1_024;

    private readonly List<Incident> _open = [];
    private readonly Dictionary<string, List<Incident>> _byHost = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<IPAddress, List<Incident>> _byIp = [];
    private int _tracksSincePrune;

    /// <summary>How long an incident stays joinable after its last activity (default 24 h).</summary>
    public TimeSpan QuietAfter { get; init; } = TimeSpan.FromHours(24);

    public IReadOnlyList<Incident> Open => _open;

    /// <summary>Adds incidents loaded from the store at start.</summary>
    public void Restore(IEnumerable<Incident> incidents)
    {
        ArgumentNullException.ThrowIfNull(incidents);
        foreach (var incident in incidents.Where(i => i.Status == IncidentStatus.Open))
        {
            _open.Add(incident);
            foreach (var host in incident.Hosts)
            {
                AddTo(_byHost, host, incident);
            }

            foreach (var ip in incident.Ips)
            {
                AddTo(_byIp, ip, incident);
            }
        }
    }

    /// <summary>Records that <paramref name="runId"/> of <paramref name="playbookId"/> started for <paramref name="evt"/>; returns its incident.</summary>
    public Incident Track(SecurityEvent evt, string playbookId, string? runId)
    {
        ArgumentNullException.ThrowIfNull(evt);
        var now = time.GetUtcNow();
        var (hosts, ips) = Entities(evt);
        if (++_tracksSincePrune >= PruneEvery)
        {
            Prune(now);
        }

        Incident? incident = null;
        foreach (var host in hosts)
        {
            incident = Older(incident, _byHost.GetValueOrDefault(host), now);
        }

        foreach (var ip in ips)
        {
            incident = Older(incident, _byIp.GetValueOrDefault(ip), now);
        }

        if (incident is null)
        {
            incident = new Incident(Guid.CreateVersion7(now).ToString("N"), Title(playbookId, evt), now);
            _open.Add(incident);
        }

        foreach (var host in hosts)
        {
            if (incident.Hosts.Add(host))
            {
                AddTo(_byHost, host, incident);
            }
        }

        foreach (var ip in ips)
        {
            if (incident.Ips.Add(ip))
            {
                AddTo(_byIp, ip, incident);
            }
        }

        incident.LastActivity = now;
        if (runId is not null && !incident.RunIds.Contains(runId))
        {
            incident.RunIds.Add(runId);
        }

        if (evt.Id > 0 && incident.EventIds.Count < MaxEventIds && !incident.EventIds.Contains(evt.Id))
        {
            incident.EventIds.Add(evt.Id);
        }

        return incident;
    }

    /// <summary>Closes an incident; later events about its entities open a new one.</summary>
    public void Resolve(Incident incident, string by)
    {
        ArgumentNullException.ThrowIfNull(incident);
        incident.Status = IncidentStatus.Resolved;
        incident.ResolvedBy = by;
        incident.LastActivity = time.GetUtcNow();
        _open.Remove(incident);
        Unindex(incident);
    }

    /// <summary>The oldest joinable incident among <paramref name="best"/> and <paramref name="candidates"/>.</summary>
    private Incident? Older(Incident? best, List<Incident>? candidates, DateTimeOffset now)
    {
        if (candidates is null)
        {
            return best;
        }

        foreach (var candidate in candidates)
        {
            if (candidate.Status == IncidentStatus.Open && now - candidate.LastActivity < QuietAfter
                && (best is null || candidate.OpenedAt < best.OpenedAt))
            {
                best = candidate;
            }
        }

        return best;
    }

    private void Unindex(Incident incident)
    {
        foreach (var host in incident.Hosts)
        {
            RemoveFrom(_byHost, host, incident);
        }

        foreach (var ip in incident.Ips)
        {
            RemoveFrom(_byIp, ip, incident);
        }
    }

    private static void AddTo<TKey>(Dictionary<TKey, List<Incident>> index, TKey key, Incident incident)
        where TKey : notnull
    {
        if (!index.TryGetValue(key, out var list))
        {
            index[key] = list = [];
        }

        list.Add(incident);
    }

    private static void RemoveFrom<TKey>(Dictionary<TKey, List<Incident>> index, TKey key, Incident incident)
        where TKey : notnull
    {
        if (index.TryGetValue(key, out var list) && list.Remove(incident) && list.Count == 0)
        {
            index.Remove(key);
        }
    }

    /// <summary>Forgets incidents resolved elsewhere or quiet for <see cref="QuietAfter"/>: they are never joined again.</summary>
    private void Prune(DateTimeOffset now)
    {
        _tracksSincePrune = 0;
        foreach (var incident in _open.Where(i => i.Status != IncidentStatus.Open || now - i.LastActivity >= QuietAfter).ToList())
        {
            _open.Remove(incident);
            Unindex(incident);
        }
    }

    private static (HashSet<string> Hosts, HashSet<IPAddress> Ips) Entities(SecurityEvent evt)
    {
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in new[] { evt.HostName, evt.SourceName, evt.DestinationName })
        {
            if (!string.IsNullOrWhiteSpace(name))
            {
                hosts.Add(name);
            }
        }

        var ips = new HashSet<IPAddress>();
        foreach (var ip in new[] { evt.HostIp, evt.SourceIp, evt.DestinationIp })
        {
            if (ip is not null && !IPAddress.IsLoopback(ip) && !ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any))
            {
                ips.Add(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip);
            }
        }

        return (hosts, ips);
    }

    private static string Title(string playbookId, SecurityEvent evt)
    {
        var subject = evt.SourceIp?.ToString() ?? evt.SourceName ?? evt.HostName ?? evt.HostIp?.ToString() ?? "unknown host";
        return string.Create(CultureInfo.InvariantCulture, $"{playbookId}: {subject}");
    }
}
