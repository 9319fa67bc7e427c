using Orchestrator.Snmp;

namespace Orchestrator.Connectors.Switches;

/// <summary>What a port was before a containment changed it, so a release puts it back.</summary>
/// <param name="IfIndex">The port's ifIndex.</param>
/// <param name="AdminStatus">IF-MIB ifAdminStatus: up(1), down(2), testing(3).</param>
/// <param name="Alias">IF-MIB ifAlias (the port description), when the switch has one.</param>
public sealed record PortAdminSnapshot(int IfIndex, int AdminStatus, string? Alias);

/// <summary>
/// Shuts a port and brings it back with IF-MIB ifAdminStatus: records the state it replaces first,
/// then sets, then reads back to verify — a SET the agent accepted but did not apply is a failure.
/// </summary>
public static class SnmpPortAdmin
{
    public const int Up = 1;
    public const int Down = 2;

    public static readonly Oid IfAdminStatus = Oid.Parse("1.3.6.1.2.1.2.2.1.7");
    public static readonly Oid IfAlias = Oid.Parse("1.3.6.1.2.1.31.1.1.1.18");

    /// <summary>The port's state now.</summary>
    public static async Task<PortAdminSnapshot> ReadAsync(SnmpClient client, int ifIndex, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var status = await client.GetAsync(IfAdminStatus.Append((uint)ifIndex), cancellationToken).ConfigureAwait(false);
        string? alias;
        try
        {
            alias = (await client.GetAsync(IfAlias.Append((uint)ifIndex), cancellationToken).ConfigureAwait(false)).Value.AsText();
        }
        catch (SnmpNoSuchException)
        {
            alias = null;
        }

        return new PortAdminSnapshot(ifIndex, status.Value.AsInt32(), alias);
    }

    /// <summary>Takes the port down; returns the state it replaced.</summary>
    public static async Task<PortAdminSnapshot> ShutdownAsync(SnmpClient client, int ifIndex, CancellationToken cancellationToken)
    {
        var before = await ReadAsync(client, ifIndex, cancellationToken).ConfigureAwait(false);
        await SetVerifiedAsync(client, ifIndex, Down, cancellationToken).ConfigureAwait(false);
        return before;
    }

    /// <summary>Puts the port's admin status back to what <paramref name="snapshot"/> recorded.</summary>
    public static Task RestoreAsync(SnmpClient client, PortAdminSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return SetVerifiedAsync(client, snapshot.IfIndex, snapshot.AdminStatus, cancellationToken);
    }

    /// <summary>Sets IF-MIB ifAlias (at most 64 octets, RFC 2863) and reads it back.</summary>
    public static async Task SetAliasAsync(SnmpClient client, int ifIndex, string alias, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(alias);
        var bytes = System.Text.Encoding.UTF8.GetBytes(alias);
        if (bytes.Length > 64)
        {
            throw new ArgumentException($"ifAlias is at most 64 octets; '{alias}' has {bytes.Length}", nameof(alias));
        }

        var oid = IfAlias.Append((uint)ifIndex);
        await client.SetAsync(oid, SnmpValue.FromOctetString(bytes), cancellationToken).ConfigureAwait(false);
        var readBack = (await client.GetAsync(oid, cancellationToken).ConfigureAwait(false)).Value.AsText();
        if (readBack != alias)
        {
            throw new SnmpException($"ifAlias.{ifIndex} was set to '{alias}' but reads back '{readBack}'");
        }
    }

    private static async Task SetVerifiedAsync(SnmpClient client, int ifIndex, int status, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var oid = IfAdminStatus.Append((uint)ifIndex);
        await client.SetAsync(oid, SnmpValue.FromInt32(status), cancellationToken).ConfigureAwait(false);
        var readBack = (await client.GetAsync(oid, cancellationToken).ConfigureAwait(false)).Value.AsInt32();
        if (readBack != status)
        {
            throw new SnmpException($"ifAdminStatus.{ifIndex} was set to {status} but reads back {readBack}: the switch did not apply it");
        }
    }
}
