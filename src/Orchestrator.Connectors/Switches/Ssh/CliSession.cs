using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Renci.SshNet;

namespace Orchestrator.Connectors.Switches.Ssh;

/// <summary>
/// An interactive command line on a network OS over SSH (a pty shell, as a person would type): network
/// CLIs keep a mode (enable, configuration) between commands, which separate exec channels cannot. One
/// connection per device, opened through <see cref="SshSession.ConnectPinnedAsync"/> (same host-key pin), kept
/// and reused; a connection that dropped is reopened on the next command. A command is sent when the prompt
/// shows, and its output is what the device printed until the prompt shows again.
/// </summary>
public sealed partial class CliSession : IDisposable
{
    private readonly SshTarget target;
    private readonly CliDialect dialect;
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly SemaphoreSlim operation = new(1, 1);
    private Connection? connection;

    public CliSession(SshTarget target, CliDialect dialect)
    {
        this.target = target ?? throw new ArgumentNullException(nameof(target));
        this.dialect = dialect ?? throw new ArgumentNullException(nameof(dialect));
    }

    /// <summary>How many times this session opened a connection (1 while it stays up).</summary>
    public int Connects { get; private set; }

    /// <summary>The inventory name of the device, for errors.</summary>
    public string Device => target.Device;

    /// <summary>
    /// Runs one command and returns its output; throws <see cref="SshSwitchException"/> with the device's own
    /// message when the output says the command failed (<see cref="CliDialect.Error"/>).
    /// </summary>
    public async Task<string> RunAsync(string command, CancellationToken cancellationToken)
    {
        var output = await RunUncheckedAsync(command, cancellationToken).ConfigureAwait(false);
        return dialect.ErrorIn(output) is { } error ? throw Refused(command, error) : output;
    }

    /// <summary>
    /// Like <see cref="RunAsync"/>, but an error that contains <paramref name="featureOff"/> (e.g. IOS's
    /// <c>% CDP is not enabled</c>) means the feature is switched off: the output is empty, not a failure.
    /// </summary>
    public async Task<string> RunOrEmptyAsync(string command, string featureOff, CancellationToken cancellationToken)
    {
        var output = await RunUncheckedAsync(command, cancellationToken).ConfigureAwait(false);
        return dialect.ErrorIn(output) switch
        {
            null => output,
            { } error when error.Contains(featureOff, StringComparison.OrdinalIgnoreCase) => string.Empty,
            { } error => throw Refused(command, error),
        };
    }

    /// <summary>
    /// Runs <paramref name="work"/> (several commands) with no other caller's command in between: a configuration
    /// sequence must not see a read from another run land in its configuration mode. Not reentrant.
    /// </summary>
    public async Task<T> ExclusiveAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await operation.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await work().ConfigureAwait(false);
        }
        finally
        {
            operation.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> with no other caller's command in between (see the generic overload).</summary>
    public Task ExclusiveAsync(Func<Task> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        return ExclusiveAsync(async () =>
        {
            await work().ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    /// <summary>Runs one command and returns its output whatever it says (for callers that read the device's errors themselves).</summary>
    public async Task<string> RunUncheckedAsync(string command, CancellationToken cancellationToken)
    {
        CheckCommand(command);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // A connection the device closed while idle is only seen when the command gets no answer at all:
            // then, and only then (nothing ran), the command is sent once more on a new connection.
            for (var attempt = 0; ; attempt++)
            {
                var open = await OpenAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    return Output(await ExchangeAsync(open, command, dialect.Prompt, cancellationToken).ConfigureAwait(false));
                }
                catch (DroppedException) when (attempt == 0)
                {
                    Drop();
                }
            }
        }
        catch (DroppedException e)
        {
            Drop();
            throw new SshSwitchException($"{target.Device}: the connection closed while running '{command}'", e);
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose()
    {
        Drop();
        gate.Dispose();
        operation.Dispose();
    }

    private SshSwitchException Refused(string command, string error) => new($"{target.Device}: the device refused '{command}': {error}");

    // Anything but printable text could end a line early or trigger CLI help (IOS reads '?' at once):
    // commands are built from validated types, and this holds them to it.
    private static void CheckCommand(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Length == 0 || command.Any(c => char.IsControl(c) || c == '?'))
        {
            throw new ArgumentException($"a CLI command must be one line of printable text without '?': '{command.ReplaceLineEndings("\\n")}'", nameof(command));
        }
    }

    private async Task<Connection> OpenAsync(CancellationToken cancellationToken)
    {
        if (connection is { Usable: true })
        {
            return connection;
        }

        Drop();
        var client = await SshSession.ConnectPinnedAsync(target, cancellationToken).ConfigureAwait(false);
        Connects++;
        try
        {
            // Wide and tall so that the device neither wraps nor pages before paging is turned off.
            connection = new Connection(client, client.CreateShellStream("vt100", 511, 500, 0, 0, 65536));
            var login = LastLine(await WaitAsync(connection, dialect.Prompt, "the login prompt", cancellationToken).ConfigureAwait(false)).Trim();
            if (login.EndsWith('>') && dialect.HasEnable)
            {
                await EnableAsync(connection, login, cancellationToken).ConfigureAwait(false);
            }
            else if (login.EndsWith('>') && dialect.OperatorLogin is { } what)
            {
                throw new SshSwitchException($"{target.Device}: the login lands at the operator prompt '{login}', which cannot change ports; {what}");
            }

            foreach (var setup in dialect.SessionSetup)
            {
                var output = Output(await ExchangeAsync(connection, setup, dialect.Prompt, cancellationToken).ConfigureAwait(false));
                if (dialect.ErrorIn(output) is { } error)
                {
                    throw new SshSwitchException($"{target.Device}: the device refused '{setup}' after login: {error}");
                }
            }

            return connection;
        }
        catch (DroppedException e)
        {
            Drop();
            throw new SshSwitchException($"{target.Device}: the device closed the connection during login", e);
        }
        catch
        {
            Drop();
            throw;
        }
    }

    // IOS: 'enable', the secret at 'Password:', and a '#' prompt. A wrong secret gets 'Password:' again;
    // empty answers then run out IOS's three tries ('% Bad secrets') so the error can quote the device.
    private async Task EnableAsync(Connection open, string prompt, CancellationToken cancellationToken)
    {
        if (target.Credentials.EnablePassword is not { } secret)
        {
            throw new SshSwitchException($"{target.Device}: the login lands at the unprivileged prompt '{prompt}' and the inventory gives no credentials.enable_password (e.g. enable_password: \"${{env:SWITCH_ENABLE}}\"); set it, or log in as a user with privilege 15");
        }

        var answer = await ExchangeAsync(open, "enable", PasswordOrPrompt(), cancellationToken).ConfigureAwait(false);
        if (PasswordPrompt().IsMatch(LastLine(answer)))
        {
            answer = await ExchangeAsync(open, secret, PasswordOrPrompt(), cancellationToken, echoed: false).ConfigureAwait(false);
        }

        var tries = 0;
        var said = new StringBuilder(Output(answer));
        while (PasswordPrompt().IsMatch(LastLine(answer)) && tries++ < 3)
        {
            answer = await ExchangeAsync(open, string.Empty, PasswordOrPrompt(), cancellationToken, echoed: false).ConfigureAwait(false);
            said.Append('\n').Append(Output(answer));
        }

        if (!LastLine(answer).TrimEnd().EndsWith('#'))
        {
            var device = dialect.ErrorIn(said.ToString()) ?? "no privileged prompt";
            throw new SshSwitchException($"{target.Device}: enable failed — the device did not accept credentials.enable_password ({device}); check the enable secret the inventory references");
        }
    }

    // Sends a line and waits until the last line of output matches 'until'; returns everything received after the line was sent.
    private async Task<string> ExchangeAsync(Connection open, string line, Regex until, CancellationToken cancellationToken, bool echoed = true)
    {
        open.Clear();
        try
        {
            open.Shell.WriteLine(line);
            open.Shell.Flush();
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException or Renci.SshNet.Common.SshException)
        {
            throw new DroppedException(e);
        }

        return await WaitAsync(open, until, echoed ? $"'{line}'" : "the enable secret", cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> WaitAsync(Connection open, Regex until, string what, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(target.CommandTimeout);
        while (true)
        {
            var received = Clean(open.Received());
            if (until.IsMatch(LastLine(received)))
            {
                return received;
            }

            if (open.Closed)
            {
                throw received.Length == 0 ? new DroppedException() : new SshSwitchException($"{target.Device}: the device closed the connection after {what} (last output: '{LastLine(received).Trim()}')");
            }

            try
            {
                await open.Arrived.WaitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The device is in an unknown mode now: the next command starts on a new connection.
                Drop();
                throw new SshSwitchException(string.Create(CultureInfo.InvariantCulture,
                    $"{target.Device}: no {dialect.Name} prompt within {target.CommandTimeout.TotalSeconds:0.#}s after {what} (last output: '{LastLine(received).Trim()}')"));
            }
        }
    }

    private void Drop()
    {
        connection?.Dispose();
        connection = null;
    }

    // Output without the echoed command line (the first) and the prompt (the last).
    private static string Output(string received)
    {
        var lines = received.Split('\n');
        return lines.Length <= 2 ? string.Empty : string.Join('\n', lines[1..^1]);
    }

    private static string LastLine(string text) => text[(text.LastIndexOf('\n') + 1)..];

    // Carriage returns, terminal escape sequences and backspaces are how a pty draws, not what the device said.
    private static string Clean(string raw)
    {
        var text = TerminalEscape().Replace(raw, string.Empty).Replace("\r", string.Empty, StringComparison.Ordinal);
        if (!text.Contains('\b', StringComparison.Ordinal))
        {
            return text;
        }

        var kept = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c != '\b')
            {
                kept.Append(c);
            }
            else if (kept.Length > 0)
            {
                kept.Length--;
            }
        }

        return kept.ToString();
    }

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]")]
    private static partial Regex TerminalEscape();

    [GeneratedRegex(@"(?i)password: ?$")]
    private static partial Regex PasswordPrompt();

    [GeneratedRegex(@"(?i)password: ?$|^[A-Za-z0-9][\w.\-]*(\([\w.\-]+\))?[>#] ?$")]
    private static partial Regex PasswordOrPrompt();

    /// <summary>The device closed the channel before answering: nothing of the command ran.</summary>
    private sealed class DroppedException : Exception
    {
        public DroppedException()
        {
        }

        public DroppedException(Exception innerException)
            : base("dropped", innerException)
        {
        }
    }

    /// <summary>One connection and its shell; a reader drains the shell into a buffer so that waits can time out.</summary>
    private sealed class Connection : IDisposable
    {
        private readonly SshClient client;
        private readonly StringBuilder buffer = new();
        private readonly Lock bufferLock = new();
        private volatile bool closed;

        public Connection(SshClient client, ShellStream shell)
        {
            this.client = client;
            Shell = shell;
            shell.Closed += (_, _) => MarkClosed();
            _ = Task.Factory.StartNew(Read, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        public ShellStream Shell { get; }

        /// <summary>Released whenever output arrives or the shell closes.</summary>
        public SemaphoreSlim Arrived { get; } = new(0);

        public bool Closed => closed;

        public bool Usable => !closed && client.IsConnected;

        public string Received()
        {
            lock (bufferLock)
            {
                return buffer.ToString();
            }
        }

        public void Clear()
        {
            lock (bufferLock)
            {
                buffer.Clear();
            }
        }

        public void Dispose()
        {
            MarkClosed();
            Shell.Dispose();
            client.Dispose();
        }

        private void Read()
        {
            var bytes = new byte[16384];
            var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
            var decoder = Encoding.UTF8.GetDecoder();
            try
            {
                int count;
                while ((count = Shell.Read(bytes, 0, bytes.Length)) > 0)
                {
                    var decoded = decoder.GetChars(bytes, 0, count, chars, 0);
                    lock (bufferLock)
                    {
                        buffer.Append(chars, 0, decoded);
                    }

                    Arrived.Release();
                }
            }
            catch (Exception e) when (e is ObjectDisposedException or IOException or Renci.SshNet.Common.SshException)
            {
                // The shell closed under the reader: the same as the end of its output.
            }
            finally
            {
                MarkClosed();
            }
        }

        private void MarkClosed()
        {
            closed = true;
            try
            {
                Arrived.Release();
            }
            catch (ObjectDisposedException)
            {
                // Released after disposal: nobody waits any more.
            }
        }
    }
}
