using Orchestrator.Core.Configuration;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;
using Orchestrator.Core.Runs;
using static Orchestrator.Core.Runs.StepParameters;

namespace Orchestrator.Connectors.Switches;

/// <summary>
/// The <c>network.locate</c> step: which switch port a target (IP, MAC or host name) is plugged into, for later
/// steps and messages (<c>steps.ID.port</c>). Changes nothing. A target that is not located is an answer
/// (<c>found: false</c> with <c>why</c>), not a failure; a switch that cannot be read fails the step.
/// </summary>
public sealed class NetworkLocateStep(Func<Inventory> inventory, SwitchLocator locator) : IActionConnector
{
    public const string Name = "network.locate";

    /// <summary>Tables younger than this are reused unless the step says otherwise.</summary>
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromMinutes(1);

    public static StepDefinition Definition { get; } = new(Name, "Find the switch port a host is plugged into (edge port only), and how sure that is. Changes nothing.",
    [
        new("target", KeyShape.Template, "The host: an IP, a MAC or a host name.") { Required = true },
        new("device", KeyShape.Text, "Only look on this switch of the inventory."),
        new("max_age", KeyShape.Duration, "Reuse switch tables read less than this long ago (default 1m; 0s reads afresh)."),
    ]);

    public async ValueTask<StepResult> ExecuteAsync(StepContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var target = Text(context.Parameters, "target");
        if (string.IsNullOrWhiteSpace(target))
        {
            return StepResult.Failed("target: required (an IP, a MAC or a host name)");
        }

        var maxAge = DefaultMaxAge;
        var age = Text(context.Parameters, "max_age");
        if (age is not null && !Durations.TryParse(age, out maxAge))
        {
            return StepResult.Failed($"max_age: '{age}' is not a duration (e.g. 30s, 5m)");
        }

        var only = Text(context.Parameters, "device");
        var switches = locator.Switches(inventory(), only);
        if (switches.Count == 0)
        {
            return StepResult.Failed(locator.NoSwitches(only));
        }

        var location = (await locator.LocateAsync(target, switches, maxAge, cancellationToken).ConfigureAwait(false)).Location;
        return StepResult.Success(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["found"] = location.Edge is not null,
            ["mac"] = location.Mac?.ToString(),
            ["ip"] = location.Ip?.ToString(),
            ["device"] = location.Edge?.Device,
            ["port"] = location.Edge?.Port.Value,
            ["if_index"] = location.Edge?.IfIndex,
            ["vlan"] = location.Edge?.Vlan?.Value,
            ["protected"] = location.Edge?.Protected,
            ["confidence"] = HostLocator.Name(location.Confidence),
            ["why"] = location.Why,
        });
    }
}
