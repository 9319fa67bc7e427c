using System.Text.RegularExpressions;
using Orchestrator.Core.Playbooks;

namespace Orchestrator.Connectors.Firewalls.Ssh;

/// <summary>
/// The inventory options the SSH firewall drivers share, checked when the device is used. Names become words of
/// nft and ipset commands, so they are identifiers only (<see cref="IsIdentifier"/>), never quoted text.
/// </summary>
/// <param name="Set">The IPv4 set (nft: <c>blocked</c>; ipset: <c>orchestrator-blocked</c>).</param>
/// <param name="Set6">The IPv6 set (default: <paramref name="Set"/> + <c>6</c>).</param>
/// <param name="Create">Create the table, sets, chains or rules when missing (default true); false for a firewall whose ruleset is managed elsewhere.</param>
/// <param name="CutConnections">After a block, delete the address's conntrack entries (default true), so established flows stop too.</param>
public sealed partial record SshFirewallOptions(string Set, string Set6, bool Create, bool CutConnections)
{
    public const string SetOption = "set";
    public const string Set6Option = "set6";
    public const string CreateOption = "create";
    public const string CutConnectionsOption = "cut_connections";

    /// <summary>Reads the shared options of <paramref name="device"/>; throws naming the device and the option when one is not acceptable.</summary>
    public static SshFirewallOptions FromDevice(DeviceDefinition device, string defaultSet)
    {
        ArgumentNullException.ThrowIfNull(device);
        var set = Identifier(device, SetOption, defaultSet);
        return new SshFirewallOptions(
            set,
            Identifier(device, Set6Option, set + "6"),
            Flag(device, CreateOption, defaultValue: true),
            Flag(device, CutConnectionsOption, defaultValue: true));
    }

    /// <summary>
    /// 1-32 of <c>[A-Za-z0-9_-]</c>, starting with a letter: nft reads a name that starts with a digit or a
    /// hyphen as a number or an option, so the first character is narrower than the rest.
    /// </summary>
    public static bool IsIdentifier(string value) => IdentifierPattern().IsMatch(value);

    /// <summary>The option as an identifier, or <paramref name="defaultValue"/> when it is not set.</summary>
    public static string Identifier(DeviceDefinition device, string option, string defaultValue)
    {
        ArgumentNullException.ThrowIfNull(device);
        var value = device.Options.GetValueOrDefault(option, defaultValue);
        return IsIdentifier(value)
            ? value
            : throw new FirewallException($"{device.Location}: device '{device.Name}' options.{option} '{value}' is not a name the driver accepts: use 1-32 of A-Z a-z 0-9 _ -, starting with a letter");
    }

    private static bool Flag(DeviceDefinition device, string option, bool defaultValue)
    {
        if (!device.Options.TryGetValue(option, out var text))
        {
            return defaultValue;
        }

        return bool.TryParse(text.Trim(), out var value)
            ? value
            : throw new FirewallException($"{device.Location}: device '{device.Name}' options.{option} '{text}' is not true or false");
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierPattern();
}
