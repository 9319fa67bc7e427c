using Orchestrator.Connectors.Scripts;

namespace Orchestrator.Connectors.Tests.Scripts;

public sealed class ScriptOptionsTests
{
    [Fact]
    public void Validate_RelativeAllowedDirectory_ThrowsNamingTheKey()
    {
        var options = new ScriptOptions { AllowedDirectories = { "scripts" } };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("scripts.allowed_dirs entry 'scripts' is not an absolute path", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MaxOutputAboveTheLimit_Throws()
    {
        var options = new ScriptOptions { MaxOutputBytes = 2 * 1024 * 1024 };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("scripts.max_output 2097152 must be between 0 and scripts.max_output_limit (1048576)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ORCH_RUN_ID")]
    [InlineData("NOT-A-NAME")]
    public void Validate_UnusablePassEnvironmentName_Throws(string name)
    {
        var options = new ScriptOptions { PassEnvironment = { name } };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains($"scripts.pass_env entry '{name}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Defaults_AreAccepted()
    {
        var options = new ScriptOptions();

        options.Validate();

        Assert.Equal(64 * 1024, options.MaxOutputBytes);
        Assert.Null(options.DefaultTimeout);
    }
}
