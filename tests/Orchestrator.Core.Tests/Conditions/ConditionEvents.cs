using Orchestrator.Core.Conditions;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing;
using Orchestrator.Core.Parsing.Sep;
using Orchestrator.Core.Parsing.Sysmon;

namespace Orchestrator.Core.Tests.Conditions;

/// <summary>Real-looking events, parsed by the real parsers, for condition tests.</summary>
internal static class ConditionEvents
{
    public static readonly DateTimeOffset ReceivedAt = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    // A SEP risk with a traced source (Risk Tracer): WS-0412 was infected from 10.20.4.17.
    public const string SepRiskLine =
        "<54>Nov 23 11:58:02 sepm01 SymantecServer: Security risk found,IP Address: 10.20.3.41,Computer name: WS-0412,"
        + "Source: Auto-Protect scan,Risk name: W32.Ramnit!html,Occurrences: 1,"
        + "C:\\Users\\jdoe\\AppData\\Local\\Temp\\invoice.exe,Still contains 1 infected items,Actual action: Quarantined,"
        + "Requested action: Quarantined,Secondary action: Deleted,Event time: 2026-11-23 11:57:40,"
        + "Group: My Company\\Workstations,Server: sepm01,User: jdoe,Domain: CORP,"
        + "Source computer: FILESRV-02,Source IP: 10.20.4.17";

    // Sysmon EID 1: PsExec run from a user's Downloads folder (from the psexec lateral movement sample).
    public const string SysmonProcessStartLine =
        """{"Company":"Sysinternals - www.sysinternals.com","Description":"Execute processes remotely","CommandLine":"PsExec.exe  -accepteula -s reg save HKLM\\security\\policy\\secrets C:\\Users\\wardog\\AppData\\Local\\Temp\\secrets","TimeCreated":"2020-10-19 03:30:46.257","User":"WORKSTATION5\\wardog","ParentProcessId":"2128","Channel":"Microsoft-Windows-Sysmon/Operational","ProcessGuid":"{39e4a257-40a6-5f8d-a005-000000000700}","Hashes":"SHA1=E50D9E3BD91908E13A26B3E23EDEAF577FB3A095,MD5=27304B246C7D5B4E149124D5F93C5B01,SHA256=3337E3875B05E0BFBA69AB926532E3F179E8CFBF162EBB60CE58A0281437A7EF,IMPHASH=C1E59519B5E5D84AF07AFA6F5A8625F1","UtcTime":"2020-10-19 07:30:46.251","SourceName":"Microsoft-Windows-Sysmon","ParentCommandLine":"\"C:\\windows\\system32\\cmd.exe\" ","ProcessId":"7256","ParentImage":"C:\\Windows\\System32\\cmd.exe","Image":"C:\\Users\\wardog\\Downloads\\PSTools\\PsExec.exe","Hostname":"WORKSTATION5","EventID":1,"RuleName":"-"}""";

    public static SecurityEvent SepRisk() => Parse(new SepSyslogParser(), SepRiskLine);

    public static SecurityEvent SysmonProcessStart() => Parse(new SysmonParser(), SysmonProcessStartLine);

    public static SecurityEvent SepRiskFrom(string sourceIp)
    {
        var evt = SepRisk();
        evt.SourceIp = System.Net.IPAddress.Parse(sourceIp);
        return evt;
    }

    public static NamedList Protected { get; } =
        NamedList.Parse("protected_networks", ["10.20.0.0/24", "10.20.4.250", "192.168.100.0/22", "fd00:10::/32", "FILESRV-01"]);

    public static ConditionEnvironment Environment { get; } = ConditionEnvironment.WithLists(Protected, NamedList.Parse("admins", ["jdoe-adm", "Administrator"]));

    public static Condition Compile(string source) => ConditionCompiler.Compile(source, Environment);

    public static bool Evaluate(string source, SecurityEvent evt) => Compile(source).Evaluate(new ConditionInput(evt));

    private static SecurityEvent Parse(IEventParser parser, string line)
    {
        var result = parser.Parse(new RawInput(line, ReceivedAt));
        Assert.True(result.Outcome == ParseOutcome.Event, result.Error);
        return result.Event!;
    }
}
