using System.Net;

namespace Orchestrator.Core.Detection.Outbreaks;

/// <summary>
/// Who infected whom since a time: machines as nodes (a victim and a source that are the same machine
/// are one node) and one edge per source → victim pair, ordered by first infection.
/// </summary>
public sealed record InfectionChain(DateTimeOffset Since, IReadOnlyList<ChainNode> Nodes, IReadOnlyList<ChainEdge> Edges);

/// <summary>A machine in the <see cref="InfectionChain"/>.</summary>
/// <param name="Id">Stable within one chain: the first DNS label of its name in lower case, else its IP.</param>
/// <param name="Name">The name first reported for it, if any.</param>
/// <param name="Ip">The IP first reported for it, if any.</param>
/// <param name="FirstInfectedAt">Its first detection as a victim (from any source, known or not), if it was one.</param>
/// <param name="InfectedOthers">Whether it is the source of at least one edge.</param>
public sealed record ChainNode(string Id, string? Name, IPAddress? Ip, DateTimeOffset? FirstInfectedAt, bool InfectedOthers);

/// <summary>A source → victim pair in the <see cref="InfectionChain"/>, by <see cref="ChainNode.Id"/>.</summary>
/// <param name="From">The source node.</param>
/// <param name="To">The victim node.</param>
/// <param name="FirstAt">The first detection on the victim naming this source (event time).</param>
/// <param name="Count">Detections on <paramref name="To"/> that named <paramref name="From"/> as the source.</param>
/// <param name="Threats">The distinct threat names, in the order they were first seen.</param>
public sealed record ChainEdge(string From, string To, DateTimeOffset FirstAt, int Count, IReadOnlyList<string> Threats);
