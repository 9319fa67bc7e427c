using System.Globalization;
using System.Text;

namespace Orchestrator.Core.Detection.Outbreaks;

/// <summary>
/// Writes an <see cref="InfectionChain"/> as Mermaid, Graphviz DOT, or one line per edge for the CLI.
/// Host names come from the network, so every label is escaped: a name with quotes, brackets or
/// newlines stays text and never changes the graph.
/// </summary>
public static class ChainExport
{
    /// <summary>A Mermaid flowchart (<c>graph LR</c>); nodes are <c>n0</c>, <c>n1</c>, ... in the chain's order.</summary>
    public static string ToMermaid(InfectionChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var ids = NodeIds(chain);
        var text = new StringBuilder("graph LR\n");
        foreach (var node in chain.Nodes)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {ids[node.Id]}[\"{Mermaid(NodeText(node))}\"]\n");
        }

        foreach (var edge in chain.Edges)
        {
            var label = Detections(edge.Count) + (edge.Threats.Count > 0 ? ": " + string.Join(", ", edge.Threats) : "");
            text.Append(CultureInfo.InvariantCulture, $"  {ids[edge.From]} -->|\"{Mermaid(label)}\"| {ids[edge.To]}\n");
        }

        return text.ToString();
    }

    /// <summary>A Graphviz <c>digraph</c>; edge labels give the detection count and the threats.</summary>
    public static string ToDot(InfectionChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var ids = NodeIds(chain);
        var text = new StringBuilder("digraph infection {\n  rankdir=LR;\n");
        foreach (var node in chain.Nodes)
        {
            var label = node.Name is not null && node.Ip is not null
                ? Dot(node.Name) + "\\n" + node.Ip
                : Dot(NodeText(node));
            text.Append(CultureInfo.InvariantCulture, $"  {ids[node.Id]} [label=\"{label}\"];\n");
        }

        foreach (var edge in chain.Edges)
        {
            var label = Detections(edge.Count) + (edge.Threats.Count > 0 ? "\\n" + Dot(string.Join(", ", edge.Threats)) : "");
            text.Append(CultureInfo.InvariantCulture, $"  {ids[edge.From]} -> {ids[edge.To]} [label=\"{label}\"];\n");
        }

        return text.Append("}\n").ToString();
    }

    /// <summary>
    /// One line per edge, in the chain's order:
    /// <c>A (10.0.0.5) → B (10.0.0.7)  3 detections  W32.Worm  first 10:02:11Z</c>.
    /// </summary>
    public static string ToText(InfectionChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var nodes = chain.Nodes.ToDictionary(node => node.Id, StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var edge in chain.Edges)
        {
            text.Append(OneLine(NodeText(Node(nodes, edge.From))))
                .Append(" → ")
                .Append(OneLine(NodeText(Node(nodes, edge.To))))
                .Append("  ")
                .Append(Detections(edge.Count));
            if (edge.Threats.Count > 0)
            {
                text.Append("  ").Append(OneLine(string.Join(", ", edge.Threats)));
            }

            text.Append("  first ").Append(edge.FirstAt.UtcDateTime.ToString("HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    private static string NodeText(ChainNode node) => (node.Name, node.Ip) switch
    {
        ({ } name, { } ip) => $"{name} ({ip})",
        ({ } name, null) => name,
        (null, { } ip) => ip.ToString(),
        _ => node.Id,
    };

    private static string Detections(int count) =>
        count.ToString(CultureInfo.InvariantCulture) + (count == 1 ? " detection" : " detections");

    private static Dictionary<string, string> NodeIds(InfectionChain chain)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in chain.Nodes)
        {
            ids.Add(node.Id, "n" + ids.Count.ToString(CultureInfo.InvariantCulture));
        }

        foreach (var edge in chain.Edges)
        {
            Node(ids, edge.From);
            Node(ids, edge.To);
        }

        return ids;
    }

    private static T Node<T>(Dictionary<string, T> nodes, string id) =>
        nodes.TryGetValue(id, out var node) ? node : throw new ArgumentException($"the chain has an edge to or from '{id}' but no node '{id}'", nameof(nodes));

    // Inside a quoted Mermaid label only '"' ends the text; '#' starts Mermaid's entity codes (#34;),
    // '<' '>' '&' would be read as HTML by the renderer, a backtick starts a markdown string and '|'
    // ends an edge label. Each becomes a numeric entity code, which Mermaid turns back into the character.
    private static string Mermaid(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' or '#' or '&' or '<' or '>' or '`' or '|' => escaped.Append('#').Append((int)c).Append(';'),
                _ when char.IsControl(c) => escaped.Append(' '),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }

    // In a DOT quoted string '"' must be escaped, and labels read backslash sequences (\n, \N, \G, ...),
    // so a backslash in a name is doubled to stay a backslash.
    private static string Dot(string text)
    {
        var escaped = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => escaped.Append("\\\""),
                '\\' => escaped.Append("\\\\"),
                _ when char.IsControl(c) => escaped.Append(' '),
                _ => escaped.Append(c),
            };
        }

        return escaped.ToString();
    }

    private static string OneLine(string text) =>
        string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = char.IsControl(source[i]) ? ' ' : source[i];
            }
        });
}
