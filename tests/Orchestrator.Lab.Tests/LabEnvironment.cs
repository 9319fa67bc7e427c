namespace Orchestrator.Lab.Tests;

/// <summary>Whether lab tests can run here: they need root; with CI=true they must run.</summary>
public static class LabEnvironment
{
    public const string NeedsRootMessage = "lab tests need root (set CI=true to require them)";

    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static bool IsRoot { get; } = ReadEffectiveUid() == 0;

    /// <summary>The reason to skip, or null when lab tests must run (root, or CI where not being root fails them).</summary>
    public static string? SkipReason => IsRoot || IsCi ? null : NeedsRootMessage;

    // /proc/self/status "Uid:" lists real, effective, saved and filesystem uids.
    private static int ReadEffectiveUid()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            var fields = line?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            return fields is { Length: >= 3 } ? int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture) : -1;
        }
        catch (IOException)
        {
            return -1;
        }
    }
}
