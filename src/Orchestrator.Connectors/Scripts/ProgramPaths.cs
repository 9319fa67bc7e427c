namespace Orchestrator.Connectors.Scripts;

/// <summary>Which program a <c>script</c> step may run: an absolute path to an executable file, inside an allowed directory when any is configured.</summary>
internal static class ProgramPaths
{
    // As Linux's limit on links followed in one lookup (ELOOP).
    private const int MaxLinks = 40;

    /// <summary>
    /// The program to run, with every symlink resolved, or null with the reason it is refused.
    /// </summary>
    public static string? Resolve(string program, IEnumerable<string> allowedDirectories, out string reason)
    {
        reason = "";
        if (!Path.IsPathFullyQualified(program))
        {
            reason = $"program '{program}' is not an absolute path; write the full path (no PATH lookup, no shell)";
            return null;
        }

        var resolved = RealPath(program);
        if (resolved is null)
        {
            reason = $"program '{program}' has a symlink loop";
            return null;
        }

        if (!File.Exists(resolved))
        {
            reason = $"program '{program}' does not exist or is not a file";
            return null;
        }

        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(resolved) & anyExecute) == 0)
        {
            reason = $"program '{program}' is not executable; chmod +x it";
            return null;
        }

        var directories = allowedDirectories.ToList();
        if (directories.Count > 0 && !directories.Any(d => IsInside(resolved, RealPath(d))))
        {
            var target = resolved == program ? "" : $" (resolves to '{resolved}')";
            reason = $"program '{program}'{target} is outside the allowed directories ({string.Join(", ", directories)}); move it into one of them or add its directory to scripts.allowed_dirs";
            return null;
        }

        return resolved;
    }

    /// <summary>
    /// An absolute path with every symlink resolved, component by component as realpath(3) does,
    /// so that neither a linked file nor a linked directory leads out of an allowed directory;
    /// null on a link loop. Components that do not exist are kept as written.
    /// </summary>
    public static string? RealPath(string path)
    {
        var pending = new Stack<string>(path.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse());
        var resolved = "/";
        var links = 0;
        while (pending.TryPop(out var component))
        {
            if (component == ".")
            {
                continue;
            }

            if (component == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? "/";
                continue;
            }

            var candidate = Path.Join(resolved, component);
            if (new FileInfo(candidate).LinkTarget is not { } target)
            {
                resolved = candidate;
                continue;
            }

            if (++links > MaxLinks)
            {
                return null;
            }

            foreach (var part in target.Split('/', StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.Push(part);
            }

            if (target.StartsWith('/'))
            {
                resolved = "/";
            }
        }

        return resolved;
    }

    private static bool IsInside(string path, string? directory) =>
        directory is not null
        && (directory == "/" || path.StartsWith(directory.TrimEnd('/') + "/", StringComparison.Ordinal));
}
