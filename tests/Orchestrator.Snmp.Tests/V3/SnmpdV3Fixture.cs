using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Orchestrator.Snmp.Security;
using Orchestrator.Snmp.Tests.Interop;

namespace Orchestrator.Snmp.Tests.V3;

/// <summary>
/// A real net-snmp snmpd for the SNMPv3 tests: USM users for each protocol pair with random passwords, a v2c community
/// and a context "lab" that proxies the system group back to the agent itself. Same start-up approach as
/// <see cref="SnmpdFixture"/> (127.0.0.1, ephemeral port, temporary directory), but its own configuration.
/// </summary>
public sealed class SnmpdV3Fixture : IAsyncLifetime
{
    public const string SnmpWalkPath = "/usr/bin/snmpwalk";

    private readonly SnmpdAgent agent = new("snmpd-v3-test-");
    private readonly string community = "v2-" + RandomNumberGenerator.GetHexString(16, lowercase: true);

    public IPEndPoint Endpoint => agent.Endpoint;

    /// <summary>User name → its USM settings; names say the protocols.</summary>
    public IReadOnlyDictionary<string, SnmpUsmOptions> Users { get; } = new Dictionary<string, SnmpUsmOptions>
    {
        ["sha-aes"] = NewUser("sha-aes", SnmpAuthProtocol.Sha1, SnmpPrivProtocol.Aes128),
        ["sha224-aes"] = NewUser("sha224-aes", SnmpAuthProtocol.Sha224, SnmpPrivProtocol.Aes128),
        ["sha256-aes"] = NewUser("sha256-aes", SnmpAuthProtocol.Sha256, SnmpPrivProtocol.Aes128),
        ["sha384-aes"] = NewUser("sha384-aes", SnmpAuthProtocol.Sha384, SnmpPrivProtocol.Aes128),
        ["sha512-des"] = NewUser("sha512-des", SnmpAuthProtocol.Sha512, SnmpPrivProtocol.Des),
        ["md5-des"] = NewUser("md5-des", SnmpAuthProtocol.Md5, SnmpPrivProtocol.Des),
        ["md5-auth"] = NewUser("md5-auth", SnmpAuthProtocol.Md5, SnmpPrivProtocol.None),
        ["noauth"] = NewUser("noauth", SnmpAuthProtocol.None, SnmpPrivProtocol.None),
    };

    public SnmpClient CreateClient(SnmpUsmOptions user, int retries = 1, TimeSpan? timeout = null, TimeProvider? clock = null) => new(
        new SnmpClientOptions
        {
            Endpoint = Endpoint,
            Version = SnmpVersion.V3,
            Usm = user,
            Retries = retries,
            Timeout = timeout ?? TimeSpan.FromSeconds(2),
        },
        clock);

    public SnmpClient CreateClient(string user) => CreateClient(Users[user]);

    /// <summary>The OIDs <c>snmpwalk -v3 -l authPriv -On</c> prints for <paramref name="root"/> as <paramref name="user"/>.</summary>
    public async Task<IReadOnlyList<Oid>> NetSnmpWalkAsync(SnmpUsmOptions user, string root)
    {
        List<string> arguments = ["-v3", "-On", "-u", user.User, "-l", "authPriv", "-a", "SHA", "-A", user.AuthPassword!, "-x", "AES", "-X", user.PrivPassword!];
        Assert.Equal((SnmpAuthProtocol.Sha1, SnmpPrivProtocol.Aes128), (user.AuthProtocol, user.PrivProtocol));
        arguments.AddRange([Endpoint.ToString(), root]);
        (int exitCode, string output, string errors) = await RunAsync(SnmpWalkPath, arguments);
        Assert.True(exitCode == 0, $"snmpwalk failed: {errors}");
        List<Oid> oids = [];
        foreach (string line in output.Split('\n'))
        {
            int separator = line.IndexOf(" = ", StringComparison.Ordinal);
            if (line.StartsWith('.') && separator > 0)
            {
                oids.Add(Oid.Parse(line[..separator]));
            }
        }

        return oids;
    }

    public Task InitializeAsync() => agent.StartAsync(Configuration, community);

    public Task DisposeAsync()
    {
        agent.StopAndRemove();
        return Task.CompletedTask;
    }

    private static SnmpUsmOptions NewUser(string name, SnmpAuthProtocol auth, SnmpPrivProtocol priv) => new()
    {
        User = name,
        AuthProtocol = auth,
        AuthPassword = auth == SnmpAuthProtocol.None ? null : "auth-" + RandomNumberGenerator.GetHexString(12, lowercase: true),
        PrivProtocol = priv,
        PrivPassword = priv == SnmpPrivProtocol.None ? null : "priv-" + RandomNumberGenerator.GetHexString(12, lowercase: true),
    };

    private static string NetSnmpName(SnmpAuthProtocol protocol) => protocol switch
    {
        SnmpAuthProtocol.Md5 => "MD5",
        SnmpAuthProtocol.Sha1 => "SHA",
        SnmpAuthProtocol.Sha224 => "SHA-224",
        SnmpAuthProtocol.Sha256 => "SHA-256",
        SnmpAuthProtocol.Sha384 => "SHA-384",
        SnmpAuthProtocol.Sha512 => "SHA-512",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol)),
    };

    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(string path, IEnumerable<string> arguments)
    {
        ProcessStartInfo start = new(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["MIBS"] = string.Empty;
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await errors);
    }

    // With -C snmpd reads no persistent snmpd.conf either (tried: createUser lines there are ignored and the file is
    // rewritten), so the users go into the main configuration, which net-snmp also accepts for createUser.
    private string Configuration(int port)
    {
        List<string> lines =
        [
            $"agentaddress udp:127.0.0.1:{port}",
            $"rocommunity {community} 127.0.0.1",

            // The context "lab" is the agent's own system group fetched over v2c: a real non-default context.
            $"proxy -Cn lab -v 2c -c {community} 127.0.0.1:{port} .1.3.6.1.2.1.1",
        ];
        foreach (SnmpUsmOptions user in Users.Values)
        {
            string create = user.AuthProtocol == SnmpAuthProtocol.None
                ? $"createUser {user.User}"
                : user.PrivProtocol == SnmpPrivProtocol.None
                    ? $"createUser {user.User} {NetSnmpName(user.AuthProtocol)} \"{user.AuthPassword}\""
                    : $"createUser {user.User} {NetSnmpName(user.AuthProtocol)} \"{user.AuthPassword}\" {(user.PrivProtocol == SnmpPrivProtocol.Des ? "DES" : "AES")} \"{user.PrivPassword}\"";
            string level = user.AuthProtocol == SnmpAuthProtocol.None ? "noauth" : user.PrivProtocol == SnmpPrivProtocol.None ? "auth" : "priv";
            lines.Add(create);
            lines.Add($"{(level == "priv" ? "rwuser" : "rouser")} {user.User} {level}");
        }

        return string.Join('\n', lines) + "\n";
    }
}

[CollectionDefinition(Name)]
public sealed class SnmpdV3Tests : ICollectionFixture<SnmpdV3Fixture>
{
    public const string Name = "snmpd-v3";
}
