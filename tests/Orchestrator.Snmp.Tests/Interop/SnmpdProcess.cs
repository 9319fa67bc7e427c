using System.Diagnostics;

namespace Orchestrator.Snmp.Tests.Interop;

/// <summary>What the snmpd fixtures (v2c and v3) share about the agent process: waiting until it answers, and stopping it.</summary>
internal static class SnmpdProcess
{
    /// <summary>True once <paramref name="client"/> gets sysDescr.0 (about 10 s at most); false when snmpd exits or never answers.</summary>
    public static async Task<bool> WaitUntilAnsweringAsync(Process snmpd, SnmpClient client)
    {
        for (int i = 0; i < 50; i++)
        {
            if (snmpd.HasExited)
            {
                return false;
            }

            try
            {
                await client.GetAsync(Oid.Parse("1.3.6.1.2.1.1.1.0"));
                return true;
            }
            catch (SnmpTimeoutException)
            {
                // Not up yet.
            }
        }

        return false;
    }

    public static void Stop(Process? snmpd)
    {
        if (snmpd is null)
        {
            return;
        }

        if (!snmpd.HasExited)
        {
            snmpd.Kill(entireProcessTree: true);
            snmpd.WaitForExit(5000);
        }

        snmpd.Dispose();
    }
}
