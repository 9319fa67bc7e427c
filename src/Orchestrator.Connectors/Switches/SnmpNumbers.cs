using Orchestrator.Snmp;

namespace Orchestrator.Connectors.Switches;

/// <summary>Reading a number whichever integer type the agent chose.</summary>
internal static class SnmpNumbers
{
    /// <summary>
    /// Integer32 or an unsigned type (Gauge32, Counter32, TimeTicks): agents differ for the same object
    /// (dot1qPvid is a Gauge32 in the MIB, an INTEGER on some switches).
    /// </summary>
    public static uint Unsigned(this SnmpValue value) =>
        value.Kind == SnmpValueKind.Integer32 ? unchecked((uint)value.AsInt32()) : value.AsUInt32();
}
