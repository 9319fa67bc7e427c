using System.Net;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Connectors.Switches;
using Orchestrator.Connectors.Tests.Containment;
using Orchestrator.Core.Events;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;
using Orchestrator.Core.Runs;

namespace Orchestrator.Connectors.Tests.Switches;

/// <summary>
/// <c>network.locate</c> over a switch driver: an IP becomes a MAC through the switch's ARP table and then its
/// edge port; a target that is not there is an answer with why; tables younger than <c>max_age</c> are reused.
/// </summary>
public sealed class NetworkLocateStepTests
{
    private static readonly MacAddress H1 = MacAddress.Parse("02:00:00:00:00:11");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-24T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly CountingDriver _driver;

    public NetworkLocateStepTests() => _driver = new CountingDriver(_time);

    [Fact]
    public async Task Ip_ResolvedThroughArp_AnswersTheEdgePortWithHighConfidence()
    {
        var result = await Step().ExecuteAsync(Context(new() { ["target"] = "10.0.10.11" }), CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal((true, "sw1", "ge1", "02:00:00:00:00:11", "10.0.10.11", "high", (object?)false),
            (result.Outputs["found"], result.Outputs["device"], result.Outputs["port"], result.Outputs["mac"], result.Outputs["ip"], result.Outputs["confidence"], result.Outputs["protected"]));
    }

    [Theory]
    [InlineData("10.0.10.99", "no ARP table on the switches maps 10.0.10.99 to one MAC")]
    [InlineData("02:00:00:00:00:99", "no switch has learned")]
    [InlineData("not a host!", "target 'not a host!' is not a MAC, an IPv4 address or a host name that resolves")]
    public async Task NotThere_IsAnAnswerWithWhy_NotAFailure(string target, string why)
    {
        var result = await Step().ExecuteAsync(Context(new() { ["target"] = target }), CancellationToken.None);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal((false, "not_found"), (result.Outputs["found"], result.Outputs["confidence"]));
        Assert.Contains(why, (string)result.Outputs["why"]!, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task MaxAge_ReusesYoungTables_ReadsAgainWhenOlderOrZero()
    {
        var step = Step();
        await step.ExecuteAsync(Context(new() { ["target"] = "10.0.10.11" }), CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(30));
        await step.ExecuteAsync(Context(new() { ["target"] = "10.0.10.11" }), CancellationToken.None);
        Assert.Equal(1, _driver.Reads);

        _time.Advance(TimeSpan.FromSeconds(31));
        await step.ExecuteAsync(Context(new() { ["target"] = "10.0.10.11" }), CancellationToken.None);
        await step.ExecuteAsync(Context(new() { ["target"] = "10.0.10.11", ["max_age"] = "0s" }), CancellationToken.None);
        Assert.Equal(3, _driver.Reads);
    }

    [Fact]
    public async Task BadMaxAge_OrNoSwitch_FailsSayingWhy()
    {
        var badAge = await Step().ExecuteAsync(Context(new() { ["target"] = "10.0.10.11", ["max_age"] = "soon" }), CancellationToken.None);
        var noSwitch = await Step().ExecuteAsync(Context(new() { ["target"] = "10.0.10.11", ["device"] = "sw9" }), CancellationToken.None);

        Assert.Equal("max_age: 'soon' is not a duration (e.g. 30s, 5m)", badAge.Error);
        Assert.Equal("no switch 'sw9' with a driver this build speaks (fake)", noSwitch.Error);
    }

    private NetworkLocateStep Step() => new(() => Inventory, new SwitchLocator(new Dictionary<string, ISwitchDriver> { ["fake"] = _driver }, _time));

    private static Inventory Inventory { get; } = TestInventory.Of(TestInventory.Device("sw1", DeviceKind.Switch));

    private static StepContext Context(Dictionary<string, object?> parameters) =>
        new("run-1", "locate-test", "where", NetworkLocateStep.Name, parameters, "run-1/steps/where", 1, false, null);

    /// <summary>One switch with host h1 alone on ge1, and an ARP table that knows h1; counts table reads.</summary>
    private sealed class CountingDriver(TimeProvider time) : ISwitchDriver
    {
        public int Reads { get; private set; }

        public Task<SwitchTables> ReadTablesAsync(DeviceDefinition device, CancellationToken cancellationToken)
        {
            Reads++;
            var port = new SwitchPort(1, 1, PortName.TryParse("ge1", out var name) ? name : throw new InvalidOperationException());
            return Task.FromResult(new SwitchTables(device.Name, [port], [new FdbEntry(H1, 1, null)], [], [], time.GetUtcNow()));
        }

        public Task<IReadOnlyList<ArpEntry>> ReadArpAsync(DeviceDefinition device, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ArpEntry>>([new ArpEntry(IPAddress.Parse("10.0.10.11"), H1, device.Name)]);

        public Task<string> CaptureAsync(DeviceDefinition device, SwitchPort port, PortChange change, VlanId? vlan, CancellationToken cancellationToken) => throw new NotSupportedException("locate changes nothing");

        public Task ApplyAsync(DeviceDefinition device, SwitchPort port, PortChange change, VlanId? vlan, CancellationToken cancellationToken) => throw new NotSupportedException("locate changes nothing");

        public Task RestoreAsync(DeviceDefinition device, string captured, CancellationToken cancellationToken) => throw new NotSupportedException("locate changes nothing");
    }
}
