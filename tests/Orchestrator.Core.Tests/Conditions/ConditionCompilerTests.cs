using Orchestrator.Core.Conditions;
using static Orchestrator.Core.Tests.Conditions.ConditionEvents;

namespace Orchestrator.Core.Tests.Conditions;

public class ConditionCompilerTests
{
    // On the SEP risk event: T holds, F does not.
    private const string T = "event.host.name == \"WS-0412\"";
    private const string F = "event.host.name == \"WS-9999\"";

    [Theory]
    [InlineData($"{T} or {F} and {F}", true)] // and binds tighter than or
    [InlineData($"({T} or {F}) and {F}", false)]
    [InlineData($"not {F} and {F}", false)] // not binds tighter than and
    [InlineData($"not {T} or {T}", true)]
    [InlineData($"not not {T}", true)]
    [InlineData($"not event.host.name startswith \"SRV-\"", true)] // not negates the whole comparison
    [InlineData($"{F} or {F} or {T}", true)]
    [InlineData("true and not false", true)]
    public void Compile_Precedence_NotThenAndThenOr(string source, bool expected)
    {
        Assert.Equal(expected, Evaluate(source, SepRisk()));
    }

    [Theory]
    [InlineData("event.labels.note == \"say \\\"hi\\\" \\\\ now\"", "say \"hi\" \\ now")]
    [InlineData("event.labels.note == 'it\\'s'", "it's")]
    [InlineData("event.labels.note == 'double \" inside single'", "double \" inside single")]
    [InlineData("event.labels.note matches \"^\\d+\\.\\d+$\"", "14.3")]
    public void Compile_StringLiterals_ReadEscapes(string source, string labelValue)
    {
        var evt = SepRisk();
        evt.SetLabel("note", labelValue);

        Assert.True(Evaluate(source, evt));
    }

    [Theory]
    [InlineData("event.source.ip > 5", 16, 1, "'>' compares numbers and timestamps, but event.source.ip is an IP address")]
    [InlineData("event.host.name < \"M\"", 16, 1, "'<' compares numbers and timestamps, but event.host.name is text")]
    [InlineData("event.source.port == \"abc\"", 21, 5, "event.source.port is a number, but \"abc\" is not a number; write a number")]
    [InlineData("event.source.port == \"445\"", 21, 5, "write 445 without quotes")]
    [InlineData("event.source.ip == \"10.0.0.300\"", 19, 12, "'10.0.0.300' is not an IP address")]
    [InlineData("event.source.ip == 10.0.0.0/8", 19, 10, "to match it write event.source.ip in [10.0.0.0/8]")]
    [InlineData("event.source.ip in [10.0.0.1/8]", 20, 10, "host bits set; did you mean 10.0.0.0/8?")]
    [InlineData("event.source.ip in [\"ws-1\"]", 20, 6, "'ws-1' is not an IP address or CIDR network")]
    [InlineData("event.source.ip contains \"10.\"", 16, 8, "to match a network write event.source.ip in [10.0.0.0/8]")]
    [InlineData("event.host.mac == \"00:1a:2b\"", 18, 10, "\"00:1a:2b\" is not a MAC address")]
    [InlineData("event.@timestamp > \"yesterday\"", 19, 11, "is not a timestamp")]
    [InlineData("event.source.port in [\"smb\"]", 22, 5, "event.source.port is a number, but \"smb\" is not")]
    [InlineData("event.host.name", 0, 15, "event.host.name is text, not a condition")]
    [InlineData("event.host.name > null", 16, 1, "only == and != compare with null")]
    [InlineData("event.source.port == 1 == 2", 23, 2, "comparisons do not chain")]
    [InlineData("event.source.ip != null and", 27, 0, "ends too early")]
    [InlineData("(event.source.ip != null", 24, 0, "expected ')'")]
    [InlineData("event.source.ip != null)", 23, 1, "has no matching '('")]
    [InlineData("event.host.name = \"x\"", 16, 1, "compare with '=='")]
    [InlineData("event.host.name == \"x\" && event.source.ip != null", 23, 2, "write 'and'")]
    [InlineData("event.host.name == \"x\" AND event.source.ip != null", 23, 3, "keywords are lower case: write 'and'")]
    [InlineData("event.host.name == \"unterminated", 19, 13, "no closing \"")]
    [InlineData("event.rule.name matches \"(W32\"", 24, 6, "bad regular expression")]
    [InlineData("\"a\" == \"b\"", 0, 10, "both sides are values")]
    [InlineData("   ", 0, 3, "the condition is empty")]
    public void Compile_Invalid_ReportsWhereAndWhat(string source, int offset, int length, string message)
    {
        var error = Assert.Throws<ConditionException>(() => Compile(source));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(offset, error.Offset);
        Assert.Equal(length, error.Length);
    }

    [Theory]
    [InlineData("event.source.ipp != null", "unknown field 'event.source.ipp' (did you mean 'event.source.ip'?)")]
    [InlineData("event.hostname == \"x\"", "(did you mean 'event.host.name'?)")]
    [InlineData("event.proces.hash.sha256 != null", "(did you mean 'event.process.hash.sha256'?)")]
    [InlineData("event.code == \"4688\"", "(did you mean 'event.event.code'?)")]
    [InlineData("source.ip != null", "unknown name 'source.ip' (did you mean 'event.source.ip'?)")]
    [InlineData("evnt.source.ip != null", "(did you mean 'event.source.ip'?)")]
    [InlineData("event.source.ip in lists.protected_network",
        "unknown list 'lists.protected_network' (did you mean 'lists.protected_networks'?); the inventory defines: lists.admins, lists.protected_networks")]
    [InlineData("event.source.ip in lists.crown_jewels", "unknown list 'lists.crown_jewels'; the inventory defines:")]
    [InlineData("window.cont > 3", "(did you mean 'window.count'?)")]
    public void Compile_UnknownName_SuggestsTheClosest(string source, string message)
    {
        var error = Assert.Throws<ConditionException>(() => Compile(source));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_UnknownList_PointsAtTheListName()
    {
        var error = Assert.Throws<ConditionException>(() => Compile("event.source.ip in lists.protected_network"));

        Assert.Equal(19, error.Offset);
        Assert.Equal("lists.protected_network".Length, error.Length);
    }

    [Fact]
    public void Compile_WindowInEventCondition_IsRefused()
    {
        var error = Assert.Throws<ConditionException>(() => Compile("event.source.ip != null and window.count >= 3"));

        Assert.Equal("window.count exists only after a threshold and in a step's if:", error.Message);
        Assert.Equal(28, error.Offset);
    }

    [Fact]
    public void Compile_StepsOutsideStepIf_IsRefused()
    {
        var error = Assert.Throws<ConditionException>(() => Compile("steps.locate.confidence >= 0.8"));

        Assert.Contains("exists only in a step's if:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_UnknownStep_SuggestsAnEarlierStep()
    {
        var environment = new ConditionEnvironment { AllowSteps = true, KnownStepIds = ["locate", "email"] };

        var error = Assert.Throws<ConditionException>(() => ConditionCompiler.Compile("steps.locat.confidence >= 0.8", environment));

        Assert.Equal("unknown step 'locat' (did you mean 'locate'?); earlier steps: locate, email", error.Message);
    }

    [Fact]
    public void Compile_StepWithoutOutput_AsksForOne()
    {
        var environment = new ConditionEnvironment { AllowSteps = true };

        var error = Assert.Throws<ConditionException>(() => ConditionCompiler.Compile("steps.locate == null", environment));

        Assert.Contains("steps.STEP.OUTPUT", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_KeepsSource()
    {
        const string Source = "event.source.ip != null";

        Assert.Equal(Source, Compile(Source).Source);
    }
}
