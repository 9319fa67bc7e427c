namespace Orchestrator.Core.Conditions;

/// <summary>"Did you mean" for names and list names: the closest candidate by edit distance, ignoring case.</summary>
internal static class NameSuggestions
{
    public static string? Closest(string written, IEnumerable<string> candidates)
    {
        // Close enough to be a typo, not just another short name: 2 edits, or one per five characters.
        var limit = Math.Max(2, written.Length / 5);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(written, candidate);
            if (distance <= limit && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return best;
    }

    /// <summary>" (did you mean 'x'?)", or "" when nothing is close.</summary>
    public static string DidYouMean(string written, IEnumerable<string> candidates) =>
        Closest(written, candidates) is { } suggestion ? $" (did you mean '{suggestion}'?)" : "";

    // Levenshtein distance, one row at a time.
    internal static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
