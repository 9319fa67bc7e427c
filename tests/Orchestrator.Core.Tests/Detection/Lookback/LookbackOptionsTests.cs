using Orchestrator.Core.Detection.Lookback;

namespace Orchestrator.Core.Tests.Detection.Lookback;

public sealed class LookbackOptionsTests
{
    [Fact]
    public void Validate_Defaults_NoErrors()
    {
        var options = new LookbackOptions();

        Assert.Empty(options.Validate());
        Assert.Equal(TimeSpan.FromMinutes(30), options.Lookback);
        Assert.Equal(1_000, options.PerHostCap);
        Assert.Equal(10_000, options.MaxHosts);
        Assert.Equal(5, options.TopCandidates);
        Assert.Equal([445, 139], options.FileSharingPorts);
    }

    [Fact]
    public void Validate_EveryFieldWrong_OneErrorNamingEachField()
    {
        var options = new LookbackOptions
        {
            Lookback = TimeSpan.Zero,
            PerHostCap = 0,
            MaxHosts = -1,
            TopCandidates = 0,
            FileSharingPorts = [445, 70000],
        };

        Assert.Equal(
            [
                "lookback must be positive (is 0s)",
                "perHostCap must be at least 1 (is 0)",
                "maxHosts must be at least 1 (is -1)",
                "topCandidates must be at least 1 (is 0)",
                "fileSharingPorts: 70000 is not a TCP port (1-65535)",
            ],
            options.Validate());
    }

    [Fact]
    public void Constructor_InvalidOptions_ThrowsWithTheErrors()
    {
        var error = Assert.Throws<ArgumentException>(() => new ConnectionLookback(new LookbackOptions { Lookback = TimeSpan.FromMinutes(-5) }));

        Assert.Contains("lookback must be positive (is -5m)", error.Message, StringComparison.Ordinal);
    }
}
