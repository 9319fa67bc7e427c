using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Detection.FirstSeen;

/// <summary>
/// Executables that never raise <c>process.unknown</c>: by SHA-256, by path glob, or by the subject of
/// their code-signing certificate.
/// </summary>
/// <remarks>
/// Path globs are case-insensitive and treat <c>\</c> and <c>/</c> alike; <c>*</c> matches within one
/// path segment, <c>**</c> (a whole segment) any number of segments, <c>?</c> one character. A signer
/// is compared whole, ignoring case. A signer is only as good as the source that reports it: allow
/// signers from sources that check the signature, since anyone can put any subject in a self-signed
/// certificate.
/// </remarks>
public sealed class ProcessAllowlist
{
    private readonly HashSet<string> _hashes;
    private readonly HashSet<string> _signers;
    private readonly (string Glob, Regex Pattern)[] _paths;

    private ProcessAllowlist(HashSet<string> hashes, (string, Regex)[] paths, HashSet<string> signers)
    {
        _hashes = hashes;
        _paths = paths;
        _signers = signers;
    }

    /// <summary>Allows nothing.</summary>
    public static ProcessAllowlist Empty { get; } = new([], [], []);

    /// <summary>
    /// The allowlist of the valid entries; <paramref name="errors"/> names each bad one
    /// (<c>allow.hashes[2]: 'xyz' is not a SHA-256 (64 hex digits)</c>), and start-up must refuse to run when there are any.
    /// </summary>
    public static ProcessAllowlist Create(IEnumerable<string> hashes, IEnumerable<string> pathGlobs, IEnumerable<string> signers, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(hashes);
        ArgumentNullException.ThrowIfNull(pathGlobs);
        ArgumentNullException.ThrowIfNull(signers);
        var found = new List<string>();

        var hashSet = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var hash in hashes)
        {
            var trimmed = hash?.Trim() ?? "";
            if (ProcessKey.IsSha256(trimmed))
            {
                hashSet.Add(trimmed.ToLowerInvariant());
            }
            else
            {
                found.Add(string.Create(CultureInfo.InvariantCulture, $"allow.hashes[{index}]: '{hash}' is not a SHA-256 (64 hex digits)"));
            }

            index++;
        }

        var paths = new List<(string, Regex)>();
        index = 0;
        foreach (var glob in pathGlobs)
        {
            if (string.IsNullOrWhiteSpace(glob))
            {
                found.Add(string.Create(CultureInfo.InvariantCulture, $"allow.paths[{index}]: the glob is empty; give a path such as 'C:\\Program Files\\**'"));
            }
            else if (TryCompileGlob(glob.Trim(), out var pattern, out var problem))
            {
                paths.Add((glob.Trim(), pattern));
            }
            else
            {
                found.Add(string.Create(CultureInfo.InvariantCulture, $"allow.paths[{index}]: '{glob}' {problem}"));
            }

            index++;
        }

        var signerSet = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        index = 0;
        foreach (var signer in signers)
        {
            if (string.IsNullOrWhiteSpace(signer))
            {
                found.Add(string.Create(CultureInfo.InvariantCulture, $"allow.signers[{index}]: the signer is empty; give the certificate subject as events carry it (process.code_signature.subject_name)"));
            }
            else
            {
                signerSet.Add(signer.Trim());
            }

            index++;
        }

        errors = found;
        return new ProcessAllowlist(hashSet, [.. paths], signerSet);
    }

    /// <summary>Why the process of <paramref name="evt"/> is allowed (<c>allow.signers: Contoso Ltd</c>), or null when it is not.</summary>
    public string? Match(SecurityEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        return Match(evt.ProcessHashSha256, evt.ProcessExecutable, evt.ProcessSigner);
    }

    /// <summary>Why an executable with this hash, path and signer is allowed, or null when it is not.</summary>
    public string? Match(string? sha256, string? path, string? signer)
    {
        if (_hashes.Count > 0 && sha256 is not null && ProcessKey.IsSha256(sha256) && _hashes.Contains(sha256.ToLowerInvariant()))
        {
            return "allow.hashes: " + sha256.ToLowerInvariant();
        }

        if (signer is not null && _signers.TryGetValue(signer.Trim(), out var allowedSigner))
        {
            return "allow.signers: " + allowedSigner;
        }

        if (_paths.Length > 0 && !string.IsNullOrWhiteSpace(path))
        {
            var normalized = path.Replace('\\', '/');
            foreach (var (glob, pattern) in _paths)
            {
                if (pattern.IsMatch(normalized))
                {
                    return "allow.paths: " + glob;
                }
            }
        }

        return null;
    }

    /// <summary>The glob as an anchored regular expression over a path with <c>/</c> separators.</summary>
    private static bool TryCompileGlob(string glob, out Regex pattern, out string problem)
    {
        var segments = glob.Replace('\\', '/').Split('/');
        var regex = new StringBuilder("^");
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var last = i == segments.Length - 1;
            if (segment == "**")
            {
                // Any number of whole segments, none included: "a/**/b" matches "a/b" and "a/x/y/b".
                regex.Append(last ? ".*" : "(?:[^/]*/)*");
                continue;
            }

            if (segment.Contains("**", StringComparison.Ordinal))
            {
                pattern = null!;
                problem = "has '**' inside a path segment; '**' must be a whole segment, as in 'C:\\Tools\\**\\*.exe'";
                return false;
            }

            foreach (var c in segment)
            {
                regex.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }

            if (!last)
            {
                regex.Append('/');
            }
        }

        regex.Append('$');
        // Paths come from events, so from anyone: the non-backtracking engine keeps every match linear.
        pattern = new Regex(regex.ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        problem = "";
        return true;
    }
}
