namespace Orchestrator.Connectors.Switches;

/// <summary>
/// A Q-BRIDGE PortList (dot1qVlanStaticEgressPorts, ...UntaggedPorts): one bit per bridge port, port 1
/// in the most significant bit of the first octet (bit = base port − 1, most significant bit first).
/// </summary>
public static class PortList
{
    public static bool Contains(ReadOnlySpan<byte> list, int bridgePort)
    {
        var (octet, mask) = Position(bridgePort);
        return octet < list.Length && (list[octet] & mask) != 0;
    }

    /// <summary>A copy of <paramref name="list"/> with the port's bit set or cleared, grown when the port lies beyond it.</summary>
    public static byte[] With(ReadOnlySpan<byte> list, int bridgePort, bool member)
    {
        var (octet, mask) = Position(bridgePort);
        var copy = new byte[Math.Max(list.Length, octet + 1)];
        list.CopyTo(copy);
        copy[octet] = member ? (byte)(copy[octet] | mask) : (byte)(copy[octet] & ~mask);
        return copy;
    }

    private static (int Octet, byte Mask) Position(int bridgePort)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bridgePort, 1);
        return ((bridgePort - 1) / 8, (byte)(0x80 >> ((bridgePort - 1) % 8)));
    }
}
