namespace Orchestrator.Snmp.Security;

/// <summary>Why an SNMPv3 agent refused a request: the usmStats/snmp counter its Report PDU named (RFC 3414 section 3.2).</summary>
public enum SnmpSecurityFailure
{
    /// <summary>A Report the client does not map to a specific reason; the message names its OID.</summary>
    Other = 0,

    /// <summary>usmStatsUnsupportedSecLevels: the user is not configured for the requested security level.</summary>
    UnsupportedSecurityLevel,

    /// <summary>usmStatsNotInTimeWindows, still after one resynchronisation.</summary>
    NotInTimeWindow,

    /// <summary>usmStatsUnknownUserNames: the agent has no such user.</summary>
    UnknownUser,

    /// <summary>usmStatsUnknownEngineIDs, still after one rediscovery.</summary>
    UnknownEngineId,

    /// <summary>usmStatsWrongDigests: wrong authentication password or protocol.</summary>
    AuthenticationFailed,

    /// <summary>usmStatsDecryptionErrors: wrong privacy password or protocol.</summary>
    DecryptionFailed,

    /// <summary>snmpUnknownContexts: the context name is not known to the agent.</summary>
    UnknownContext,
}
