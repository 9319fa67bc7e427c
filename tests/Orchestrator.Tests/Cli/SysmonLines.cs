using System.Globalization;
using System.Text.Json;

namespace Orchestrator.Tests.Cli;

/// <summary>Sysmon records in the flat shape (Winlogbeat raw, NXLog), one JSON object a line, as <c>orchestrator ingest</c> reads them.</summary>
internal static class SysmonLines
{
    private const string Channel = "Microsoft-Windows-Sysmon/Operational";

    /// <summary>Sysmon 1, process create; <paramref name="sha256"/> null leaves the hash out.</summary>
    public static string ProcessStart(DateTimeOffset time, string host, string image, string? sha256) => Line(new Dictionary<string, object>
    {
        ["EventID"] = 1,
        ["Channel"] = Channel,
        ["Hostname"] = host,
        ["UtcTime"] = Time(time),
        ["Image"] = image,
        ["CommandLine"] = image,
        ["ProcessId"] = "4242",
        ["Hashes"] = sha256 is null ? "MD5=27304B246C7D5B4E149124D5F93C5B01" : "SHA256=" + sha256.ToUpperInvariant(),
    });

    /// <summary>Sysmon 3 logged on the client <paramref name="host"/>, which opened an SMB connection to the server.</summary>
    public static string SmbConnection(DateTimeOffset time, string host, string hostIp, string serverIp, string serverName) => Line(new Dictionary<string, object>
    {
        ["EventID"] = 3,
        ["Channel"] = Channel,
        ["Hostname"] = host,
        ["UtcTime"] = Time(time),
        ["Image"] = "System",
        ["ProcessId"] = "4",
        ["Protocol"] = "tcp",
        ["Initiated"] = "true",
        ["SourceIp"] = hostIp,
        ["SourceHostname"] = host,
        ["SourcePort"] = "50123",
        ["DestinationIp"] = serverIp,
        ["DestinationHostname"] = serverName,
        ["DestinationPort"] = "445",
    });

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    private static string Line(Dictionary<string, object> fields) => JsonSerializer.Serialize(fields);
}
