using System.Globalization;
using System.Net;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Incidents;

/// <summary>
/// Puts each run and event into the open incident that already involves one of its hosts or
/// addresses (source, host, destination), or opens a new one. An incident with no activity for
/// <see cref="QuietAfter"/> is not joined any more, so a host infected again next week gets a
/// new incident. When an event links two open incidents, it joins the older one. Not thread-safe.
/// </summary>
public sealed class IncidentTracker(TimeProvider time)
{
    /// <summary>Events kept per incident; the rest are found through the store by entity and time.</summary>
    public const int MaxEventIds = 1_000;

    private readonly List<Incident> _open = [];

    /// <summary>How long an incident stays joinable after its last activity (default 24 h).</summary>
    public TimeSpan QuietAfter { get; init; } = TimeSpan.FromHours(24);

    public IReadOnlyList<Incident> Open => _open;

    /// <summary>Adds incidents loaded from the store at start.</summary>
    public void Restore(IEnumerable<Incident> incidents)
    {
        ArgumentNullException.ThrowIfNull(incidents);
        _open.AddRange(incidents.Where(i => i.Status == IncidentStatus.Open));
    }

    /// <summary>Records that <paramref name="runId"/> of <paramref name="playbookId"/> started for <paramref name="evt"/>; returns its incident.</summary>
    public Incident Track(SecurityEvent evt, string playbookId, string? runId)
    {
        ArgumentNullException.ThrowIfNull(evt);
        var now = time.GetUtcNow();
        var (hosts, ips) = Entities(evt);
        _open.RemoveAll(i => i.Status != IncidentStatus.Open);
        var incident = _open
            .Where(i => now - i.LastActivity < QuietAfter && (i.Hosts.Overlaps(hosts) || i.Ips.Overlaps(ips)))
            .OrderBy(i => i.OpenedAt)
            .FirstOrDefault();
        if (incident is null)
        {
            incident = new Incident(Guid.CreateVersion7(now).ToString("N"), Title(playbookId, evt), now);
            _open.Add(incident);
        }

        incident.Hosts.UnionWith(hosts);
        incident.Ips.UnionWith(ips);
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
