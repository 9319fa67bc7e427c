using System.Buffers;
using System.Text;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Detection.FirstSeen;

/// <summary>
/// The fleet-wide identity of an executable: <c>sha256:&lt;lowercase hex&gt;</c> when the event carries
/// a SHA-256, else <c>path:&lt;lowercased executable path&gt;</c>, else <c>name:&lt;lowercased process name&gt;</c>.
/// </summary>
public static class ProcessKey
{
    public const string Sha256Prefix = "sha256:";

    public const string PathPrefix = "path:";

    public const string NamePrefix = "name:";

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>The key of the process <paramref name="evt"/> names, or null when it names none (no hash, path or name).</summary>
    public static string? Of(SecurityEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        if (!TryGetParts(evt, out var prefix, out var value))
        {
            return null;
        }

        return Format(prefix, value);
    }

    /// <summary>True for exactly 64 hex digits, either case.</summary>
    public static bool IsSha256(ReadOnlySpan<char> text) => text.Length == 64 && !text.ContainsAnyExcept(HexDigits);

    /// <summary>Which prefix the key takes and the event value it lowercases; false when the event names no process.</summary>
    internal static bool TryGetParts(SecurityEvent evt, out string prefix, out string value)
    {
        // A hash in any other shape (an MD5 in the SHA-256 field, "SHA256=..." left unsplit) is not one
        // we can trust to name the file, so the path is the better key.
        if (evt.ProcessHashSha256 is { } sha256 && IsSha256(sha256))
        {
            (prefix, value) = (Sha256Prefix, sha256);
            return true;
        }

        if (!string.IsNullOrWhiteSpace(evt.ProcessExecutable))
        {
            (prefix, value) = (PathPrefix, evt.ProcessExecutable);
            return true;
        }

        if (!string.IsNullOrWhiteSpace(evt.ProcessName))
        {
            (prefix, value) = (NamePrefix, evt.ProcessName);
            return true;
        }

        (prefix, value) = ("", "");
        return false;
    }

    /// <summary>The key of the parts <see cref="TryGetParts"/> gave.</summary>
    internal static string Format(string prefix, string value) =>
        string.Create(prefix.Length + value.Length, (prefix, value), static (key, parts) => Write(parts.prefix, parts.value, key));

    /// <summary>Writes the key into <paramref name="destination"/>, which holds exactly <c>prefix.Length + value.Length</c> chars.</summary>
    internal static void Write(string prefix, string value, Span<char> destination)
    {
        prefix.CopyTo(destination);
        Lowercase(value, destination[prefix.Length..]);
    }

    /// <summary>
    /// <paramref name="source"/> lowercased as <see cref="string.ToLowerInvariant()"/> does, into a
    /// destination at least as long; ASCII (nearly every hash, path and host) takes the vectorised way.
    /// </summary>
    internal static void Lowercase(ReadOnlySpan<char> source, Span<char> destination)
    {
        if (Ascii.ToLower(source, destination, out _) != OperationStatus.Done)
        {
            source.ToLowerInvariant(destination);
        }
    }
}
