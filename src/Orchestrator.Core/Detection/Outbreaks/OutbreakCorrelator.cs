using System.Diagnostics;
using System.Globalization;
using System.Net;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Detection.Outbreaks;

/// <summary>
/// Groups detections by their reported or traced source, raises <c>outbreak.source</c> when one source
/// reaches <see cref="OutbreakOptions.Threshold"/> distinct victims within the window, ranks the sources,
/// and gives the infection chain (A → B → C). Runs on event time only.
/// </summary>
/// <remarks>
/// One writer calls <see cref="Observe"/>; readers may call <see cref="Sources"/> and <see cref="Chain"/>
/// at the same time (one lock). Memory: at most <see cref="OutbreakOptions.MaxDetections"/> detections,
/// none older than <see cref="OutbreakOptions.Horizon"/> behind the newest event time, each a few
/// references (the events themselves are not kept), plus one small record per source that has any.
/// </remarks>
public sealed class OutbreakCorrelator
{
    /// <summary>The detector name derived events carry in <see cref="DerivedEvents.DetectorLabel"/>.</summary>
    public const string DetectorName = "outbreak";

    public const string VictimsLabel = "outbreak.victims";
    public const string VictimListLabel = "outbreak.victim_list";
    public const string WindowLabel = "outbreak.window";
    public const string FirstSeenLabel = "outbreak.first_seen";
    public const string LastSeenLabel = "outbreak.last_seen";
    public const string ThreatsLabel = "outbreak.threats";
    public const string DetectionsLabel = "outbreak.detections";

    /// <summary>The most victims named in <see cref="VictimListLabel"/>; the count is always complete.</summary>
    public const int MaxVictimsListed = 50;

    private readonly OutbreakOptions _options;
    private readonly Lock _lock = new();
    private readonly DetectionTimeline _all = new();
    private readonly Dictionary<IPAddress, SourceTrack> _hostsByIp = [];
    private readonly Dictionary<string, SourceTrack> _hostsByName = new(StringComparer.Ordinal);
    private readonly SourceTrack _unknown = new("unknown", OutbreakSourceKind.Unknown);
    private readonly SourceTrack _localHost = new("local host", OutbreakSourceKind.LocalHost);
    private DateTimeOffset? _newest;
    private long _evicted;
    private long _ignored;

    public OutbreakCorrelator(OutbreakOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
    }

    /// <summary>Detections held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _all.Count;
            }
        }
    }

    /// <summary>Detections dropped, oldest first, to stay within <see cref="OutbreakOptions.MaxDetections"/>.</summary>
    public long EvictedDetections => Interlocked.Read(ref _evicted);

    /// <summary>Detections not counted: older than the horizon on arrival, or naming no victim (no host name nor IP).</summary>
    public long IgnoredDetections => Interlocked.Read(ref _ignored);

    /// <summary>
    /// Records one <c>infection.traced</c> or <c>infection.detected</c> event (any other kind is ignored)
    /// and returns the <c>outbreak.source</c> it raises, if any. Call in event-id order.
    /// </summary>
    public IReadOnlyList<DerivedEvent> Observe(SecurityEvent detection)
    {
        ArgumentNullException.ThrowIfNull(detection);
        if (detection.Kind is not (EventKinds.InfectionTraced or EventKinds.InfectionDetected))
        {
            return [];
        }

        var (victimName, victimIp) = Machine(detection.HostName, detection.HostIp);
        var victimNameKey = MachineIdentity.NameKey(victimName);
        var victimKey = victimNameKey ?? victimIp?.ToString();
        var (sourceName, sourceIp) = Machine(detection.SourceName, detection.SourceIp);
        var time = detection.Timestamp;

        lock (_lock)
        {
            if (victimKey is null || (_newest is { } newest && newest - time > _options.Horizon))
            {
                Interlocked.Increment(ref _ignored);
                return [];
            }

            if (_all.Count >= _options.MaxDetections)
            {
                // A detection older than all those held would be the first to go: drop it straight away.
                if (time < _all.First.Time)
                {
                    Interlocked.Increment(ref _evicted);
                    return [];
                }

                while (_all.Count >= _options.MaxDetections)
                {
                    RemoveOldest();
                    Interlocked.Increment(ref _evicted);
                }
            }

            var track = Track(sourceName, sourceIp, victimNameKey, victimIp);
            var observed = new ObservedDetection
            {
                Time = time,
                Source = track,
                SourceName = sourceName,
                SourceIp = sourceIp,
                VictimKey = victimKey,
                VictimLabel = victimName ?? victimKey,
                VictimName = victimName,
                VictimIp = victimIp,
                Threat = string.IsNullOrWhiteSpace(detection.RuleName) ? null : detection.RuleName.Trim(),
            };
            _all.Add(observed);
            var inWindow = track.Add(observed, _options.Window);

            if (_newest is null || time > _newest)
            {
                _newest = time;
                while (_newest.Value - _all.First.Time > _options.Horizon)
                {
                    RemoveOldest();
                }
            }

            return Raise(detection, track, observed, inWindow) is { } raised ? [raised] : [];
        }
    }

    /// <summary>
    /// Every source with detections from <paramref name="from"/> to <paramref name="to"/> (event time,
    /// inclusive), ranked by distinct victims, then by the latest detection; unknown and local host
    /// sources are listed as one entry each.
    /// </summary>
    public IReadOnlyList<OutbreakSourceSummary> Sources(DateTimeOffset from, DateTimeOffset to)
    {
        var summaries = new List<OutbreakSourceSummary>();
        lock (_lock)
        {
            foreach (var track in _hostsByIp.Values.Concat(_hostsByName.Values).Append(_unknown).Append(_localHost))
            {
                if (Summarize(track, from, to) is { } summary)
                {
                    summaries.Add(summary);
                }
            }
        }

        return
        [
            .. summaries
                .OrderByDescending(s => s.DistinctVictims)
                .ThenByDescending(s => s.LastSeen)
                .ThenBy(s => s.Kind)
                .ThenBy(s => s.Id, StringComparer.Ordinal),
        ];
    }

    /// <summary>
    /// Who infected whom from <paramref name="since"/> (event time) on, as far back as the detections held
    /// (<see cref="OutbreakOptions.Horizon"/>), with victims and sources that are the same machine as one node.
    /// </summary>
    public InfectionChain Chain(DateTimeOffset since)
    {
        var builder = new InfectionChainBuilder();
        lock (_lock)
        {
            for (var i = _all.FirstAtOrAfter(since); i < _all.Count; i++)
            {
                builder.Add(_all[i]);
            }
        }

        return builder.Build(since);
    }

    // A name that is an address literal is taken as the address, so "10.0.0.5" never becomes the name key "10".
    private static (string? Name, IPAddress? Ip) Machine(string? name, IPAddress? ip)
    {
        var cleanName = string.IsNullOrWhiteSpace(name) ? null : name.Trim();
        var ipInName = MachineIdentity.AddressInName(cleanName);
        return ipInName is null
            ? (cleanName, MachineIdentity.Normalize(ip))
            : (null, MachineIdentity.Normalize(ip) ?? ipInName);
    }

    private SourceTrack Track(string? sourceName, IPAddress? sourceIp, string? victimNameKey, IPAddress? victimIp)
    {
        if (sourceName is null && sourceIp is null)
        {
            return _unknown;
        }

        var sourceKey = MachineIdentity.NameKey(sourceName);
        var isVictimItself =
            (sourceIp is not null && (MachineIdentity.IsSelfAddress(sourceIp) || sourceIp.Equals(victimIp)))
            || (sourceKey is not null && (sourceKey == "localhost" || sourceKey == victimNameKey));
        if (isVictimItself)
        {
            return _localHost;
        }

        SourceTrack? track;
        if (sourceIp is not null)
        {
            if (!_hostsByIp.TryGetValue(sourceIp, out track))
            {
                track = new SourceTrack(sourceIp.ToString(), OutbreakSourceKind.Host) { Ip = sourceIp };
                _hostsByIp.Add(sourceIp, track);
            }
        }
        else if (!_hostsByName.TryGetValue(sourceKey!, out track))
        {
            track = new SourceTrack(sourceKey!, OutbreakSourceKind.Host);
            _hostsByName.Add(sourceKey!, track);
        }

        if (sourceName is not null)
        {
            track.Name = sourceName;
        }

        return track;
    }

    private void RemoveOldest()
    {
        var oldest = _all.RemoveFirst();
        var track = oldest.Source;
        var removed = track.RemoveFirst();
        Debug.Assert(ReferenceEquals(removed, oldest), "every timeline sorts by event time then arrival, so the oldest of all is its source's oldest");
        if (track.Kind != OutbreakSourceKind.Host || track.Timeline.Count > 0)
        {
            return;
        }

        if (track.Ip is null)
        {
            _hostsByName.Remove(track.Id);
        }
        else
        {
            _hostsByIp.Remove(track.Ip);
        }
    }

    private DerivedEvent? Raise(SecurityEvent detection, SourceTrack track, ObservedDetection observed, bool inWindow)
    {
        if (track.Kind != OutbreakSourceKind.Host)
        {
            return null;
        }

        // At most one raise per source per window, in either direction of event time, so a late
        // detection cannot raise again for a window already reported.
        foreach (var raised in track.Raises)
        {
            if ((observed.Time - raised).Duration() < _options.Window)
            {
                return null;
            }
        }

        (int Start, int End) window;
        if (inWindow && track.WindowVictims >= _options.Threshold)
        {
            window = (track.WindowStart, track.Timeline.Count);
        }
        else if (!ReferenceEquals(track.Timeline.Last, observed)
            && track.DistinctVictims >= _options.Threshold
            && PassingWindowAround(track, observed.Time) is { } found)
        {
            window = found;
        }
        else
        {
            return null;
        }

        track.Raised(observed.Time, forgetBefore: _newest!.Value - (_options.Horizon + _options.Window));
        return new DerivedEvent(OutbreakEvent(detection, track, window.Start, window.End), $"outbreak.source:{track.Id}:{DetectionId(detection)}");
    }

    // A traced detection the tracer has just derived has no id of its own yet: the raw detection's id names it.
    private static string DetectionId(SecurityEvent detection) =>
        detection.Id == 0 && detection.Labels is { } labels && labels.TryGetValue(DerivedEvents.DerivedFromLabel, out var from)
            ? from
            : detection.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// For a late detection at <paramref name="time"/>: the first window (shorter than the window length,
    /// containing <paramref name="time"/>) with enough distinct victims, as timeline indices.
    /// </summary>
    /// <remarks>
    /// Scans the source's detections within one window either side: only for a late detection, of a source
    /// with enough distinct victims overall, outside a window already reported.
    /// </remarks>
    private (int Start, int End)? PassingWindowAround(SourceTrack track, DateTimeOffset time)
    {
        var timeline = track.Timeline;
        var victims = new Dictionary<string, int>(StringComparer.Ordinal);
        var end = timeline.FirstAfter(time - _options.Window);
        for (var start = end; start < timeline.Count && timeline[start].Time <= time; start++)
        {
            while (end < timeline.Count && timeline[end].Time - timeline[start].Time < _options.Window)
            {
                victims[timeline[end].VictimKey] = victims.GetValueOrDefault(timeline[end].VictimKey) + 1;
                end++;
            }

            if (victims.Count >= _options.Threshold)
            {
                return (start, end);
            }

            // Forget a victim at zero, so the count of keys stays the distinct victims.
            var victim = timeline[start].VictimKey;
            if (--victims[victim] == 0)
            {
                victims.Remove(victim);
            }
        }

        return null;
    }

    private SecurityEvent OutbreakEvent(SecurityEvent detection, SourceTrack track, int start, int end)
    {
        var evt = DerivedEvents.From(detection, EventKinds.OutbreakSource, DetectorName);

        // A trace made just now is not stored yet (id 0): the outbreak names the stored detection it came from.
        evt.SetLabel(DerivedEvents.DerivedFromLabel, DetectionId(detection));
        evt.SourceIp = track.Ip;
        evt.SourceName = track.Name;

        var (victims, threats) = VictimsAndThreats(track.Timeline, start, end);
        evt.SetLabel(VictimsLabel, victims.Count.ToString(CultureInfo.InvariantCulture));
        evt.SetLabel(VictimListLabel, string.Join(',', victims.Take(MaxVictimsListed)));
        evt.SetLabel(WindowLabel, Durations.Format(_options.Window));
        evt.SetLabel(FirstSeenLabel, Utc(track.Timeline[start].Time));
        evt.SetLabel(LastSeenLabel, Utc(track.Timeline[end - 1].Time));
        evt.SetLabel(ThreatsLabel, string.Join(',', threats));
        evt.SetLabel(DetectionsLabel, (end - start).ToString(CultureInfo.InvariantCulture));
        return evt;

        static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);
    }

    private static OutbreakSourceSummary? Summarize(SourceTrack track, DateTimeOffset from, DateTimeOffset to)
    {
        var start = track.Timeline.FirstAtOrAfter(from);
        var end = track.Timeline.FirstAfter(to);
        if (start >= end)
        {
            return null;
        }

        var (victims, threats) = VictimsAndThreats(track.Timeline, start, end);
        DateTimeOffset? raisedAt = null;
        foreach (var raised in track.Raises)
        {
            if (raised >= from && raised <= to && (raisedAt is null || raised > raisedAt))
            {
                raisedAt = raised;
            }
        }

        return new OutbreakSourceSummary(
            track.Id,
            track.Kind,
            track.Ip,
            track.Name,
            victims,
            end - start,
            track.Timeline[start].Time,
            track.Timeline[end - 1].Time,
            threats,
            raisedAt);
    }

    // Victims are told apart by key but shown by label: the first label seen for each key.
    private static (List<string> Victims, List<string> Threats) VictimsAndThreats(DetectionTimeline timeline, int start, int end)
    {
        var victimKeys = new HashSet<string>(StringComparer.Ordinal);
        var victims = new List<string>();
        var threatSet = new HashSet<string>(StringComparer.Ordinal);
        var threats = new List<string>();
        for (var i = start; i < end; i++)
        {
            var detection = timeline[i];
            if (victimKeys.Add(detection.VictimKey))
            {
                victims.Add(detection.VictimLabel);
            }

            if (detection.Threat is { } threat && threatSet.Add(threat))
            {
                threats.Add(threat);
            }
        }

        return (victims, threats);
    }
}
