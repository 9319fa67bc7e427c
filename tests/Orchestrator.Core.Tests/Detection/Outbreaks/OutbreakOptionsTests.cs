using Orchestrator.Core.Detection.Outbreaks;

namespace Orchestrator.Core.Tests.Detection.Outbreaks;

public sealed class OutbreakOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreAccepted()
    {
        var options = new OutbreakOptions();

        options.Validate();

        Assert.Equal((TimeSpan.FromHours(1), 3, TimeSpan.FromHours(24), 100_000), (options.Window, options.Threshold, options.Horizon, options.MaxDetections));
    }

    [Fact]
    public void Validate_EveryFieldOutOfRange_NamesEachField()
    {
        var options = new OutbreakOptions { Window = TimeSpan.Zero, Threshold = 0, Horizon = TimeSpan.FromMinutes(-1), MaxDetections = 0 };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("Outbreak:Window 0s must be positive", error.Message, StringComparison.Ordinal);
        Assert.Contains("Outbreak:Threshold 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("Outbreak:Horizon -1m must be at least Outbreak:Window", error.Message, StringComparison.Ordinal);
        Assert.Contains("Outbreak:MaxDetections 0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HorizonShorterThanWindow_IsRejected()
    {
        var options = new OutbreakOptions { Window = TimeSpan.FromHours(2), Horizon = TimeSpan.FromHours(1) };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.StartsWith("Outbreak:Horizon 1h must be at least Outbreak:Window (2h)", error.Message, StringComparison.Ordinal);
    }
}
