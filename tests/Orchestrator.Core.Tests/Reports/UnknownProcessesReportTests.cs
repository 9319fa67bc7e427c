using Orchestrator.Core.Detection.FirstSeen;
using Orchestrator.Core.Reports;
using static Orchestrator.Core.Tests.Detection.FirstSeen.ProcessStarts;

namespace Orchestrator.Core.Tests.Reports;

public sealed class UnknownProcessesReportTests
{
    private const string HashC = "4ed2a27860fa154415f65452ff1f94bd6af762982e2f3470030c504dc3c8a354";

    private static readonly DateTimeOffset NextDay = Day.AddDays(1);

    private static FirstSeenRegistry Registry(FirstSeenOptions? options = null) => new(options ?? new FirstSeenOptions());

    private static string[] Column(ReportTable report, string key)
    {
        var index = report.Columns.ToList().FindIndex(c => c.Key == key);
        return [.. report.Rows.Select(r => r[index])];
    }

    private static string Cell(ReportTable report, int row, string key) => Column(report, key)[row];

    [Fact]
    public void Create_DayBounds_LastMillisecondIsInAndNextMidnightIsOut()
    {
        var registry = Registry();
        registry.Observe(Start(1, Day.AddTicks(-1), "pc-1", HashC, name: "yesterday.exe"));
        registry.Observe(Start(2, Day, "pc-1", HashA, name: "midnight.exe"));
        registry.Observe(Start(3, NextDay.AddMilliseconds(-1), "pc-2", HashB, name: "lastms.exe"));
        registry.Observe(Start(4, NextDay, "pc-3", path: @"C:\Temp\tomorrow.exe", sha256: null, name: "tomorrow.exe"));

        var report = UnknownProcessesReport.Create(registry, Day, NextDay);

        Assert.Equal(["midnight.exe", "lastms.exe"], Column(report, "name"));
        Assert.Equal("2026-11-23 23:59:59", Cell(report, 1, "first_seen"));
        Assert.Equal("Unknown processes first seen on 2026-11-23", report.Title);
        Assert.Equal("2 executables first seen, on 2 hosts", report.Summary);
    }

    [Fact]
    public void Create_EntryWithHashPathSignerAndHosts_RowSaysWhatAndWhere()
    {
        var registry = Registry();
        registry.Observe(Start(1, Day.AddHours(9), "PC-1", signer: "Evil Corp"));
        registry.Observe(Start(2, Day.AddHours(10), "pc-2"));
        registry.Observe(Start(3, Day.AddDays(-30), "pc-1", HashB, name: "old.exe"));

        var report = UnknownProcessesReport.Create(registry, Day, NextDay);

        var row = Assert.Single(report.Rows);
        Assert.Equal(["2026-11-23 09:00:00", HashA, "invoice.exe", @"C:\Users\bob\AppData\Local\Temp\invoice.exe", "Evil Corp", "2", "pc-1, pc-2", ""], row);
        Assert.Equal(["first_seen", "sha256", "name", "path", "signer", "host_count", "hosts", "allowlisted"], report.Columns.Select(c => c.Key));
    }

    [Fact]
    public void Create_NoHash_ShowsTheKey()
    {
        var registry = Registry();
        registry.Observe(Start(1, Day.AddHours(9), "pc-1", sha256: null, path: @"C:\Temp\Dropper.EXE"));

        var report = UnknownProcessesReport.Create(registry, Day, NextDay);

        Assert.Equal(@"path:c:\temp\dropper.exe", Cell(report, 0, "sha256"));
    }

    [Fact]
    public void Create_AllowlistedExecutable_ShownWithTheReasonAndCounted()
    {
        var allowlist = ProcessAllowlist.Create([], [@"C:\Program Files\**"], [], out var errors);
        Assert.Empty(errors);
        var registry = Registry(new FirstSeenOptions { Allowlist = allowlist });
        registry.Observe(Start(1, Day.AddHours(8), "pc-1", HashB, path: @"C:\Program Files\Vendor\updater.exe", name: "updater.exe"));
        registry.Observe(Start(2, Day.AddHours(9), "pc-1"));

        var report = UnknownProcessesReport.Create(registry, Day, NextDay);

        Assert.Equal(@"allow.paths: C:\Program Files\**", Cell(report, 0, "allowlisted"));
        Assert.Equal("", Cell(report, 1, "allowlisted"));
        Assert.Equal("2 executables first seen (1 allowlisted), on 1 host", report.Summary);
    }

    [Fact]
    public void Create_ExecutableOnManyHosts_NamesTheFirstTenAndCountsAll()
    {
        var registry = Registry();
        for (var i = 1; i <= 12; i++)
        {
            registry.Observe(Start(i, Day.AddHours(9).AddMinutes(i), $"pc-{i:00}"));
        }

        var report = UnknownProcessesReport.Create(registry, Day, NextDay);

        Assert.Equal("12", Cell(report, 0, "host_count"));
        Assert.Equal("pc-01, pc-02, pc-03, pc-04, pc-05, pc-06, pc-07, pc-08, pc-09, pc-10 (+2 more)", Cell(report, 0, "hosts"));
    }

    [Fact]
    public void Create_Hosts_TheFirstHostThenTheOthersByName()
    {
        var registry = Registry();
        registry.Observe(Start(1, Day.AddHours(9), "pc-9"));
        registry.Observe(Start(2, Day.AddHours(11), "pc-5"));
        registry.Observe(Start(3, Day.AddHours(10), "pc-1"));

        var report = UnknownProcessesReport.Create(registry, Day, NextDay);

        Assert.Equal("pc-9, pc-1, pc-5", Cell(report, 0, "hosts"));
    }

    [Fact]
    public void Create_PeriodNotAWholeDay_TitleGivesTheTimes()
    {
        var registry = Registry();

        var report = UnknownProcessesReport.Create(registry, Day.AddHours(7), NextDay.AddHours(7));

        Assert.Equal("Unknown processes first seen from 2026-11-23 07:00 to 2026-11-24 07:00 UTC", report.Title);
        Assert.Equal("0 executables first seen, on 0 hosts", report.Summary);
        Assert.Empty(report.Rows);
    }
}
