using System.Globalization;
using System.Text;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Network;
using Orchestrator.Core.Playbooks;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Orchestrator.Connectors.Switches.Ssh;

/// <summary>Already-resolved SSH credentials: a private key (OpenSSH/PEM text) or a password. Never printed.</summary>
public sealed class SshCredentials
{
    public required string User { get; init; }

    public string? Password { get; init; }

    /// <summary>The private key's text (not a path).</summary>
    public string? PrivateKey { get; init; }

    public string? Passphrase { get; init; }

    /// <summary>The enable secret of a network OS whose login lands in an unprivileged mode (Cisco IOS <c>enable</c>).</summary>
    public string? EnablePassword { get; init; }

    public override string ToString() => $"{User} ({(PrivateKey is not null ? "key" : "password")})";
}

/// <summary>How one device is reached over SSH: where, as whom, and the host key it must present.</summary>
/// <param name="Device">The inventory name (used in errors and as the pool key).</param>
/// <param name="Address">Host and optional port (22 when none).</param>
/// <param name="HostKeySha256">The pinned fingerprint as OpenSSH prints it, <c>SHA256:base64</c>; null = none pinned (refused).</param>
/// <param name="Credentials">Resolved credentials.</param>
public sealed record SshTarget(string Device, DeviceAddress Address, string? HostKeySha256, SshCredentials Credentials)
{
    /// <summary>Inventory option naming the pinned host key.</summary>
    public const string HostKeyOption = "host_key_sha256";

    /// <summary>Inventory option: how long one command may take before it fails (default 30s).</summary>
    public const string CommandTimeoutOption = "command_timeout";

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The target an inventory device describes: <c>credentials.username</c> and <c>key</c> (the private
    /// key's text, usually <c>${file:PATH}</c>) and/or <c>password</c>, <c>passphrase</c> — all references,
    /// resolved here, when the device is used — <c>enable_password</c> for network OSes that need it, and
    /// <c>options.host_key_sha256</c> and <c>options.command_timeout</c>.
    /// </summary>
    public static SshTarget FromDevice(DeviceDefinition device, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        string? Secret(string key) => device.Credentials.TryGetValue(key, out var reference) ? SecretReference.Resolve(reference, environment) : null;
        var user = Secret("username") ?? throw new SshSwitchException($"{device.Location}: device '{device.Name}' has no credentials.username (e.g. username: ${{env:SWITCH_USER}})");
        var credentials = new SshCredentials { User = user, PrivateKey = Secret("key"), Password = Secret("password"), Passphrase = Secret("passphrase"), EnablePassword = Secret("enable_password") };
        if (credentials.PrivateKey is null && credentials.Password is null)
        {
            throw new SshSwitchException($"{device.Location}: device '{device.Name}' needs credentials.key (${{file:PATH}} of a private key) or credentials.password");
        }

        var target = new SshTarget(device.Name, device.Address, device.Options.GetValueOrDefault(HostKeyOption), credentials);
        if (device.Options.TryGetValue(CommandTimeoutOption, out var timeout))
        {
            target = target with
            {
                CommandTimeout = Durations.TryParse(timeout, out var parsed) && parsed > TimeSpan.Zero
                    ? parsed
                    : throw new SshSwitchException($"{device.Location}: device '{device.Name}' options.{CommandTimeoutOption} '{timeout}' is not a duration (e.g. 30s)"),
            };
        }

        return target;
    }

    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>The output of one remote command.</summary>
public sealed record SshCommandResult(int ExitStatus, string StdOut, string StdErr)
{
    public bool Succeeded => ExitStatus == 0;
}

/// <summary>An SSH failure a person can act on (host key not pinned or wrong, command failed).</summary>
public sealed class SshSwitchException : Exception
{
    public SshSwitchException()
    {
    }

    public SshSwitchException(string message)
        : base(message)
    {
    }

    public SshSwitchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Runs commands on a device. Implementations throw <see cref="SshSwitchException"/> when the device cannot be reached; a command's own failure is its exit status.</summary>
public interface ISshCommandRunner
{
    /// <summary>Runs <paramref name="arguments"/> as one command, each argument quoted for a POSIX shell.</summary>
    Task<SshCommandResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken);
}

/// <summary>
/// One SSH connection to one device, reused across commands. The host key is pinned: a key whose
/// SHA-256 fingerprint is not the inventory's <c>host_key_sha256</c>, or any key when none is pinned,
/// is refused before authentication, and the error names the fingerprint the device presented.
/// </summary>
public sealed class SshSession : ISshCommandRunner, IDisposable
{
    private readonly SshTarget target;
    private readonly SemaphoreSlim gate = new(1, 1);
    private SshClient? client;

    public SshSession(SshTarget target) => this.target = target ?? throw new ArgumentNullException(nameof(target));

    /// <summary>How many times this session opened a connection (1 while it stays up).</summary>
    public int Connects { get; private set; }

    public bool IsConnected => client?.IsConnected == true;

    /// <summary>Runs a command given as an argument list (Linux targets); every argument is single-quoted.</summary>
    public Task<SshCommandResult> RunAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Count == 0)
        {
            throw new ArgumentException("no command", nameof(arguments));
        }

        return RunLineAsync(string.Join(' ', arguments.Select(ShellQuote.Quote)), cancellationToken);
    }

    /// <summary>Runs one command line as the device reads it (network OS CLIs); callers build it from validated types only.</summary>
    public async Task<SshCommandResult> RunLineAsync(string line, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(line);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connected = await ConnectedClientAsync(cancellationToken).ConfigureAwait(false);
            using var command = connected.CreateCommand(line, Encoding.UTF8);
            command.CommandTimeout = target.CommandTimeout;
            try
            {
                await command.ExecuteAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (SshOperationTimeoutException e)
            {
                throw new SshSwitchException(string.Create(CultureInfo.InvariantCulture, $"{target.Device}: command timed out after {target.CommandTimeout.TotalSeconds:0}s"), e);
            }
            catch (SshConnectionException e)
            {
                throw new SshSwitchException($"{target.Device}: connection lost while running a command: {e.Message}", e);
            }

            return new SshCommandResult(command.ExitStatus ?? -1, command.Result, command.Error);
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose()
    {
        client?.Dispose();
        client = null;
        gate.Dispose();
    }

    private async Task<SshClient> ConnectedClientAsync(CancellationToken cancellationToken)
    {
        if (client is { IsConnected: true })
        {
            return client;
        }

        client?.Dispose();
        client = null;
        client = await ConnectPinnedAsync(target, cancellationToken).ConfigureAwait(false);
        Connects++;
        return client;
    }

    /// <summary>
    /// Opens a connection to <paramref name="target"/>, refusing any host key but the pinned one before
    /// authenticating. Every SSH transport of the switch drivers (exec here, interactive shells in
    /// <see cref="CliSession"/>) connects through this one place, so the pin and its errors are the same.
    /// </summary>
    internal static async Task<SshClient> ConnectPinnedAsync(SshTarget target, CancellationToken cancellationToken)
    {
        var port = target.Address.Port ?? 22;
        var auth = Authentication(target.Credentials);
        var info = new ConnectionInfo(target.Address.Host, port, target.Credentials.User, auth) { Timeout = target.ConnectTimeout };
        var fresh = new SshClient(info);
        string? presentedFingerprint = null;
        fresh.HostKeyReceived += (_, e) =>
        {
            presentedFingerprint = "SHA256:" + e.FingerPrintSHA256;
            e.CanTrust = target.HostKeySha256 is { } pin && string.Equals(pin.Trim(), presentedFingerprint, StringComparison.Ordinal);
        };

        try
        {
            await fresh.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SshConnectionException e) when (presentedFingerprint is not null && !string.Equals(target.HostKeySha256?.Trim(), presentedFingerprint, StringComparison.Ordinal))
        {
            fresh.Dispose();
            throw new SshSwitchException(target.HostKeySha256 is null
                ? $"{target.Device} ({target.Address}): no host key is pinned; the device presented {presentedFingerprint} — if that is its key, set options.{SshTarget.HostKeyOption}: \"{presentedFingerprint}\" in the inventory"
                : $"{target.Device} ({target.Address}): host key mismatch — the device presented {presentedFingerprint}, the inventory pins {target.HostKeySha256}; refusing to connect (check the device, then update options.{SshTarget.HostKeyOption} if its key really changed)", e);
        }
        catch (Exception e) when (e is Renci.SshNet.Common.SshException or System.Net.Sockets.SocketException or ProxyException)
        {
            fresh.Dispose();
            throw new SshSwitchException($"{target.Device} ({target.Address}): cannot connect as {target.Credentials.User}: {e.Message}", e);
        }

        return fresh;
    }

    private static AuthenticationMethod[] Authentication(SshCredentials credentials)
    {
        var methods = new List<AuthenticationMethod>();
        if (credentials.PrivateKey is { } key)
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(key));
            var file = credentials.Passphrase is null ? new PrivateKeyFile(stream) : new PrivateKeyFile(stream, credentials.Passphrase);
            methods.Add(new PrivateKeyAuthenticationMethod(credentials.User, file));
        }

        if (credentials.Password is { } password)
        {
            methods.Add(new PasswordAuthenticationMethod(credentials.User, password));
        }

        return methods.Count > 0 ? [.. methods] : throw new SshSwitchException($"no SSH credentials for {credentials.User}: give a private_key or a password");
    }
}

/// <summary>POSIX shell quoting: every argument single-quoted, an embedded quote closed, escaped and reopened.</summary>
public static class ShellQuote
{
    public static string Quote(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        return "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
