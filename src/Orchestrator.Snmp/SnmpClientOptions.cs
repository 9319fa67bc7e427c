using System.Net;

namespace Orchestrator.Snmp;

/// <summary>Where and how an <see cref="SnmpClient"/> talks to one agent.</summary>
public sealed class SnmpClientOptions
{
    public required IPEndPoint Endpoint { get; init; }

    public SnmpVersion Version { get; init; } = SnmpVersion.V2c;

    /// <summary>The community string: a password, never logged or put in an exception.</summary>
    public required string Community { get; init; }

    /// <summary>How long one attempt waits for the response.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Retransmissions after the first attempt, each with the same request-id.</summary>
    public int Retries { get; init; } = 1;

    /// <summary>The max-repetitions a bulk walk asks for when the call does not say.</summary>
    public int MaxRepetitions { get; init; } = 20;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Endpoint);
        ArgumentNullException.ThrowIfNull(Community);
        if (Version is not (SnmpVersion.V1 or SnmpVersion.V2c))
        {
            throw new ArgumentException($"SNMP version {Version} is not supported yet: use V1 or V2c.", nameof(Version));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(Timeout));
        ArgumentOutOfRangeException.ThrowIfNegative(Retries, nameof(Retries));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRepetitions, 1, nameof(MaxRepetitions));
    }
}
