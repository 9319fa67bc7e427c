using System.Text.RegularExpressions;

namespace Orchestrator.Connectors.Switches.Ssh;

/// <summary>
/// What an interactive session must know of one network OS's command line: how its prompt looks (whatever
/// the host name), what turns paging off, how it says a command failed, and whether the login lands in an
/// unprivileged mode that <c>enable</c> leaves.
/// </summary>
/// <param name="Name">The driver name, for errors.</param>
/// <param name="Prompt">Matches the last line of output when the device waits for a command.</param>
/// <param name="SessionSetup">Sent once per connection, after the login (and enable): paging off.</param>
/// <param name="Error">Matches a line of output by which the device refuses a command.</param>
/// <param name="HasEnable">The login may land at a <c>&gt;</c> prompt that <c>enable</c> and a secret leave.</param>
/// <param name="OperatorLogin">When set, a login at a <c>&gt;</c> prompt cannot configure, and this says what to do instead.</param>
public sealed partial record CliDialect(string Name, Regex Prompt, IReadOnlyList<string> SessionSetup, Regex Error, bool HasEnable, string? OperatorLogin = null)
{
    /// <summary>
    /// IOS and IOS-XE: <c>Switch&gt;</c>, <c>Switch#</c>, <c>Switch(config)#</c>, <c>Switch(config-if)#</c>.
    /// Errors start with <c>%</c> (<c>% Invalid input detected at '^' marker.</c>, <c>% Incomplete command.</c>),
    /// except the notice IOS prints when <c>switchport access vlan N</c> creates a VLAN, which is not a failure.
    /// </summary>
    public static CliDialect CiscoIos { get; } = new("cisco-ios", IosLikePrompt(), ["terminal length 0"], IosError(), HasEnable: true);

    /// <summary>AOS-CX: <c>switch#</c>, <c>switch(config)#</c>, <c>switch(config-if)#</c>; errors as <c>Invalid input: X</c> or <c>%</c> lines.</summary>
    public static CliDialect ArubaAoscx { get; } = new("aruba-aoscx", IosLikePrompt(), ["no page"], AoscxError(), HasEnable: false,
        OperatorLogin: "AOS-CX has no enable secret: give credentials of a user in the administrators group");

    /// <summary>
    /// Junos: <c>user@ex&gt; </c> (operational) and <c>user@ex# </c> (configuration, after an <c>[edit]</c> line);
    /// errors as <c>error: …</c>, <c>syntax error.</c> or <c>unknown command.</c>
    /// </summary>
    public static CliDialect Junos { get; } = new("junos", JunosPrompt(), ["set cli screen-length 0"], JunosError(), HasEnable: false);

    /// <summary>
    /// Cisco ASA: <c>asa&gt;</c>, <c>asa#</c>, <c>asa(config)#</c> (the IOS shape); <c>terminal pager 0</c> turns paging off
    /// for the session; <c>enable</c> asks <c>Password:</c>. Errors as <c>ERROR: % Invalid input detected at '^' marker.</c>,
    /// other <c>ERROR:</c> or <c>%</c> lines, and <c>Invalid password</c> for a refused enable secret.
    /// </summary>
    public static CliDialect CiscoAsa { get; } = new("cisco-asa", IosLikePrompt(), ["terminal pager 0"], AsaError(), HasEnable: true);

    /// <summary>The first line of <paramref name="output"/> by which the device refused the command, trimmed; null when none.</summary>
    public string? ErrorIn(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && Error.IsMatch(l));
    }

    [GeneratedRegex(@"^[A-Za-z0-9][\w.\-]*(\([\w.\-]+\))?[>#] ?$")]
    private static partial Regex IosLikePrompt();

    [GeneratedRegex(@"^%(?!\s*Access VLAN does not exist)|Invalid input")]
    private static partial Regex IosError();

    [GeneratedRegex(@"^%|^Invalid input")]
    private static partial Regex AoscxError();

    [GeneratedRegex(@"^ERROR:|^%|^Invalid password")]
    private static partial Regex AsaError();

    [GeneratedRegex(@"^[\w.\-]+@[\w.\-:]+[>#] ?$")]
    private static partial Regex JunosPrompt();

    [GeneratedRegex(@"^error:|^syntax error|^unknown command", RegexOptions.IgnoreCase)]
    private static partial Regex JunosError();
}
