using System.Net;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Tests.Detection.FirstSeen;

/// <summary>Process-start events for the first-seen tests.</summary>
internal static class ProcessStarts
{
    public const string HashA = "3337e3875b05e0bfba69ab926532e3f179e8cfbf162ebb60ce58a0281437a7ef";
    public const string HashB = "141b2190f51397dbd0dfde0e3904b264c91b6f81febc823ff0c33da980b69944";

    public static readonly DateTimeOffset Day = new(2026, 11, 23, 0, 0, 0, TimeSpan.Zero);

    public static SecurityEvent Start(
        long id,
        DateTimeOffset time,
        string? host,
        string? sha256 = HashA,
        string? path = @"C:\Users\bob\AppData\Local\Temp\invoice.exe",
        string? name = "invoice.exe",
        string? signer = null,
        string? hostIp = null) => new()
        {
            Id = id,
            Kind = EventKinds.ProcessStarted,
            Format = "sysmon",
            Timestamp = time,
            HostName = host,
            HostIp = hostIp is null ? null : IPAddress.Parse(hostIp),
            ProcessHashSha256 = sha256,
            ProcessExecutable = path,
            ProcessName = name,
            ProcessSigner = signer,
            ProcessPid = 4242,
        };
}
