using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Tests.Switches.Ssh;

/// <summary>An inventory device becomes an SSH target: secrets resolved from references, the pin from options.</summary>
public sealed class SshTargetTests
{
    private static readonly Dictionary<string, string> Environment = new(StringComparer.Ordinal)
    {
        ["SWITCH_USER"] = "netops",
        ["SWITCH_PASSWORD"] = "s3cret",
    };

    [Fact]
    public void FromDevice_UsernameAndPassword_ResolvesReferencesAndReadsThePin()
    {
        var target = SshTarget.FromDevice(Device(new() { ["username"] = "${env:SWITCH_USER}", ["password"] = "${env:SWITCH_PASSWORD}" }), Environment.GetValueOrDefault);

        Assert.Equal(("access-sw1", "netops", "s3cret", "SHA256:abc"), (target.Device, target.Credentials.User, target.Credentials.Password, target.HostKeySha256));
        Assert.DoesNotContain("s3cret", target.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void FromDevice_NoKeyOrPassword_SaysWhereAndWhatToAdd()
    {
        var error = Assert.Throws<SshSwitchException>(() => SshTarget.FromDevice(Device(new() { ["username"] = "${env:SWITCH_USER}" }), Environment.GetValueOrDefault));

        Assert.Equal("inventory.yaml:7:3: device 'access-sw1' needs credentials.key (${file:PATH} of a private key) or credentials.password", error.Message);
    }

    private static DeviceDefinition Device(Dictionary<string, string> credentials) => new()
    {
        Name = "access-sw1",
        Driver = LinuxBridgeDriver.DriverName,
        Kind = DeviceKind.Switch,
        Address = DeviceAddress.TryParse("192.0.2.21", out var address) ? address! : throw new InvalidOperationException(),
        Credentials = credentials,
        Options = new Dictionary<string, string> { [SshTarget.HostKeyOption] = "SHA256:abc" },
        Location = new SourceLocation("inventory.yaml", 7, 3),
    };
}
