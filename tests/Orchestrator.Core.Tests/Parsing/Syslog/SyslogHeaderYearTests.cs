using Orchestrator.Core.Parsing.Syslog;

namespace Orchestrator.Core.Tests.Parsing.Syslog;

/// <summary>The year an RFC 3164 timestamp (which has none) is given.</summary>
public class SyslogHeaderYearTests
{
    [Fact]
    public void Parse_SameDayLine_TakesTheYearOfReceipt()
    {
        var header = SyslogHeader.Parse("<54>Nov 23 10:00:00 sepm SymantecServer: x", new DateTimeOffset(2026, 11, 23, 10, 0, 5, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), header.Timestamp);
        Assert.Equal("sepm", header.Hostname);
        Assert.Equal("SymantecServer", header.AppName);
    }

    [Fact]
    public void Parse_DecemberLineReadInJanuary_IsLastYears()
    {
        var header = SyslogHeader.Parse("Dec 31 23:59:50 sepm SymantecServer: x", new DateTimeOffset(2027, 1, 1, 0, 0, 5, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 12, 31, 23, 59, 50, TimeSpan.Zero), header.Timestamp);
    }

    [Fact]
    public void Parse_JanuaryLineReadOnDecember31_IsNextYears()
    {
        // The sender's clock is a few seconds ahead across New Year: not a year-old event.
        var header = SyslogHeader.Parse("Jan  1 00:00:10 sepm SymantecServer: x", new DateTimeOffset(2026, 12, 31, 23, 59, 58, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 10, TimeSpan.Zero), header.Timestamp);
        Assert.Equal("sepm", header.Hostname);
    }

    [Fact]
    public void Parse_Feb29ReadInANonLeapYear_IsTheLastLeapYearsAndTheHeaderIsKept()
    {
        var header = SyslogHeader.Parse("Feb 29 12:00:00 sepm SymantecServer: x", new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2024, 2, 29, 12, 0, 0, TimeSpan.Zero), header.Timestamp);
        Assert.Equal("SymantecServer", header.AppName);
        Assert.Equal(37, header.MessageStart);
    }

    [Theory]
    [InlineData("Nov 23 10:00:00 sepm SymantecServer: x")]
    [InlineData("Feb 29 10:00:00 sepm SymantecServer: x")]
    [InlineData("Jan  1 00:00:00 sepm SymantecServer: x")]
    public void Parse_ReceivedAtAtEitherEndOfTheCalendar_DoesNotThrow(string line)
    {
        // Was ArgumentOutOfRangeException from DateTime.DaysInMonth(0, ...) / (10000, ...).
        var early = SyslogHeader.Parse(line, default);
        var late = SyslogHeader.Parse(line, new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal("sepm", late.Hostname);
        Assert.True(early.MessageStart >= 0);
    }

    [Fact]
    public void Parse_SameLineReceivedInTwoYears_GetsEachItsOwnYear()
    {
        const string Line = "Dec 31 23:59:50 sepm SymantecServer: x";

        var first = SyslogHeader.Parse(Line, new DateTimeOffset(2026, 12, 31, 23, 59, 55, TimeSpan.Zero));
        var again = SyslogHeader.Parse(Line, new DateTimeOffset(2026, 12, 31, 23, 59, 55, TimeSpan.Zero));
        var later = SyslogHeader.Parse(Line, new DateTimeOffset(2028, 1, 2, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2026, 12, 31, 23, 59, 50, TimeSpan.Zero), first.Timestamp);
        Assert.Equal(first, again);
        Assert.Equal(new DateTimeOffset(2027, 12, 31, 23, 59, 50, TimeSpan.Zero), later.Timestamp);
    }

    [Fact]
    public void Parse_TimestampRunningIntoText_IsNotTakenFromThePreviousLine()
    {
        var receivedAt = new DateTimeOffset(2026, 11, 23, 10, 0, 5, TimeSpan.Zero);
        var good = SyslogHeader.Parse("Nov 23 10:00:00 sepm SymantecServer: x", receivedAt);

        var glued = SyslogHeader.Parse("Nov 23 10:00:00x sepm SymantecServer: x", receivedAt);

        Assert.NotNull(good.Timestamp);
        Assert.Null(glued.Timestamp);
        Assert.Equal(0, glued.MessageStart);
    }
}
