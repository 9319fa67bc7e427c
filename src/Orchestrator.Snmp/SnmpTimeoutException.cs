using System.Globalization;
using System.Net;

namespace Orchestrator.Snmp;

/// <summary>No response after every attempt: the agent is down, unreachable, or the community is wrong (agents drop those silently).</summary>
public sealed class SnmpTimeoutException : SnmpException
{
    public SnmpTimeoutException()
    {
    }

    public SnmpTimeoutException(string message)
        : base(message)
    {
    }

    public SnmpTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SnmpTimeoutException(IPEndPoint endpoint, int attempts, TimeSpan timeout)
        : base(string.Create(
            CultureInfo.InvariantCulture,
            $"SNMP agent {endpoint} did not answer after {attempts} attempt(s) of {timeout.TotalMilliseconds:0} ms each; check that it runs, the address and port, and the community or credentials"))
    {
        Endpoint = endpoint;
        Attempts = attempts;
    }

    public IPEndPoint? Endpoint { get; }

    public int Attempts { get; }
}
