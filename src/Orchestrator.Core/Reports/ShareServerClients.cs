using System.Net;
using Orchestrator.Core.Detection;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Reports;

/// <summary>
/// The clients that connected to one share server in a window and how many connections each made:
/// the optional filter of <see cref="PinpointReport"/>. Fed the window's <c>network.connection</c>
/// events, whose <c>source.*</c> is the side that opened the connection and <c>destination.*</c> the
/// side that accepted it.
/// </summary>
/// <remarks>
/// Names are compared by their first label, ignoring case (<c>FS01</c> is <c>fs01.corp.local</c>),
/// as the Sysmon parser matches a peer to its host. A server given by name only matches connections
/// that carry the destination's name; give its address when the connection logs carry addresses only.
/// </remarks>
public sealed class ShareServerClients
{
    private const int MaxNameLength = 253;

    private readonly IPAddress? _serverIp;
    private readonly string? _serverName;
    private readonly Dictionary<(IPAddress? Ip, string? Name), int> _clients = [];

    /// <param name="server">The server's IP address or host name; check it first with <see cref="Problem"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="server"/> is neither.</exception>
    public ShareServerClients(string server)
    {
        ArgumentNullException.ThrowIfNull(server);
        if (Problem(server) is { } problem)
        {
            throw new ArgumentException(problem, nameof(server));
        }

        Server = server.Trim();
        if (IPAddress.TryParse(Server, out var ip))
        {
            _serverIp = ip;
        }
        else
        {
            _serverName = MachineIdentity.NameKey(Server);
        }
    }

    /// <summary>The server as given.</summary>
    public string Server { get; }

    /// <summary>How many connections to the server were counted.</summary>
    public int Connections { get; private set; }

    /// <summary>Why <paramref name="server"/> cannot name a server (<c>'a b' is neither an IP address nor a host name</c>), or null when it can.</summary>
    public static string? Problem(string? server)
    {
        var text = server?.Trim() ?? "";
        if (text.Length == 0)
        {
            return "give the share server's IP address or host name";
        }

        if (IPAddress.TryParse(text, out _) || IsHostName(text))
        {
            return null;
        }

        return $"'{server}' is neither an IP address nor a host name";
    }

    /// <summary>Counts <paramref name="connection"/> when it is a connection the server accepted from a client it names; true when counted.</summary>
    public bool Add(SecurityEvent connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.Kind != EventKinds.NetworkConnection || !IsServer(connection))
        {
            return false;
        }

        var clientName = MachineIdentity.NameKey(connection.SourceName);
        if (connection.SourceIp is null && clientName is null)
        {
            return false;
        }

        var client = (connection.SourceIp, clientName);
        _clients[client] = _clients.GetValueOrDefault(client) + 1;
        Connections++;
        return true;
    }

    /// <summary>
    /// How many counted connections came from the host named <paramref name="host"/> (a name, or an
    /// address when the host has no name) or from any of its <paramref name="addresses"/>.
    /// </summary>
    public int ConnectionsFrom(string host, IReadOnlyCollection<IPAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(addresses);
        var name = IPAddress.TryParse(host, out var hostIp) ? null : MachineIdentity.NameKey(host);
        var count = 0;
        foreach (var ((ip, clientName), connections) in _clients)
        {
            var byAddress = ip is not null && (ip.Equals(hostIp) || addresses.Contains(ip));
            var byName = name is not null && clientName == name;
            if (byAddress || byName)
            {
                count += connections;
            }
        }

        return count;
    }

    private bool IsServer(SecurityEvent connection) => _serverIp is not null
        ? _serverIp.Equals(connection.DestinationIp)
        : MachineIdentity.NameKey(connection.DestinationName) is { } name && name == _serverName;

    // Letters, digits, '-' and '_' (NetBIOS names have it) in dot-separated labels, as DNS names and Windows computer names are written.
    private static bool IsHostName(string text)
    {
        if (text.Length > MaxNameLength)
        {
            return false;
        }

        foreach (var label in text.TrimEnd('.').Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || !label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
