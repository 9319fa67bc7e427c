using System.Diagnostics;

namespace Orchestrator.Snmp.Tests.Interop;

/// <summary>The net-snmp command-line tools (Debian package snmp), the reference a walk is compared with.</summary>
internal static class NetSnmpCli
{
    public const string SnmpWalkPath = "/usr/bin/snmpwalk";

    /// <summary>The OIDs <c>snmpwalk -v2c -On</c> prints for <paramref name="root"/>.</summary>
    public static async Task<IReadOnlyList<Oid>> WalkOidsAsync(SnmpdFixture agent, string root)
    {
        if (!File.Exists(SnmpWalkPath))
        {
            throw new InvalidOperationException($"{SnmpWalkPath} is missing: install the Debian package snmp.");
        }

        ProcessStartInfo start = new(SnmpWalkPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "-v2c", "-On", "-c", agent.ReadCommunity, agent.Endpoint.ToString(), root })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["MIBS"] = string.Empty;
        using Process walk = Process.Start(start)!;
        Task<string> errors = walk.StandardError.ReadToEndAsync();
        List<Oid> oids = [];
        while (await walk.StandardOutput.ReadLineAsync() is { } line)
        {
            // ".1.3.6.1.2.1.1.1.0 = STRING: ..."; a value may continue on the next lines, which do not start with ".1".
            int separator = line.IndexOf(" = ", StringComparison.Ordinal);
            if (line.StartsWith('.') && separator > 0)
            {
                oids.Add(Oid.Parse(line[..separator]));
            }
        }

        await walk.WaitForExitAsync();
        Assert.True(walk.ExitCode == 0, $"snmpwalk failed: {await errors}");
        return oids;
    }
}
