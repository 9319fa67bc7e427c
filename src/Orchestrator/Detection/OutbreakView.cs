using System.Globalization;
using System.Text.Json;
using Orchestrator.Core.Detection;
using Orchestrator.Core.Detection.Outbreaks;
using Orchestrator.Core.Events;
using Orchestrator.Core.Ingestion;
using Orchestrator.Storage.Sqlite;

namespace Orchestrator.Detection;

/// <summary>
/// The outbreak picture of a period, rebuilt from the stored detections (so it works from the CLI
/// without the service, and for any period, not only what the live correlator holds): the sources
/// ranked by distinct victims, and the infection chain. Shared by <c>orchestrator outbreak</c> and
/// <c>GET /api/v1/outbreak</c>.
/// </summary>
public sealed record OutbreakView(DateTimeOffset Since, DateTimeOffset Until, IReadOnlyList<OutbreakSourceSummary> Sources, InfectionChain Chain)
{
    /// <summary>The formats the chain is written in.</summary>
    public static IReadOnlyList<string> Formats { get; } = ["text", "mermaid", "dot", "json"];

    /// <summary>
    /// Every traced detection of the period (the tracer's and those traced before they came), and the
    /// detections nobody traced (the unknown source), through a correlator holding the whole period.
    /// </summary>
    public static async Task<OutbreakView> BuildAsync(SqliteEventStore events, OutbreakOptions options, DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(options);
        var detections = new List<SecurityEvent>();
        var traced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var kind in new[] { EventKinds.InfectionDetected, EventKinds.InfectionTraced })
        {
            await events.ScanAsync(new EventQuery { Kind = kind, From = since, To = until }, evt =>
            {
                detections.Add(evt);
                if (evt.Labels?.TryGetValue(DerivedEvents.DerivedFromLabel, out var from) == true)
                {
                    traced.Add(from);
                }
            }, cancellationToken).ConfigureAwait(false);
        }

        var span = until - since;
        var correlator = new OutbreakCorrelator(options with
        {
            Horizon = span > options.Window ? span : options.Window,
            MaxDetections = Math.Max(options.MaxDetections, detections.Count),
        });
        foreach (var evt in detections.OrderBy(e => e.Id))
        {
            var tracedLater = evt.Kind == EventKinds.InfectionDetected && traced.Contains(evt.Id.ToString(CultureInfo.InvariantCulture));
            if (!tracedLater)
            {
                correlator.Observe(evt);
            }
        }

        return new OutbreakView(since, until, correlator.Sources(since, until), correlator.Chain(since));
    }

    /// <summary>The view in <paramref name="format"/> (one of <see cref="Formats"/>).</summary>
    public string Render(string format) => format switch
    {
        "mermaid" => ChainExport.ToMermaid(Chain),
        "dot" => ChainExport.ToDot(Chain),
        "json" => JsonSerializer.Serialize(ToJson(), JsonOptions) + "\n",
        _ => ToText(),
    };

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private string ToText()
    {
        var text = new System.Text.StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Sources from {Since.UtcDateTime:yyyy-MM-dd HH:mm:ss} to {Until.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, by distinct victims\n");
        if (Sources.Count == 0)
        {
            return text.Append("No detections.\n").ToString();
        }

        foreach (var source in Sources)
        {
            var name = source.Kind switch
            {
                OutbreakSourceKind.Unknown => "(unknown source)",
                OutbreakSourceKind.LocalHost => "(local host: found on the victim itself)",
                _ => source.Name is { } n && source.Ip is { } ip ? $"{n} ({ip})" : source.Ip?.ToString() ?? source.Name ?? source.Id,
            };
            text.Append(CultureInfo.InvariantCulture, $"{source.DistinctVictims,4} victims {source.Detections,5} detections  {name}{(source.Raised ? "  [outbreak.source raised]" : "")}  {string.Join(", ", source.Threats)}\n");
            text.Append("       ").Append(string.Join(", ", source.Victims.Take(20))).Append(source.Victims.Count > 20 ? ", …" : "").Append('\n');
        }

        text.Append("\nInfection chain\n");
        text.Append(Chain.Edges.Count == 0 ? "No traced infections.\n" : ChainExport.ToText(Chain));
        return text.ToString();
    }

    private object ToJson() => new
    {
        since = Since,
        until = Until,
        sources = Sources.Select(s => new
        {
            id = s.Id,
            kind = s.Kind switch { OutbreakSourceKind.Unknown => "unknown", OutbreakSourceKind.LocalHost => "local_host", _ => "host" },
            ip = s.Ip?.ToString(),
            name = s.Name,
            distinct_victims = s.DistinctVictims,
            victims = s.Victims,
            detections = s.Detections,
            first_seen = s.FirstSeen,
            last_seen = s.LastSeen,
            threats = s.Threats,
            raised_at = s.RaisedAt,
        }),
        chain = new
        {
            nodes = Chain.Nodes.Select(n => new { id = n.Id, name = n.Name, ip = n.Ip?.ToString(), first_infected_at = n.FirstInfectedAt, infected_others = n.InfectedOthers }),
            edges = Chain.Edges.Select(e => new { from = e.From, to = e.To, first_at = e.FirstAt, count = e.Count, threats = e.Threats }),
        },
        mermaid = ChainExport.ToMermaid(Chain),
        dot = ChainExport.ToDot(Chain),
    };
}
