using System.Net;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Runs;

/// <summary>The addresses, MACs and host names one containment step would act on.</summary>
public sealed record ContainmentTargets(IReadOnlyList<IPAddress> Ips, IReadOnlyList<MacAddress> Macs, IReadOnlyList<string> Hosts)
{
    public static ContainmentTargets None { get; } = new([], [], []);

    public bool IsEmpty => Ips.Count == 0 && Macs.Count == 0 && Hosts.Count == 0;

    public override string ToString() =>
        string.Join(", ", Ips.Select(ip => ip.ToString()).Concat(Macs.Select(m => m.ToString())).Concat(Hosts));
}
