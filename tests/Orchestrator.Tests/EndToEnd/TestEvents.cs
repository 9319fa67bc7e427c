using System.Globalization;
using System.Text.Json;
using Orchestrator.Tests.Cli;

namespace Orchestrator.Tests.EndToEnd;

/// <summary>The real Sysmon sample, and events written for the tests in the shapes the service reads.</summary>
internal static class TestEvents
{
    /// <summary>Just after the sample's last process start (07:30:46.673 UTC) and its SMB connection (07:30:46.319 UTC).</summary>
    public static readonly DateTimeOffset DetectionOnWorkstation5 = new(2020, 10, 19, 7, 30, 47, TimeSpan.Zero);

    /// <summary>
    /// The config sections a service needs to hold the sample (its playbook folder, then <paramref name="more"/>):
    /// retention ages events by event time, so without this the sample's 2020 events would go at a restart.
    /// </summary>
    public static string SampleServiceSections(InProcessService service, string more = "") => $"""
        retention:
          max_age: null
        response:
          playbooks: {service.Playbooks}

        """ + more;

    /// <summary>The OTRF PsExec sample from WORKSTATION5 (see <c>Fixtures/samples/README.md</c>).</summary>
    public static string SysmonSample { get; } = File.ReadAllText(
        TestCommandTests.RepositoryPath("tests", "Orchestrator.Tests", "Fixtures", "samples", "sysmon-psexec-lateral-movement.ndjson"));

    /// <summary>The sample's Sysmon 1 records (process create), as they are in the file.</summary>
    public static IReadOnlyList<string> SampleProcessStarts { get; } =
        [.. SysmonSample.Split('\n').Where(l => l.Contains("\"Microsoft-Windows-Sysmon\"", StringComparison.Ordinal) && l.Contains("\"EventID\":1,", StringComparison.Ordinal)).Select(l => l.TrimEnd('\r'))];

    /// <summary>The sample's executables (Sysmon 1 <c>Image</c>) and their SHA-256 from <c>Hashes</c>.</summary>
    public static IReadOnlyDictionary<string, string> SampleExecutables { get; } = SampleProcessStarts
        .Select(l => JsonDocument.Parse(l).RootElement)
        .ToDictionary(
            e => e.GetProperty("Image").GetString()!,
            e => e.GetProperty("Hashes").GetString()!.Split(',').Single(h => h.StartsWith("SHA256=", StringComparison.Ordinal))["SHA256=".Length..],
            StringComparer.Ordinal);

    /// <summary>
    /// A Sysmon 3 record logged by <paramref name="victimName"/>: <paramref name="sourceName"/> connected in
    /// to its <paramref name="port"/> (flat OTRF/Winlogbeat-raw shape, as the sample).
    /// </summary>
    public static string InboundConnection(string victimName, string victimIp, string sourceName, string sourceIp, int port, DateTimeOffset at) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["SourceName"] = "Microsoft-Windows-Sysmon",
            ["Channel"] = "Microsoft-Windows-Sysmon/Operational",
            ["EventID"] = 3,
            ["Hostname"] = victimName,
            ["UtcTime"] = at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
            ["Protocol"] = "tcp",
            ["Initiated"] = "false",
            ["Image"] = "System",
            ["ProcessId"] = "4",
            ["User"] = "NT AUTHORITY\\SYSTEM",
            ["SourceIp"] = sourceIp,
            ["SourceHostname"] = sourceName,
            ["SourcePort"] = "49731",
            ["DestinationIp"] = victimIp,
            ["DestinationHostname"] = victimName,
            ["DestinationPort"] = port.ToString(CultureInfo.InvariantCulture),
        });

    /// <summary>An antivirus detection on <paramref name="host"/> as ECS JSON, naming no source (<c>infection.detected</c>).</summary>
    public static string Detection(string host, DateTimeOffset at, string threat = "W32.Changeup") =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["@timestamp"] = at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
            ["event"] = new { category = "malware", action = "virus_found" },
            ["host"] = new { name = host },
            ["rule"] = new { name = threat },
        });
}
