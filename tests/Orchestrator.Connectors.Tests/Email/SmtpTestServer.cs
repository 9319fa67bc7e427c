using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using MimeKit;

namespace Orchestrator.Connectors.Tests.Email;

/// <summary>One message as the real SMTP server received it.</summary>
public sealed record ReceivedEmail(string MailFrom, IReadOnlyList<string> RcptTos, int PeerPort, bool Tls, bool Authenticated, string Data)
{
    public MimeMessage Parse() => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(Data)));
}

/// <summary>
/// A real aiosmtpd server (Debian's python3-aiosmtpd) on a loopback ephemeral port, started by a
/// test: plain, STARTTLS or implicit TLS, optionally with a login, saving what it accepts.
/// </summary>
public sealed class SmtpTestServer : IAsyncDisposable
{
    private readonly Process _process;

    private SmtpTestServer(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
    }

    public int Port { get; }

    public string Directory { get; }

    /// <summary>The server script, next to this file in the source tree (the benchmark uses it too).</summary>
    public static string Script { get; } = Path.Combine(Path.GetDirectoryName(SourceFile())!, "smtp_test_server.py");

    public static async Task<SmtpTestServer> StartAsync(
        string mode = "none", TestCertificate? certificate = null, string? login = null, int tempfailData = 0, int port = 0, string? directory = null)
    {
        directory ??= System.IO.Directory.CreateTempSubdirectory("smtp-test-").FullName;
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Script, "--dir", directory, "--mode", mode, "--port", port.ToString(CultureInfo.InvariantCulture), "--tempfail-data", tempfailData.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        if (certificate is not null)
        {
            start.ArgumentList.Add("--cert");
            start.ArgumentList.Add(certificate.CertificatePath);
            start.ArgumentList.Add("--key");
            start.ArgumentList.Add(certificate.KeyPath);
        }

        if (login is not null)
        {
            start.ArgumentList.Add("--auth");
            start.ArgumentList.Add(login);
        }

        var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line is null || !line.StartsWith("READY ", StringComparison.Ordinal))
        {
            var error = await process.StandardError.ReadToEndAsync(timeout.Token);
            throw new InvalidOperationException($"aiosmtpd did not start: {line} {error}");
        }

        return new SmtpTestServer(process, int.Parse(line["READY ".Length..], CultureInfo.InvariantCulture), directory);
    }

    /// <summary>A loopback port nothing listens on: connecting to it is refused.</summary>
    public static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>What arrived, in order; a send returns only after DATA was accepted, so nothing is still on its way.</summary>
    public IReadOnlyList<ReceivedEmail> Received() =>
        [.. System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal)
            .Select(f => JsonSerializer.Deserialize<Record>(File.ReadAllText(f))!)
            .Select(r => new ReceivedEmail(r.mail_from, r.rcpt_tos, r.peer_port, r.tls, r.authenticated, r.data))];

    /// <summary>Stops the server, keeping the directory (a restarted server can write on).</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    private static string SourceFile([CallerFilePath] string path = "") => path;

#pragma warning disable IDE1006, SA1300 // the names the Python script writes
    private sealed record Record(string mail_from, string[] rcpt_tos, int peer_port, bool tls, bool authenticated, string data);
#pragma warning restore IDE1006, SA1300
}
