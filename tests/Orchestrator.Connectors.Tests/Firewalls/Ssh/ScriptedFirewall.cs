using System.Net;
using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Tests.Firewalls.Ssh;

/// <summary>
/// A firewall reached over a scripted SSH runner: every command is recorded as the argument list the driver
/// built, and answered by <see cref="Answer"/> (success with no output unless a test says otherwise).
/// </summary>
internal sealed class ScriptedFirewall : ISshCommandRunner
{
    public List<IReadOnlyList<string>> Commands { get; } = [];

    /// <summary>The commands as the device's shell would receive their words, joined by spaces.</summary>
    public IEnumerable<string> Lines => Commands.Select(c => string.Join(' ', c));

    public Func<IReadOnlyList<string>, SshCommandResult> Answer { get; set; } = _ => new SshCommandResult(0, "", "");

    public Task<SshCommandResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        Commands.Add([.. arguments]);
        return Task.FromResult(Answer(arguments));
    }

    public static DeviceDefinition Device(string driver, params (string Key, string Value)[] options) => new()
    {
        Name = "fw1",
        Driver = driver,
        Kind = DeviceKind.Firewall,
        Address = DeviceAddress.TryParse("192.0.2.1", out var address) ? address! : throw new InvalidOperationException(),
        Options = options.ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal),
        Location = new SourceLocation("inventory.yaml", 7, 5),
    };

    public static IPAddress Ip(string text) => IPAddress.Parse(text);
}
