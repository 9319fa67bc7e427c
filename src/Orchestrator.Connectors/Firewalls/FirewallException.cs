namespace Orchestrator.Connectors.Firewalls;

/// <summary>
/// A firewall refused a change, answered something a driver cannot read, or could not be reached; the message
/// names the device and what it answered, never a key, token or password.
/// </summary>
public sealed class FirewallException : Exception
{
    public FirewallException()
    {
    }

    public FirewallException(string message)
        : base(message)
    {
    }

    public FirewallException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
