using Orchestrator.Core.Conditions;
using static Orchestrator.Core.Tests.Conditions.ConditionEvents;

namespace Orchestrator.Core.Tests.Conditions;

public class ConditionExplainTests
{
    [Fact]
    public void Explain_ProtectedSource_NamesTheListClauseAndTheAddress()
    {
        var condition = Compile("event.source.ip != null and not (event.source.ip in lists.protected_networks)");

        var explanation = condition.Explain(new ConditionInput(SepRiskFrom("10.20.0.77")));

        Assert.False(explanation.Result);
        var clause = Assert.Single(explanation.Clauses);
        Assert.Equal("event.source.ip in lists.protected_networks", clause.Text);
        Assert.Equal(33, clause.Offset);
        Assert.True(clause.Result);
        Assert.Equal("event.source.ip = 10.20.0.77", clause.Values);
    }

    [Fact]
    public void Explain_LastClauseFalse_ShowsItWithTheValueSeen()
    {
        var condition = Compile("event.source.ip != null and event.rule.name startswith \"Trojan\"");

        var explanation = condition.Explain(new ConditionInput(SepRisk()));

        Assert.Equal(
            "false: event.rule.name startswith \"Trojan\" was false (event.rule.name = \"W32.Ramnit!html\")",
            explanation.ToString());
    }

    [Fact]
    public void Explain_True_ListsEveryClauseThatHeld()
    {
        var condition = Compile("event.source.ip != null and event.host.name startswith \"WS-\"");

        var explanation = condition.Explain(new ConditionInput(SepRisk()));

        Assert.True(explanation.Result);
        Assert.Equal(
            "true: event.source.ip != null was true (event.source.ip = 10.20.4.17) and event.host.name startswith \"WS-\" was true (event.host.name = \"WS-0412\")",
            explanation.ToString());
    }

    [Fact]
    public void Explain_OrWithFirstTrue_NamesOnlyThatClause()
    {
        var condition = Compile("event.user.name in lists.admins or event.source.ip in [10.20.4.0/24]");

        var explanation = condition.Explain(new ConditionInput(SepRisk()));

        Assert.True(explanation.Result);
        Assert.Equal("event.source.ip in [10.20.4.0/24]", Assert.Single(explanation.Clauses).Text);
    }

    [Fact]
    public void Explain_MissingField_ShowsNull()
    {
        var condition = Compile("event.destination.port == 445");

        var explanation = condition.Explain(new ConditionInput(SepRisk()));

        Assert.Equal("false: event.destination.port == 445 was false (event.destination.port = null)", explanation.ToString());
    }
}
