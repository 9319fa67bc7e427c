using System.Net;
using Orchestrator.Snmp.Security;

namespace Orchestrator.Snmp;

/// <summary>Where and how an <see cref="SnmpClient"/> talks to one agent.</summary>
public sealed class SnmpClientOptions
{
    public required IPEndPoint Endpoint { get; init; }

    public SnmpVersion Version { get; init; } = SnmpVersion.V2c;

    /// <summary>The community string of V1 and V2c (unused by V3): a password, never logged or put in an exception.</summary>
    public string? Community { get; init; }

    /// <summary>The SNMPv3 user and security settings; required for V3, unused by V1 and V2c.</summary>
    public SnmpUsmOptions? Usm { get; init; }

    /// <summary>How long one attempt waits for the response.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Retransmissions after the first attempt, each with the same request-id.</summary>
    public int Retries { get; init; } = 1;

    /// <summary>The max-repetitions a bulk walk asks for when the call does not say.</summary>
    public int MaxRepetitions { get; init; } = 20;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Endpoint);
        if (Version is SnmpVersion.V1 or SnmpVersion.V2c)
        {
            if (Community is null)
            {
                throw new ArgumentException($"{nameof(Community)} is required for SNMP {Version}.", nameof(Community));
            }
        }
        else if (Version == SnmpVersion.V3)
        {
            if (Usm is null)
            {
                throw new ArgumentException($"{nameof(Usm)} (user and security settings) is required for SNMP V3.", nameof(Usm));
            }

            Usm.Validate(nameof(Usm));
        }
        else
        {
            throw new ArgumentException($"SNMP version {Version} is not supported: use V1, V2c or V3.", nameof(Version));
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(Timeout));
        ArgumentOutOfRangeException.ThrowIfNegative(Retries, nameof(Retries));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRepetitions, 1, nameof(MaxRepetitions));
    }

    /// <summary>These settings with another community (v1/v2c) or another USM context name (v3): the same agent, another instance of its MIBs.</summary>
    public SnmpClientOptions WithContext(string? community, string? contextName) => new()
    {
        Endpoint = Endpoint,
        Version = Version,
        Community = community ?? Community,
        Usm = contextName is null || Usm is null ? Usm : new SnmpUsmOptions
        {
            User = Usm.User,
            AuthProtocol = Usm.AuthProtocol,
            AuthPassword = Usm.AuthPassword,
            PrivProtocol = Usm.PrivProtocol,
            PrivPassword = Usm.PrivPassword,
            ContextName = contextName,
            ContextEngineId = Usm.ContextEngineId,
        },
        Timeout = Timeout,
        Retries = Retries,
        MaxRepetitions = MaxRepetitions,
    };
}
