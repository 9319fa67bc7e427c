using System.Net;
using Orchestrator.Core.Events;
using Orchestrator.Core.Parsing;
using Orchestrator.Core.Parsing.Sep;

namespace Orchestrator.Core.Tests.Parsing.Sep;

public class SepCsvParserTests
{
    // The columns Symantec TECH102539 shows of a risk log export.
    private const string Tech102539Header = "Event, Computer Name, Source, Source Computer Name, Source Computer IP";

    private const string RichHeader =
        "Date,Event,Risk Name,Computer Name,IP Address,User Name,File Path,Actual Action,Source,Source Computer Name,Source Computer IP,Group,Ticket";

    private static readonly DateTimeOffset ReceivedAt = SepSyslogParserTests.ReceivedAt;
    private static readonly SepCsvParser Parser = new();

    private static SecurityEvent ParseRow(string header, string row)
    {
        var result = Parser.Parse(new RawInput(row, ReceivedAt, header));
        Assert.True(result.Outcome == ParseOutcome.Event, $"expected an event, got {result.Outcome}: {result.Error}");
        return result.Event!;
    }

    [Theory]
    [InlineData(Tech102539Header)]
    [InlineData(RichHeader)]
    [InlineData("\"Event\",\"Computer Name\",\"Risk Name\"")]
    [InlineData("computer name,source computer")]
    public void LooksLikeHeader_ExportHeaderRow_IsTrue(string line)
    {
        Assert.True(SepCsvParser.LooksLikeHeader(line));
    }

    [Theory]
    [InlineData("Virus Found, HOST-B, Auto-Protect scan, HOST-A, 192.168.0.1")]
    [InlineData("Computer Name")]
    [InlineData("<54>Nov 23 10:00:00 sepm SymantecServer: Virus found,Computer name: HOST-1,Risk name: W32.Ramnit")]
    [InlineData("")]
    public void LooksLikeHeader_RowOrOtherText_IsFalse(string line)
    {
        Assert.False(SepCsvParser.LooksLikeHeader(line));
    }

    [Fact]
    public void Parse_HeaderRow_ReturnsItAsHeader()
    {
        var result = Parser.Parse(new RawInput(Tech102539Header, ReceivedAt));

        Assert.Equal(ParseOutcome.Header, result.Outcome);
        Assert.Equal(Tech102539Header, result.Header);
    }

    [Fact]
    public void Parse_RowWithoutHeader_IsRejected()
    {
        var result = Parser.Parse(new RawInput("Virus Found, HOST-B, Auto-Protect scan, HOST-A, 192.168.0.1", ReceivedAt));

        Assert.Equal(ParseOutcome.Rejected, result.Outcome);
        Assert.Equal("a SEPM CSV row needs its header line first", result.Error);
    }

    [Fact]
    public void Parse_Tech102539Row_IsTracedToHostAAt19216801()
    {
        var evt = ParseRow(Tech102539Header, "Virus Found, HOST-B, Auto-Protect scan, HOST-A, 192.168.0.1");

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal(IPAddress.Parse("192.168.0.1"), evt.SourceIp);
        Assert.Equal("HOST-A", evt.SourceName);
        Assert.Equal("HOST-B", evt.HostName);
        Assert.Equal("Auto-Protect scan", evt.Labels!["Source"]);
        Assert.Equal("Virus Found", evt.Labels["Event"]);
        Assert.Equal(EventFormats.SepCsv, evt.Format);
        Assert.Equal("malware", evt.EventCategory);
        Assert.Equal(ReceivedAt, evt.Timestamp);
    }

    [Fact]
    public void Parse_RowOfRicherExport_MapsColumnsByName()
    {
        var row = "2026-11-23 09:12:44,Security risk found,Adware.Gen,WKS-0200,10.20.40.200,DOMAIN\\lee,"
            + "\"C:\\Users\\lee\\Downloads\\free, fast.exe\",Quarantined,Auto-Protect scan,unknown,,\"My Company\\Laptops\",TCK-1";

        var evt = ParseRow(RichHeader, row);

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 9, 12, 44, TimeSpan.Zero), evt.Timestamp);
        Assert.Equal("Adware.Gen", evt.RuleName);
        Assert.Equal("WKS-0200", evt.HostName);
        Assert.Equal(IPAddress.Parse("10.20.40.200"), evt.HostIp);
        Assert.Equal("DOMAIN\\lee", evt.UserName);
        Assert.Equal(@"C:\Users\lee\Downloads\free, fast.exe", evt.FilePath);
        Assert.Equal("free, fast.exe", evt.FileName);
        Assert.Equal("Quarantined", evt.EventAction);
        Assert.Null(evt.SourceName);
        Assert.Equal("unknown", evt.Labels!["Source Computer Name"]);
        Assert.Equal(@"My Company\Laptops", evt.Labels["Group"]);
        Assert.Equal("TCK-1", evt.Labels["Ticket"]);
    }

    [Fact]
    public void Parse_RowWithFewerColumns_ParsesWhatIsThere()
    {
        var evt = ParseRow(Tech102539Header, "Virus Found, HOST-C, Scheduled scan");

        Assert.Equal(EventKinds.InfectionDetected, evt.Kind);
        Assert.Equal("HOST-C", evt.HostName);
    }

    [Fact]
    public void Parse_RowWithMoreColumnsThanHeader_IsRejectedNamingTheCounts()
    {
        var result = Parser.Parse(new RawInput("Virus Found, HOST-B, Auto-Protect scan, HOST-A, 192.168.0.1, extra", ReceivedAt, Tech102539Header));

        Assert.Equal(ParseOutcome.Rejected, result.Outcome);
        Assert.Contains("6 columns", result.Error, StringComparison.Ordinal);
        Assert.Contains("header has 5", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NonRiskEvent_IsOther()
    {
        var evt = ParseRow(Tech102539Header, "Scan started, HOST-B, Scheduled scan, ,");

        Assert.Equal(EventKinds.Other, evt.Kind);
        Assert.Equal("Scan started", evt.Labels!["Event"]);
    }

    [Fact]
    public void StartSession_AutoModeHeaderThenRows_ParsesRowsWithTheHeader()
    {
        var session = ParserRegistry.CreateDefault().StartSession();

        var header = session.Parse(Tech102539Header, ReceivedAt);
        var row = session.Parse("Virus Found, HOST-B, Auto-Protect scan, HOST-A, 192.168.0.1", ReceivedAt);

        Assert.Equal(ParseOutcome.Header, header.Outcome);
        Assert.Equal(ParseOutcome.Event, row.Outcome);
        Assert.Equal(EventKinds.InfectionDetected, row.Event!.Kind);
        Assert.Equal(IPAddress.Parse("192.168.0.1"), row.Event.SourceIp);
    }
}
