using System.Net;
using Orchestrator.Core.Conditions;
using Orchestrator.Core.Events;
using static Orchestrator.Core.Tests.Conditions.ConditionEvents;

namespace Orchestrator.Core.Tests.Conditions;

public class ConditionEvaluationTests
{
    private const string WormSource = "event.source.ip != null and not (event.source.ip in lists.protected_networks)";

    [Fact]
    public void Evaluate_SepRiskFromUnprotectedSource_Matches()
    {
        var evt = SepRisk();

        Assert.Equal(IPAddress.Parse("10.20.4.17"), evt.SourceIp);
        Assert.True(Evaluate(WormSource, evt));
        Assert.True(Evaluate("""event.rule.name matches "(?i)^W32\\." and event.host.name startswith "WS-" """, evt));
    }

    [Theory]
    [InlineData("10.20.0.77")] // in 10.20.0.0/24
    [InlineData("10.20.4.250")] // exact address
    [InlineData("192.168.102.9")] // in 192.168.100.0/22
    [InlineData("::ffff:10.20.0.5")] // IPv4-mapped IPv6 in an IPv4 CIDR
    [InlineData("fd00:10:0:7::1234")] // in fd00:10::/32
    public void Evaluate_SourceInProtectedNetwork_DoesNotMatch(string sourceIp)
    {
        Assert.False(Evaluate(WormSource, SepRiskFrom(sourceIp)));
    }

    [Theory]
    [InlineData("10.20.1.1")]
    [InlineData("192.168.104.1")]
    [InlineData("fd00:11::1")]
    [InlineData("::ffff:10.21.0.5")]
    public void Evaluate_SourceOutsideProtectedNetworks_Matches(string sourceIp)
    {
        Assert.True(Evaluate(WormSource, SepRiskFrom(sourceIp)));
    }

    [Theory]
    [InlineData("event.source.ip in [10.20.4.0/24]", true)]
    [InlineData("event.source.ip in [\"10.20.4.17\", \"fe80::/10\"]", true)]
    [InlineData("event.source.ip not in [10.20.4.0/24]", false)]
    [InlineData("event.source.ip == 10.20.4.17", true)]
    [InlineData("event.source.ip == \"::ffff:10.20.4.17\"", true)]
    [InlineData("event.source.ip != 10.20.4.18", true)]
    [InlineData("event.host.ip == event.source.ip", false)]
    public void Evaluate_AddressComparisons_MatchAddressesAndNetworks(string source, bool expected)
    {
        Assert.Equal(expected, Evaluate(source, SepRisk()));
    }

    [Theory]
    [InlineData("event.host.name == \"ws-0412\"")]
    [InlineData("event.host.name in [\"ws-0001\", \"WS-0412\"]")]
    [InlineData("event.source.name in lists.protected_networks or event.source.name == \"filesrv-02\"")]
    [InlineData("event.host.name startswith \"ws-\"")]
    [InlineData("event.rule.name endswith \"!HTML\"")]
    [InlineData("event.rule.name contains \"ramnit\"")]
    [InlineData("event.user.name in lists.admins or event.user.name == \"JDOE\"")]
    public void Evaluate_TextComparisons_IgnoreCase(string source)
    {
        Assert.True(Evaluate(source, SepRisk()));
    }

    [Fact]
    public void Evaluate_SysmonHashInLowerCase_MatchesUpperCaseHash()
    {
        var evt = SysmonProcessStart();

        Assert.True(Evaluate(
            "event.process.hash.sha256 == \"3337e3875b05e0bfba69ab926532e3f179e8cfbf162ebb60ce58a0281437a7ef\"",
            evt));
        Assert.True(Evaluate("""event.process.executable matches "\\\\Downloads\\\\" and event.process.name == "psexec.exe" """, evt));
    }

    [Theory]
    [InlineData("event.rule.name matches \"^w32\"", false)]
    [InlineData("event.rule.name matches \"(?i)^w32\"", true)]
    [InlineData("event.rule.name matches \"^W32\\\\.Ramnit\"", true)]
    public void Evaluate_Matches_IsCaseSensitiveUnlessPatternSaysOtherwise(string source, bool expected)
    {
        Assert.Equal(expected, Evaluate(source, SepRisk()));
    }

    [Theory]
    [InlineData("event.destination.ip == null", true)]
    [InlineData("event.destination.ip is not defined", true)]
    [InlineData("event.destination.ip != null", false)]
    [InlineData("event.destination.ip is defined", false)]
    [InlineData("event.destination.ip != 10.0.0.1", false)]
    [InlineData("event.destination.ip not in [10.0.0.0/8]", false)]
    [InlineData("not (event.destination.ip in [10.0.0.0/8])", true)]
    [InlineData("event.destination.port < 1024 or event.destination.port >= 1024", false)]
    [InlineData("event.process.name != \"psexec.exe\"", false)]
    [InlineData("event.labels.NoSuchLabel == null", true)]
    [InlineData("window.count > 0", false)]
    public void Evaluate_MissingValue_IsFalseExceptNullTests(string source, bool expected)
    {
        var environment = new ConditionEnvironment { AllowWindow = true };
        var condition = ConditionCompiler.Compile(source, environment);

        Assert.Equal(expected, condition.Evaluate(new ConditionInput(SepRisk())));
    }

    [Fact]
    public void Evaluate_Labels_ReadByDottedKeyOrQuotedKey()
    {
        var evt = SepRisk();
        evt.SetLabel("Group", "My Company\\Workstations");
        evt.SetLabel("Actual action", "Quarantined");

        Assert.True(Evaluate("event.labels.Group endswith \"\\\\workstations\"", evt));
        Assert.True(Evaluate("event.labels[\"Actual action\"] == \"quarantined\"", evt));
    }

    [Theory]
    [InlineData("event.process.pid == 7256", true)]
    [InlineData("event.process.parent.pid < 2128.5", true)]
    [InlineData("event.process.pid in [1, 7256]", true)]
    [InlineData("event.process.pid > -1", true)]
    [InlineData("event.event.code == 1 and event.event.code == \"1\"", true)]
    [InlineData("event.orchestrator.kind == \"process.started\"", true)]
    [InlineData("event.@timestamp >= \"2020-10-19T07:30:00Z\" and event.@timestamp < \"2020-10-19T07:31:00Z\"", true)]
    public void Evaluate_NumbersTimestampsAndKinds_Compare(string source, bool expected)
    {
        var evt = SysmonProcessStart();
        Assert.Equal(EventKinds.ProcessStarted, evt.Kind);

        Assert.Equal(expected, Evaluate(source, evt));
    }

    [Fact]
    public void Evaluate_WindowAndStepOutputs_ReadFromInput()
    {
        var environment = new ConditionEnvironment { AllowWindow = true, AllowSteps = true, KnownStepIds = ["locate", "firewall.block"] };
        var condition = ConditionCompiler.Compile(
            "steps.locate.confidence >= 0.8 and window.distinct >= 3 and steps.locate.port startswith \"Gi1/0/\" and steps.firewall.block.ok",
            environment);
        var steps = new Dictionary<string, IReadOnlyDictionary<string, object?>>
        {
            ["locate"] = new Dictionary<string, object?> { ["confidence"] = 0.92, ["port"] = "Gi1/0/17" },
            ["firewall.block"] = new Dictionary<string, object?> { ["ok"] = true },
        };

        Assert.True(condition.Evaluate(new ConditionInput(SepRisk(), new WindowValues(5, 3), steps)));
        Assert.False(condition.Evaluate(new ConditionInput(SepRisk(), new WindowValues(5, 2), steps)));
        Assert.False(condition.Evaluate(new ConditionInput(SepRisk(), new WindowValues(5, 3), null)));
    }

    [Fact]
    public void Evaluate_StepOutputWrittenAsText_ComparesAsNumber()
    {
        var environment = new ConditionEnvironment { AllowSteps = true };
        var condition = ConditionCompiler.Compile("steps.scan.infected > 2 and steps.scan.host in [\"ws-0412\"]", environment);
        var steps = new Dictionary<string, IReadOnlyDictionary<string, object?>>
        {
            ["scan"] = new Dictionary<string, object?> { ["infected"] = "3", ["host"] = "WS-0412" },
        };

        Assert.True(condition.Evaluate(new ConditionInput(SepRisk(), Steps: steps)));
    }

    [Fact]
    public void Evaluate_CatastrophicRegex_TimesOutAsFalseAndIsCounted()
    {
        var environment = new ConditionEnvironment { RegexTimeout = TimeSpan.FromMilliseconds(1) };
        var condition = ConditionCompiler.Compile("event.process.command_line matches \"^(a+)+$\" or event.host.name == \"LABPC07\"", environment);
        var evt = SysmonProcessStart();
        evt.ProcessCommandLine = new string('a', 40) + "!";

        Assert.False(condition.Evaluate(new ConditionInput(evt)));
        Assert.Equal(1, condition.RegexTimeouts);
        Assert.Contains("timed out", condition.Explain(new ConditionInput(evt)).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ManyEvents_AllocatesNothing()
    {
        var condition = Compile(WormSource + " and event.rule.name startswith \"W32\" and event.labels.Group == \"x\"");
        var evt = SepRisk();
        var input = new ConditionInput(evt);
        condition.Evaluate(in input);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            condition.Evaluate(in input);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
