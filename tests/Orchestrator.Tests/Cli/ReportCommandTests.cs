using System.Text.Json;
using Microsoft.Data.Sqlite;
using Orchestrator.Core.Detection.FirstSeen;
using Orchestrator.Core.Parsing;
using Orchestrator.Storage.Sqlite;
using Orchestrator.Tests.EndToEnd;

namespace Orchestrator.Tests.Cli;

/// <summary>
/// A data directory as a CryptoWall morning leaves it, filled with <c>orchestrator ingest</c>: a
/// baseline recorded by the detector two weeks before (its first-seen record saved), then the day's
/// Sysmon process starts and SMB connections, which the saved record has not seen yet.
/// </summary>
public sealed class CryptoWallDataDirectory : IAsyncLifetime
{
    public const string Invoice = "3337e3875b05e0bfba69ab926532e3f179e8cfbf162ebb60ce58a0281437a7ef";
    public const string Crypt0 = "141b2190f51397dbd0dfde0e3904b264c91b6f81febc823ff0c33da980b69944";
    public const string Updater = "4ed2a27860fa154415f65452ff1f94bd6af762982e2f3470030c504dc3c8a354";
    public const string Svchost = "c1e59519b5e5d84af07afa6f5a8625f1c1e59519b5e5d84af07afa6f5a8625f1";
    public const string Late = "e50d9e3bd91908e13a26b3e23edeaf577fb3a095e50d9e3bd91908e13a26b3e2";

    public static readonly DateTimeOffset Day = new(2015, 12, 12, 0, 0, 0, TimeSpan.Zero);

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("orch-report-cli-").FullName;

    public string Data => Path.Combine(Directory, "data");

    public string Config => Path.Combine(Directory, "orchestrator.yaml");

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Config, "detection:\n  unknown_processes:\n    allow:\n      paths: ['C:\\Program Files\\**']\n");
        await IngestAsync("baseline.ndjson",
        [
            SysmonLines.ProcessStart(Day.AddDays(-11), "PC-01", @"C:\Windows\System32\svchost.exe", Svchost),
            SysmonLines.ProcessStart(Day.AddDays(-11), "PC-02", @"C:\Windows\System32\svchost.exe", Svchost),
            SysmonLines.ProcessStart(Day.AddDays(-11), "PC-03", @"C:\Windows\System32\svchost.exe", Svchost),
            SysmonLines.SmbConnection(Day.AddDays(-11).AddMinutes(1), "PC-03", "10.0.0.13", "10.0.0.5", "fs01.corp.local"),
        ]);
        await SaveFirstSeenRecordAsync();
        await IngestAsync("day.ndjson",
        [
            SysmonLines.ProcessStart(Day.AddMilliseconds(-1), "PC-04", @"C:\Temp\early.exe", null),
            SysmonLines.ProcessStart(Day.AddHours(9), "PC-02", @"C:\Users\bob\AppData\Local\Temp\invoice.exe", Invoice),
            SysmonLines.ProcessStart(Day.AddHours(9).AddMinutes(5), "PC-02", @"C:\Users\bob\AppData\Local\Temp\crypt0.exe", Crypt0),
            SysmonLines.SmbConnection(Day.AddHours(9).AddMinutes(10), "PC-02", "10.0.0.12", "10.0.0.5", "fs01.corp.local"),
            SysmonLines.SmbConnection(Day.AddHours(9).AddMinutes(11), "PC-02", "10.0.0.12", "10.0.0.5", "fs01.corp.local"),
            SysmonLines.ProcessStart(Day.AddHours(10), "PC-03", @"C:\Users\eve\AppData\Local\Temp\invoice.exe", Invoice),
            SysmonLines.SmbConnection(Day.AddHours(10).AddMinutes(5), "PC-03", "10.0.0.13", "10.0.0.6", "fs02.corp.local"),
            SysmonLines.ProcessStart(Day.AddHours(10).AddMinutes(30), "PC-03", @"C:\Windows\System32\svchost.exe", Svchost),
            SysmonLines.ProcessStart(Day.AddHours(11), "PC-01", @"C:\Program Files\Vendor\updater.exe", Updater),
            SysmonLines.ProcessStart(Day.AddDays(1).AddMilliseconds(-1), "PC-01", @"C:\Tools\a,""b"".exe", null),
            SysmonLines.ProcessStart(Day.AddDays(1), "PC-01", @"C:\Temp\late.exe", Late),
        ]);
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
        return Task.CompletedTask;
    }

    private async Task IngestAsync(string name, string[] lines)
    {
        var file = Path.Combine(Directory, name);
        await File.WriteAllLinesAsync(file, lines);
        var ingest = await OrchestratorProcess.RunCliAsync("ingest", file, "--format", "sysmon", "--data", Data, "--config", Config);
        Assert.True(ingest.ExitCode == 0, ingest.StdErr);
    }

    // What the service's detector does, event by event: observe, save the record's changes when there
    // are any, then its checkpoint. The connection changes nothing, so the record's own checkpoint stays behind.
    private async Task SaveFirstSeenRecordAsync()
    {
        await using var events = new SqliteEventStore(new SqliteEventStoreOptions { DataDirectory = Data }, ParserRegistry.CreateDefault());
        using var store = new SqliteFirstSeenStore(events);
        using var state = new SqliteDetectionState(events);
        var registry = new FirstSeenRegistry(new FirstSeenOptions());
        var stored = await events.ReadAfterAsync(0, 100, CancellationToken.None);
        foreach (var evt in stored)
        {
            registry.Observe(evt);
            if (registry.TakeChanges() is { IsEmpty: false } changes)
            {
                await store.SaveAsync(changes, CancellationToken.None);
            }

            await state.SaveAsync(evt.Id, evt.Timestamp, CancellationToken.None);
        }

        Assert.Equal((4, 3L), (stored.Count, (await store.LoadAsync(CancellationToken.None)).Checkpoint));
    }
}

/// <summary><c>orchestrator report unknowns</c> and <c>report pinpoint</c>, in process, over a data directory the service never opened.</summary>
public sealed class ReportCommandTests(CryptoWallDataDirectory fleet) : IClassFixture<CryptoWallDataDirectory>
{
    private Task<(int ExitCode, string StdOut, string StdErr)> ReportAsync(params string[] args) =>
        TestCommandTests.RunAsync(["report", .. args, "--data", fleet.Data, "--config", fleet.Config]);

    private static async Task<string> SucceedsAsync(Task<(int ExitCode, string StdOut, string StdErr)> run)
    {
        var (exitCode, stdout, stderr) = await run;
        Assert.True(exitCode == 0, stderr);
        return stdout;
    }

    [Fact]
    public async Task Unknowns_Day_TableListsOnlyWhatWasFirstSeenThatDay()
    {
        var table = await SucceedsAsync(ReportAsync("unknowns", "--day", "2015-12-12"));

        var lines = table.Split('\n');
        Assert.Equal("Unknown processes first seen on 2015-12-12", lines[0]);
        Assert.Equal("4 executables first seen (1 allowlisted), on 3 hosts", lines[1]);
        Assert.StartsWith("First seen (UTC)     SHA-256 (or key)", lines[3], StringComparison.Ordinal);
        var rows = lines.Skip(4).Where(l => l.Length > 0).ToList();
        Assert.Equal(4, rows.Count);
        Assert.StartsWith("2015-12-12 09:00:00  " + CryptoWallDataDirectory.Invoice + "  invoice.exe", rows[0], StringComparison.Ordinal);
        Assert.EndsWith("2      pc-02, pc-03", rows[0], StringComparison.Ordinal);
        Assert.Contains("crypt0.exe", rows[1], StringComparison.Ordinal);
        Assert.Matches(@"  pc-01 +allow\.paths: C:\\Program Files\\\*\*$", rows[2]);
        Assert.StartsWith(@"2015-12-12 23:59:59  path:c:\tools\a,""b"".exe", rows[3], StringComparison.Ordinal);
        Assert.DoesNotContain("svchost", table, StringComparison.Ordinal);
        Assert.DoesNotContain("early.exe", table, StringComparison.Ordinal);
        Assert.DoesNotContain("late.exe", table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknowns_Csv_IsRfc4180WithQuotedCommasAndQuotes()
    {
        var csv = await SucceedsAsync(ReportAsync("unknowns", "--day", "2015-12-12", "--format", "csv"));

        Assert.Equal(
            "first_seen,sha256,name,path,signer,host_count,hosts,allowlisted\r\n"
            + $"2015-12-12 09:00:00,{CryptoWallDataDirectory.Invoice},invoice.exe,C:\\Users\\bob\\AppData\\Local\\Temp\\invoice.exe,,2,\"pc-02, pc-03\",\r\n"
            + $"2015-12-12 09:05:00,{CryptoWallDataDirectory.Crypt0},crypt0.exe,C:\\Users\\bob\\AppData\\Local\\Temp\\crypt0.exe,,1,pc-02,\r\n"
            + $"2015-12-12 11:00:00,{CryptoWallDataDirectory.Updater},updater.exe,C:\\Program Files\\Vendor\\updater.exe,,1,pc-01,allow.paths: C:\\Program Files\\**\r\n"
            + "2015-12-12 23:59:59,\"path:c:\\tools\\a,\"\"b\"\".exe\",\"a,\"\"b\"\".exe\",\"C:\\Tools\\a,\"\"b\"\".exe\",,1,pc-01,\r\n",
            csv);
    }

    [Fact]
    public async Task Unknowns_JsonAndHtml_CarryTheSameRows()
    {
        var json = JsonDocument.Parse(await SucceedsAsync(ReportAsync("unknowns", "--day", "2015-12-12", "--format", "json"))).RootElement;
        var html = await SucceedsAsync(ReportAsync("unknowns", "--day", "2015-12-12", "--format", "html"));

        Assert.Equal("Unknown processes first seen on 2015-12-12", json.GetProperty("title").GetString());
        var rows = json.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["invoice.exe", "crypt0.exe", "updater.exe", @"a,""b"".exe"], rows.Select(r => r.GetProperty("name").GetString()));
        Assert.Equal("2", rows[0].GetProperty("host_count").GetString());
        Assert.Equal(@"allow.paths: C:\Program Files\**", rows[2].GetProperty("allowlisted").GetString());
        Assert.StartsWith("<html><body><h2>Unknown processes first seen on 2015-12-12</h2><p>4 executables first seen (1 allowlisted), on 3 hosts</p>", html, StringComparison.Ordinal);
        Assert.Contains("<td>a,&quot;b&quot;.exe</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>pc-02, pc-03</td>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknowns_DayWithNothingNew_SaysSo()
    {
        var table = await SucceedsAsync(ReportAsync("unknowns", "--day", "2015-11-01"));

        Assert.Equal("Unknown processes first seen on 2015-11-01\n0 executables first seen, on 0 hosts\n\n(nothing)\n", table);
    }

    [Fact]
    public async Task Pinpoint_Window_RanksTheHostsThatRanUnknownExecutables()
    {
        var table = await SucceedsAsync(ReportAsync("pinpoint", "--from", "2015-12-12T08:00:00Z", "--to", "2015-12-12T12:00:00Z"));

        var lines = table.Split('\n');
        Assert.Equal("Hosts running unknown processes from 2015-12-12 08:00 to 2015-12-12 12:00 UTC", lines[0]);
        Assert.Equal("2 hosts ran 2 unknown executables (unknown: first seen in the fleet less than 7d before the run)", lines[1]);
        // Sysmon process starts carry no address, and without a share server no connection is read for one.
        Assert.Equal("1  pc-02             2                    invoice.exe, crypt0.exe  2015-12-12 09:00:00      2015-12-12 09:05:00     1", lines[4]);
        Assert.Equal("2  pc-03             1                    invoice.exe              2015-12-12 10:00:00      2015-12-12 10:00:00     2", lines[5]);
        Assert.Equal("", lines[6]);
    }

    [Theory]
    [InlineData("10.0.0.5", "pc-02", "2")]
    [InlineData("fs01", "pc-02", "2")]
    [InlineData("FS02.corp.local", "pc-03", "1")]
    public async Task Pinpoint_ShareServer_OnlyTheHostsThatConnectedToIt(string server, string host, string connections)
    {
        var json = JsonDocument.Parse(await SucceedsAsync(ReportAsync("pinpoint", "--from", "2015-12-12T08:00:00Z", "--to", "2015-12-12T12:00:00Z", "--share-server", server, "--format", "json"))).RootElement;

        var row = Assert.Single(json.GetProperty("rows").EnumerateArray());
        Assert.Equal((host, connections), (row.GetProperty("host").GetString(), row.GetProperty("share_connections").GetString()));
        Assert.StartsWith("1 host of 2 ran", json.GetProperty("summary").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pinpoint_CsvAndHtml_WithShareServerColumn()
    {
        var csv = await SucceedsAsync(ReportAsync("pinpoint", "--from", "2015-12-12T08:00:00Z", "--to", "2015-12-12T12:00:00Z", "--share-server", "10.0.0.5", "--format", "csv"));
        var html = await SucceedsAsync(ReportAsync("pinpoint", "--from", "2015-12-12T08:00:00Z", "--to", "2015-12-12T12:00:00Z", "--share-server", "10.0.0.5", "--format", "html"));

        Assert.Equal(
            "rank,host,addresses,unknown_executables,names,first_unknown_run,last_unknown_run,lowest_prevalence,share_connections\r\n"
            + "1,pc-02,10.0.0.12,2,\"invoice.exe, crypt0.exe\",2015-12-12 09:00:00,2015-12-12 09:05:00,1,2\r\n",
            csv);
        Assert.Contains("<th>Connections to 10.0.0.5</th>", html, StringComparison.Ordinal);
        Assert.Contains("<td>pc-02</td><td>10.0.0.12</td><td>2</td>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--day: '2015-13-01' is not a date (YYYY-MM-DD)", "unknowns", "--day", "2015-13-01")]
    [InlineData("--day: give the day to report, as YYYY-MM-DD (a UTC calendar day)", "unknowns")]
    [InlineData("--format: 'xml' is not a report format (table, csv, json, html)", "unknowns", "--day", "2015-12-12", "--format", "xml")]
    [InlineData("--from: give the start of the window (ISO 8601 like 2015-12-12T10:00:00Z, or a duration ago like 2h)", "pinpoint", "--to", "2015-12-12T12:00:00Z")]
    [InlineData("--from: 'yesterday' is not a time (ISO 8601 like 2015-12-12T10:00:00Z, or a duration ago like 2h)", "pinpoint", "--from", "yesterday", "--to", "2015-12-12T12:00:00Z")]
    [InlineData("--to: '2015-12-12T08:00:00Z' is not after --from '2015-12-12T12:00:00Z'", "pinpoint", "--from", "2015-12-12T12:00:00Z", "--to", "2015-12-12T08:00:00Z")]
    [InlineData("--share-server: 'file server' is neither an IP address nor a host name", "pinpoint", "--from", "2015-12-12T08:00:00Z", "--to", "2015-12-12T12:00:00Z", "--share-server", "file server")]
    public async Task Report_BadInput_Exit2NamingTheOptionAndWhy(string expected, params string[] args)
    {
        var (exitCode, stdout, stderr) = await ReportAsync(args);

        Assert.Equal(2, exitCode);
        Assert.Equal(expected, stderr.Trim());
        Assert.Equal("", stdout);
    }
}
