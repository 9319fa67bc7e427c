using Orchestrator.Core.Parsing.Syslog;

namespace Orchestrator.Core.Tests.Parsing.Syslog;

public class SyslogHeaderTests
{
    private static readonly DateTimeOffset Received = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Parse_Rfc3164WithPriHostAndTag_SplitsHeader()
    {
        const string line = "<54>Nov 23 10:00:00 sepm SymantecServer: Virus found,IP Address: 10.1.1.1";
        var header = SyslogHeader.Parse(line, Received);

        Assert.Equal(54, header.Priority);
        Assert.Equal(6, header.Facility);
        Assert.Equal(6, header.Severity);
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), header.Timestamp);
        Assert.Equal("sepm", header.Hostname);
        Assert.Equal("SymantecServer", header.AppName);
        Assert.Equal("Virus found,IP Address: 10.1.1.1", line[header.MessageStart..]);
    }

    [Fact]
    public void Parse_Rfc3164WithoutHost_TakesFirstTokenAsTag()
    {
        const string line = "<50>Apr 14 10:42:05 SymantecServer: xxx,Site: Site_D";
        var header = SyslogHeader.Parse(line, Received);

        Assert.Null(header.Hostname);
        Assert.Equal("SymantecServer", header.AppName);
        Assert.Equal("xxx,Site: Site_D", line[header.MessageStart..]);
    }

    [Fact]
    public void Parse_Rfc3164WithoutPriAndSingleDigitDay_Parses()
    {
        const string line = "Oct 4 10:51:33 host1 SymantecServer[123]: payload";
        var header = SyslogHeader.Parse(line, Received);

        Assert.Equal(-1, header.Priority);
        Assert.Equal(new DateTimeOffset(2026, 10, 4, 10, 51, 33, TimeSpan.Zero), header.Timestamp);
        Assert.Equal("host1", header.Hostname);
        Assert.Equal("SymantecServer", header.AppName);
        Assert.Equal("123", header.ProcId);
        Assert.Equal("payload", line[header.MessageStart..]);
    }

    [Fact]
    public void Parse_DecemberLineReadInJanuary_IsLastYear()
    {
        var january = new DateTimeOffset(2027, 1, 1, 0, 5, 0, TimeSpan.Zero);
        var header = SyslogHeader.Parse("<13>Dec 31 23:59:00 h app: x", january);

        Assert.Equal(new DateTimeOffset(2026, 12, 31, 23, 59, 0, TimeSpan.Zero), header.Timestamp);
    }

    [Fact]
    public void Parse_Rfc5424WithStructuredDataAndBom_FindsMessage()
    {
        const string line = "<29>1 2024-05-01T12:00:00.000Z epo01 EPOEvents - EventFwd [agentInfo@3401 tenantId=\"1\" path=\"a\\]b\"] \uFEFF<?xml?>";
        var header = SyslogHeader.Parse(line, Received);

        Assert.True(header.IsRfc5424);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero), header.Timestamp);
        Assert.Equal("epo01", header.Hostname);
        Assert.Equal("EPOEvents", header.AppName);
        Assert.Null(header.ProcId);
        Assert.Equal("EventFwd", header.MsgId);
        Assert.Equal("[agentInfo@3401 tenantId=\"1\" path=\"a\\]b\"]", header.StructuredData);
        Assert.Equal("<?xml?>", line[header.MessageStart..]);
    }

    [Fact]
    public void Parse_Rfc5424WithNilValues_HasNoStructuredData()
    {
        const string line = "<165>1 2023-08-24T05:14:15.000003-07:00 - - - - - hello";
        var header = SyslogHeader.Parse(line, Received);

        Assert.Equal(new DateTimeOffset(2023, 8, 24, 12, 14, 15, TimeSpan.Zero).AddTicks(30), header.Timestamp);
        Assert.Null(header.Hostname);
        Assert.Null(header.StructuredData);
        Assert.Equal("hello", line[header.MessageStart..]);
    }

    [Fact]
    public void Parse_PriThenIsoTimestampThenHost_EsmStyle()
    {
        const string line = "<134>2023-02-09T23:56:54.610Z 10.45.200.3 CEF:0|ESM|ESM|11.6.2|1|n|3|src=1.2.3.4";
        var header = SyslogHeader.Parse(line, Received);

        Assert.Equal(new DateTimeOffset(2023, 2, 9, 23, 56, 54, 610, TimeSpan.Zero), header.Timestamp);
        Assert.Equal("10.45.200.3", header.Hostname);
        Assert.Null(header.AppName);
        Assert.StartsWith("CEF:0|", line[header.MessageStart..], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("no header here")]
    [InlineData("<999>Nov 23 10:00:00 h t: x")]
    [InlineData("<12")]
    [InlineData("Foo 23 10:00:00 h t: x")]
    public void Parse_NoRecognisableHeader_MessageStartsAtPayload(string line)
    {
        var header = SyslogHeader.Parse(line, Received);

        Assert.Null(header.Timestamp);
        Assert.InRange(header.MessageStart, 0, line.Length);
    }
}
