using Orchestrator.Api;

namespace Orchestrator.Tests.Api;

public class EventQueryArgumentsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryCreate_AllFilters_Parsed()
    {
        Assert.True(EventQueryArguments.TryCreate("infection.traced", "HOST-1", "10.0.4.1", "2026-11-23T10:00:00Z", "1h", "50", Now, out var query, out _));

        Assert.Equal("infection.traced", query.Kind);
        Assert.Equal("HOST-1", query.Host);
        Assert.Equal("10.0.4.1", query.SourceIp!.ToString());
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), query.From);
        Assert.Equal(Now.AddHours(-1), query.To);
        Assert.Equal(50, query.Limit);
    }

    [Theory]
    [InlineData(null, "not-an-ip", null, null, "source_ip: 'not-an-ip' is not an IP address")]
    [InlineData(null, null, "yesterday", null, "from: 'yesterday' is not a time")]
    [InlineData(null, null, null, "0", "limit: '0' is not a whole number")]
    [InlineData(null, null, null, "-5", "limit: '-5' is not a whole number")]
    public void TryCreate_BadFilter_ErrorNamesIt(string? kind, string? ip, string? from, string? limit, string expected)
    {
        Assert.False(EventQueryArguments.TryCreate(kind, null, ip, from, null, limit, Now, out _, out var error));
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
    }
}
