namespace Orchestrator.Snmp.Security;

/// <summary>
/// The SNMPv3 User-based Security Model settings of an <see cref="SnmpClient"/> (RFC 3414). The security level follows
/// from the protocols: no auth protocol is noAuthNoPriv, an auth protocol alone is authNoPriv, both are authPriv.
/// The passwords are never logged or put in an exception; <see cref="object.ToString"/> is not overridden.
/// </summary>
public sealed class SnmpUsmOptions
{
    /// <summary>The USM user name (msgUserName), 1 to 32 bytes in UTF-8.</summary>
    public required string User { get; init; }

    public SnmpAuthProtocol AuthProtocol { get; init; } = SnmpAuthProtocol.None;

    /// <summary>The authentication password, at least 8 characters (RFC 3414 section 11.2); a secret.</summary>
    public string? AuthPassword { get; init; }

    public SnmpPrivProtocol PrivProtocol { get; init; } = SnmpPrivProtocol.None;

    /// <summary>The privacy password, at least 8 characters; a secret.</summary>
    public string? PrivPassword { get; init; }

    /// <summary>The contextName of the scoped PDU; empty for the default context.</summary>
    public string ContextName { get; init; } = string.Empty;

    /// <summary>The contextEngineID as hex (e.g. "80001f8880…"); empty uses the agent's discovered engine id.</summary>
    public string? ContextEngineId { get; init; }

    internal void Validate(string prefix)
    {
        if (string.IsNullOrEmpty(User) || System.Text.Encoding.UTF8.GetByteCount(User) > 32)
        {
            throw new ArgumentException($"{prefix}.User must be 1 to 32 bytes long.", prefix + ".User");
        }

        if (!Enum.IsDefined(AuthProtocol))
        {
            throw new ArgumentException($"{prefix}.AuthProtocol {AuthProtocol} is not a known authentication protocol.", prefix + ".AuthProtocol");
        }

        if (!Enum.IsDefined(PrivProtocol))
        {
            throw new ArgumentException($"{prefix}.PrivProtocol {PrivProtocol} is not a known privacy protocol.", prefix + ".PrivProtocol");
        }

        if (AuthProtocol == SnmpAuthProtocol.None)
        {
            if (PrivProtocol != SnmpPrivProtocol.None)
            {
                throw new ArgumentException($"{prefix}.PrivProtocol needs an {prefix}.AuthProtocol: USM has no privacy without authentication.", prefix + ".PrivProtocol");
            }
        }
        else
        {
            RequirePassword(AuthPassword, prefix + ".AuthPassword");
        }

        if (PrivProtocol != SnmpPrivProtocol.None)
        {
            RequirePassword(PrivPassword, prefix + ".PrivPassword");
        }

        if (!string.IsNullOrEmpty(ContextEngineId))
        {
            try
            {
                byte[] id = Convert.FromHexString(ContextEngineId);
                if (id.Length is < 5 or > 32)
                {
                    throw new ArgumentException($"{prefix}.ContextEngineId must be 5 to 32 bytes (10 to 64 hex digits).", prefix + ".ContextEngineId");
                }
            }
            catch (FormatException)
            {
                throw new ArgumentException($"{prefix}.ContextEngineId must be hex digits, e.g. 80001f888056c4d4e1a2b3c4d5.", prefix + ".ContextEngineId");
            }
        }
    }

    private static void RequirePassword(string? password, string name)
    {
        // The length is checked, the value is never echoed.
        if (password is null || password.Length < 8)
        {
            throw new ArgumentException($"{name} must be at least 8 characters (RFC 3414 section 11.2; net-snmp refuses shorter ones).", name);
        }
    }
}
