namespace Orchestrator.Connectors.Scripts;

/// <summary>
/// Service-level settings of the <c>script</c> step: which programs playbooks may run, and the
/// limits and environment every run gets.
/// </summary>
public sealed class ScriptOptions
{
    /// <summary>The search path scripts get: the service's own PATH is never passed on.</summary>
    public const string DefaultSearchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>
    /// Directories programs must lie in (after symlinks are resolved); when empty, any absolute
    /// path is allowed. An interpreter placed here (sh, python3) lets playbooks run anything.
    /// </summary>
    public IList<string> AllowedDirectories { get; } = [];

    /// <summary>Bytes of stdout, and of stderr, kept for a run when the step sets no <c>max_output</c>.</summary>
    public int MaxOutputBytes { get; set; } = 64 * 1024;

    /// <summary>The largest <c>max_output</c> a step may ask for: outputs are stored with the run.</summary>
    public int MaxOutputBytesLimit { get; set; } = 1024 * 1024;

    /// <summary>A script's time limit when the step sets no <c>timeout</c>; null leaves only the step's own timeout.</summary>
    public TimeSpan? DefaultTimeout { get; set; }

    /// <summary>Names of service environment variables passed on to scripts (e.g. <c>TZ</c>, <c>http_proxy</c>); nothing else is.</summary>
    public IList<string> PassEnvironment { get; } = [];

    /// <summary>PATH in the script's environment.</summary>
    public string SearchPath { get; set; } = DefaultSearchPath;

    /// <summary>util-linux <c>setsid</c>, which starts each script as the leader of its own process group.</summary>
    public string SetsidPath { get; set; } = "/usr/bin/setsid";

    /// <summary>Throws naming the option and what to do when a value is unusable.</summary>
    public void Validate()
    {
        foreach (var directory in AllowedDirectories)
        {
            if (!Path.IsPathFullyQualified(directory))
            {
                throw new ArgumentException(
                    $"scripts.allowed_dirs entry '{directory}' is not an absolute path; write it from the root, e.g. /opt/orchestrator/scripts.",
                    nameof(AllowedDirectories));
            }
        }

        if (MaxOutputBytesLimit < 0)
        {
            throw new ArgumentException($"scripts.max_output_limit {MaxOutputBytesLimit} is negative; give a number of bytes.", nameof(MaxOutputBytesLimit));
        }

        if (MaxOutputBytes < 0 || MaxOutputBytes > MaxOutputBytesLimit)
        {
            throw new ArgumentException(
                $"scripts.max_output {MaxOutputBytes} must be between 0 and scripts.max_output_limit ({MaxOutputBytesLimit}) bytes.",
                nameof(MaxOutputBytes));
        }

        if (DefaultTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"scripts.timeout {timeout} must be positive; leave it out to use the step's timeout.", nameof(DefaultTimeout));
        }

        foreach (var name in PassEnvironment)
        {
            if (!ScriptEnvironment.IsValidName(name) || ScriptEnvironment.IsReserved(name))
            {
                throw new ArgumentException(
                    $"scripts.pass_env entry '{name}' is not a usable variable name (letters, digits and '_', not starting with a digit, not ORCH_*).",
                    nameof(PassEnvironment));
            }
        }

        if (!Path.IsPathFullyQualified(SetsidPath))
        {
            throw new ArgumentException($"scripts.setsid '{SetsidPath}' is not an absolute path; it is normally /usr/bin/setsid (util-linux).", nameof(SetsidPath));
        }
    }
}
