using System.Globalization;

namespace Orchestrator.Core.Network;

/// <summary>An 802.1Q VLAN id, 1 to 4094 (0 and 4095 are reserved).</summary>
public readonly record struct VlanId
{
    public const int Minimum = 1;
    public const int Maximum = 4094;

    private VlanId(int value) => Value = value;

    public int Value { get; }

    public static bool TryParse(string? text, out VlanId vlan)
    {
        vlan = default;
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is < Minimum or > Maximum)
        {
            return false;
        }

        vlan = new VlanId(value);
        return true;
    }

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}
