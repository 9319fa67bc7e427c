using System.Net;
using Orchestrator.Connectors.Switches.Ssh;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Firewalls.Ssh;

/// <summary>
/// What the Linux firewall drivers over SSH have in common: they reach a device through a runner (the pool's one
/// pinned, reused session in the service; a scripted one in tests), and the device expires blocks itself.
/// </summary>
public abstract class SshFirewallDriver : IFirewallDriver
{
    private readonly Func<DeviceDefinition, ISshCommandRunner> runners;

    /// <summary>The driver over the runner <paramref name="runners"/> gives for a device.</summary>
    protected SshFirewallDriver(Func<DeviceDefinition, ISshCommandRunner> runners) => this.runners = runners ?? throw new ArgumentNullException(nameof(runners));

    /// <summary>Both sets keep a timeout per element (nft <c>flags timeout</c>, ipset <c>timeout 0</c>): the kernel removes an expired block.</summary>
    public bool NativeExpiry => true;

    public abstract Task BlockAsync(DeviceDefinition device, IReadOnlyList<BlockRequest> blocks, CancellationToken cancellationToken);

    public abstract Task UnblockAsync(DeviceDefinition device, IReadOnlyList<IPAddress> addresses, CancellationToken cancellationToken);

    public abstract Task<IReadOnlyList<FirewallBlock>> ListAsync(DeviceDefinition device, CancellationToken cancellationToken);

    /// <summary>The runners of <paramref name="sessions"/>: one session per device, its target from the inventory entry.</summary>
    protected static Func<DeviceDefinition, ISshCommandRunner> Pooled(SshSessionPool sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        return device => sessions.Get(SshTarget.FromDevice(device));
    }

    /// <summary>The device's runner; a device the inventory describes badly (no credentials, a bad option) is a firewall error.</summary>
    protected ISshCommandRunner Runner(DeviceDefinition device)
    {
        try
        {
            return runners(device);
        }
        catch (SshSwitchException e)
        {
            throw new FirewallException(e.Message, e);
        }
    }
}
