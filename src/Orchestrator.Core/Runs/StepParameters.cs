using System.Globalization;

namespace Orchestrator.Core.Runs;

/// <summary>Reading a step's rendered parameters, the same way in every connector.</summary>
public static class StepParameters
{
    /// <summary>The parameter as text (numbers and booleans in invariant culture); null when absent or null.</summary>
    public static string? Text(IReadOnlyDictionary<string, object?> parameters, string name)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return parameters.TryGetValue(name, out var value) && value is not null ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;
    }
}
