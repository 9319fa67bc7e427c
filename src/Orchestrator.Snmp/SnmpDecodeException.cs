using System.Globalization;

namespace Orchestrator.Snmp;

/// <summary>A packet that is not a well-formed SNMP message; names the problem and the byte offset where it was found.</summary>
public sealed class SnmpDecodeException : SnmpException
{
    public SnmpDecodeException()
    {
    }

    public SnmpDecodeException(string message)
        : base(message)
    {
    }

    public SnmpDecodeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SnmpDecodeException(string problem, int offset)
        : base(string.Create(CultureInfo.InvariantCulture, $"malformed SNMP packet: {problem} at offset {offset}"))
    {
        Offset = offset;
    }

    /// <summary>The byte offset in the packet where the problem was found, or -1 when unknown.</summary>
    public int Offset { get; } = -1;
}
