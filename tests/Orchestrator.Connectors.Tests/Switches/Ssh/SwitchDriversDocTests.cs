using System.Text.RegularExpressions;
using Orchestrator.Connectors.Firewalls;
using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Tests.Switches.Ssh;

/// <summary>The inventory examples of docs/switch-drivers.md load as written, one per network OS driver (the ASA's last).</summary>
public sealed partial class SwitchDriversDocTests
{
    [Fact]
    public void InventoryExamples_LoadWithoutErrors_OnePerNetworkOsDriver()
    {
        var examples = YamlBlock().Matches(File.ReadAllText(DocsFile())).Select(m => m.Groups[1].Value).ToList();

        var drivers = examples.Select(yaml =>
        {
            var set = PlaybookLoader.Load([], new PlaybookSource("inventory.yaml", yaml));
            Assert.True(set.IsValid, string.Join('\n', set.Errors));
            return set.Inventory.Devices.Values.Single().Driver;
        }).ToList();

        Assert.Equal([CiscoIosDriver.DriverName, ArubaAoscxDriver.DriverName, JunosDriver.DriverName, CiscoAsaDriver.DriverName], drivers);
    }

    // The docs folder of the checkout the tests were built from.
    private static string DocsFile() =>
        Enumerable.Range(0, 8)
            .Select(up => Path.GetFullPath(Path.Combine([AppContext.BaseDirectory, .. Enumerable.Repeat("..", up), "docs", "switch-drivers.md"])))
            .First(File.Exists);

    [GeneratedRegex("```yaml\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
