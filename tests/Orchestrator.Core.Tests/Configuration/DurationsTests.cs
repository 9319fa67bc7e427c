using Orchestrator.Core.Configuration;

namespace Orchestrator.Core.Tests.Configuration;

public class DurationsTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("30s", 30_000)]
    [InlineData("10m", 600_000)]
    [InlineData("24h", 86_400_000)]
    [InlineData("7d", 604_800_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1.5h", 5_400_000)]
    public void TryParse_Valid_ReturnsDuration(string text, long milliseconds)
    {
        Assert.True(Durations.TryParse(text, out var d));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), d);
    }

    [Theory]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("10 minutes")]
    [InlineData("m10")]
    [InlineData("10y")]
    [InlineData("99999999999d")]
    public void TryParse_Invalid_Refused(string text)
    {
        Assert.False(Durations.TryParse(text, out _));
    }

    [Fact]
    public void Parse_Invalid_MessageShowsAcceptedForms()
    {
        var ex = Assert.Throws<FormatException>(() => Durations.Parse("soon"));
        Assert.Contains("10m", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10m")]
    [InlineData("1h30m")]
    [InlineData("500ms")]
    [InlineData("7d")]
    public void Format_WrittenDuration_ReadsBackAsWritten(string text)
    {
        Assert.Equal(text, Durations.Format(Durations.Parse(text)));
    }

    [Theory]
    [InlineData("512", 512)]
    [InlineData("64KB", 65_536)]
    [InlineData("16MB", 16_777_216)]
    [InlineData("10GiB", 10_737_418_240)]
    public void ByteSizes_TryParse_Valid(string text, long bytes)
    {
        Assert.True(ByteSizes.TryParse(text, out var b));
        Assert.Equal(bytes, b);
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("10XB")]
    public void ByteSizes_TryParse_Invalid_Refused(string text)
    {
        Assert.False(ByteSizes.TryParse(text, out _));
    }
}
