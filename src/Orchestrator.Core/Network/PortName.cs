namespace Orchestrator.Core.Network;

/// <summary>
/// A switch port as the device names it (<c>Gi1/0/48</c>, <c>1/1/12</c>, <c>ge-0/0/3</c>, <c>swp7</c>).
/// Only letters, digits and <c>/ . : - _</c>, at most 64 characters: a port name reaches a device's
/// command line, so nothing that a shell or a CLI could read as syntax gets through.
/// </summary>
public readonly record struct PortName
{
    public const int MaxLength = 64;

    private PortName(string value) => Value = value;

    public string Value { get; }

    public static bool TryParse(string? text, out PortName port)
    {
        port = default;
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength || !char.IsAsciiLetterOrDigit(text[0])
            || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or ':' or '-' or '_'))
        {
            return false;
        }

        port = new PortName(text);
        return true;
    }

    /// <summary>Whether two names are the same port (devices treat names case-insensitively).</summary>
    public bool Matches(PortName other) => string.Equals(Value, other.Value, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => Value;
}
