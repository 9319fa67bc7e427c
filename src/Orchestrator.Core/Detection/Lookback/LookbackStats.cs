namespace Orchestrator.Core.Detection.Lookback;

/// <summary>What the <see cref="ConnectionLookback"/> holds now, for the service to report.</summary>
/// <param name="Hosts">Accepting hosts with a ring of records.</param>
/// <param name="Records">Connection records kept (within the lookback of each host's newest).</param>
/// <param name="Names">Host names learned (name to address).</param>
/// <param name="EstimatedBytes">The store's own arrays and maps, counted from their allocated sizes (see <see cref="ConnectionLookback.Stats"/>).</param>
public readonly record struct LookbackStats(int Hosts, long Records, int Names, long EstimatedBytes);
