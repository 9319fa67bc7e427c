using System.Globalization;
using System.Text;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Metrics;
using Orchestrator.Detection;
using Orchestrator.Ingestion;
using Orchestrator.Response;

namespace Orchestrator.Api;

/// <summary>Renders the counters in the Prometheus text exposition format (version 0.0.4).</summary>
public sealed class PrometheusMetrics(IngestMetrics ingest, ApiMetrics api, PublishedEventsCounter published, ResponseService response, DetectionService? detection = null)
{
    public string Render()
    {
        var text = new StringBuilder();
        var snapshot = ingest.Snapshot();
        Counter(text, "orchestrator_events_received_total", "Lines and events received, by listener and format.", snapshot, c => c.Received);
        Counter(text, "orchestrator_events_stored_total", "Events committed to the store, by listener and format.", snapshot, c => c.Stored);
        Counter(text, "orchestrator_events_rejected_total", "Input no parser accepted, kept as dead letters, by listener and format.", snapshot, c => c.Rejected);

        Histogram(text, "orchestrator_store_commit_seconds", "Time to commit one batch to the store.", ingest.CommitLatency);

        Single(text, "orchestrator_store_commit_failures_total", "Batches the store failed to commit.", ingest.CommitFailures);
        Single(text, "orchestrator_events_published_total", "EventStored notifications delivered to subscribers.", published.Count);
        text.Append("# HELP orchestrator_http_requests_refused_total HTTP requests refused before ingestion, by reason.\n# TYPE orchestrator_http_requests_refused_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"orchestrator_http_requests_refused_total{{reason=\"invalid_json\"}} {api.InvalidJson}\n");
        text.Append(CultureInfo.InvariantCulture, $"orchestrator_http_requests_refused_total{{reason=\"too_large\"}} {api.TooLarge}\n");
        text.Append(CultureInfo.InvariantCulture, $"orchestrator_http_requests_refused_total{{reason=\"unauthorized\"}} {api.UnauthorizedCount}\n");
        Single(text, "orchestrator_rule_decisions_total", "Playbook decisions (thresholds reached) since start.", response.Decisions);
        Gauge(text, "orchestrator_rules_checkpoint", "The highest event id the rules engine has processed.", response.Checkpoint);
        Gauge(text, "orchestrator_playbooks_loaded", "Playbooks in force.", response.Active?.Set.Playbooks.Count ?? 0);
        var quantiles = response.RunStartLatency.Quantiles(0.5, 0.9, 0.99);
        text.Append("# HELP orchestrator_run_start_latency_seconds From an event committed to the first step of its run starting (last 10,000 runs).\n# TYPE orchestrator_run_start_latency_seconds summary\n");
        text.Append(CultureInfo.InvariantCulture, $"orchestrator_run_start_latency_seconds{{quantile=\"0.5\"}} {quantiles[0]}\n");
        text.Append(CultureInfo.InvariantCulture, $"orchestrator_run_start_latency_seconds{{quantile=\"0.9\"}} {quantiles[1]}\n");
        text.Append(CultureInfo.InvariantCulture, $"orchestrator_run_start_latency_seconds{{quantile=\"0.99\"}} {quantiles[2]}\n");
        text.Append(CultureInfo.InvariantCulture, $"orchestrator_run_start_latency_seconds_count {response.RunStartLatency.Count}\n");
        Histogram(text, "orchestrator_run_start_seconds", "From an event committed to the first step of its run starting, since start.", response.RunStartLatency.Histogram);
        Detection(text);
        Process(text);
        return text.ToString();
    }

    // What the detectors hold: their memory is bounded by the configured caps, and this shows how near it is.
    private void Detection(StringBuilder text)
    {
        if (detection?.Detectors is not { } detectors)
        {
            return;
        }

        var lookback = detectors.Lookback.Stats;
        Gauge(text, "orchestrator_detection_checkpoint", "The highest event id the detectors have processed.", detection.Checkpoint);
        Gauge(text, "orchestrator_lookback_hosts", "Receiving hosts whose recent connections are kept.", lookback.Hosts);
        Gauge(text, "orchestrator_lookback_connections", "Connections kept for tracing.", lookback.Records);
        Gauge(text, "orchestrator_lookback_bytes", "Estimated memory of the connection lookback.", lookback.EstimatedBytes);
        Gauge(text, "orchestrator_detection_waiting_for_late_telemetry", "Detections that traced to nothing, waiting for connections that arrive late.", detectors.Tracer.Waiting);
        Gauge(text, "orchestrator_outbreak_detections", "Detections held by the outbreak correlation.", detectors.Outbreaks.Count);
        Gauge(text, "orchestrator_first_seen_executables", "Executables in the fleet-wide first-seen record.", detectors.FirstSeen.Count);
        Gauge(text, "orchestrator_detection_first_seen_learning_until_seconds", "While the first-seen learning period lasts, the event time it ends (unix seconds): process.unknown is not raised before it; 0 when not learning.", detectors.FirstSeen.LearningUntil?.ToUnixTimeSeconds() ?? 0);
    }

    // The process figures an operator compares with throughput: CPU, memory, and the garbage collector's pauses (which stop ingestion).
    private static void Process(StringBuilder text)
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        text.Append(CultureInfo.InvariantCulture, $"# HELP process_cpu_seconds_total User and system CPU time of the process.\n# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total {process.TotalProcessorTime.TotalSeconds}\n");
        Gauge(text, "process_resident_memory_bytes", "Resident memory of the process.", process.WorkingSet64);
        text.Append("# HELP dotnet_gc_collections_total Garbage collections since start, by generation.\n# TYPE dotnet_gc_collections_total counter\n");
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            text.Append(CultureInfo.InvariantCulture, $"dotnet_gc_collections_total{{generation=\"{generation}\"}} {GC.CollectionCount(generation)}\n");
        }

        text.Append(CultureInfo.InvariantCulture, $"# HELP dotnet_gc_pause_seconds_total Time the garbage collector paused the process since start.\n# TYPE dotnet_gc_pause_seconds_total counter\ndotnet_gc_pause_seconds_total {GC.GetTotalPauseDuration().TotalSeconds}\n");
        Gauge(text, "dotnet_gc_heap_bytes", "Bytes allocated in the managed heap and not yet collected.", GC.GetTotalMemory(forceFullCollection: false));
    }

    private static void Counter(StringBuilder text, string name, string help, IReadOnlyList<KeyValuePair<(string Listener, string Format), IngestMetrics.Counter>> snapshot, Func<IngestMetrics.Counter, long> value)
    {
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n");
        foreach (var (key, counter) in snapshot)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}{{listener=\"{Escape(key.Listener)}\",format=\"{Escape(key.Format)}\"}} {value(counter)}\n");
        }
    }

    // Bucket counts are per bucket (the last above every bound); Prometheus wants them cumulative.
    private static void Histogram(StringBuilder text, string name, string help, LatencyHistogram histogram)
    {
        var bounds = histogram.Bounds;
        var counts = histogram.BucketCounts();
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} histogram\n");
        long cumulative = 0;
        for (var i = 0; i < bounds.Count; i++)
        {
            cumulative += counts[i];
            text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"{bounds[i]}\"}} {cumulative}\n");
        }

        cumulative += counts[^1];
        text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"+Inf\"}} {cumulative}\n");
        text.Append(CultureInfo.InvariantCulture, $"{name}_sum {histogram.SumSeconds}\n");
        text.Append(CultureInfo.InvariantCulture, $"{name}_count {cumulative}\n");
    }

    private static void Gauge(StringBuilder text, string name, string help, long value) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n");

    private static void Single(StringBuilder text, string name, string help, long value) =>
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}\n");

    // Label values escape backslash, double quote and newline (Prometheus text format).
    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
