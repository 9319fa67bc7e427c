using System.Collections.Concurrent;

namespace Orchestrator.Connectors.Switches.Ssh;

/// <summary>
/// One <see cref="SshSession"/> (exec commands, Linux) and one <see cref="CliSession"/> (interactive, network
/// OSes) per device, kept open and reused by every command to it; a session whose connection dropped
/// reconnects on its next command (with the same host-key pin).
/// </summary>
public sealed class SshSessionPool : IDisposable
{
    private readonly ConcurrentDictionary<string, SshSession> sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, CliSession> cliSessions = new(StringComparer.Ordinal);

    /// <summary>The device's session; <paramref name="target"/> is used only when there is none yet.</summary>
    public SshSession Get(SshTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return sessions.GetOrAdd(target.Device, _ => new SshSession(target));
    }

    /// <summary>The device's interactive CLI session; <paramref name="target"/> and <paramref name="dialect"/> are used only when there is none yet.</summary>
    public CliSession GetCli(SshTarget target, CliDialect dialect)
    {
        ArgumentNullException.ThrowIfNull(target);
        return cliSessions.GetOrAdd(target.Device, _ => new CliSession(target, dialect));
    }

    /// <summary>Connections opened so far, over all devices.</summary>
    public int Connects => sessions.Values.Sum(s => s.Connects) + cliSessions.Values.Sum(s => s.Connects);

    public void Dispose()
    {
        foreach (var session in sessions.Values)
        {
            session.Dispose();
        }

        foreach (var session in cliSessions.Values)
        {
            session.Dispose();
        }

        sessions.Clear();
        cliSessions.Clear();
    }
}
