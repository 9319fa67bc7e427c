namespace Orchestrator.Snmp.Tests;

public class OidTests
{
    [Theory]
    [InlineData("1.3.6.1.2.1.1.1.0")]
    [InlineData("0.0")]
    [InlineData("2.999.4294967295")]
    public void Parse_ToString_RoundTrips(string text)
    {
        Assert.Equal(text, Oid.Parse(text).ToString());
    }

    [Fact]
    public void Parse_LeadingDotAsNetSnmpPrintsIt_IsAccepted()
    {
        Assert.Equal(Oid.Parse("1.3.6.1"), Oid.Parse(".1.3.6.1"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("1..3")]
    [InlineData("1.3.x")]
    [InlineData("3.1")]
    [InlineData("1.40")]
    [InlineData("1.3.4294967296")]
    [InlineData("1.3.-1")]
    public void Parse_Invalid_ThrowsFormatException(string text)
    {
        Assert.Throws<FormatException>(() => Oid.Parse(text));
    }

    [Fact]
    public void Parse_129Arcs_Throws()
    {
        string text = "1.3" + string.Concat(Enumerable.Repeat(".1", 127));
        FormatException e = Assert.Throws<FormatException>(() => Oid.Parse(text));
        Assert.Contains("2 to 128 arcs", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CompareTo_OrdersLexicographicallyByArc()
    {
        Oid[] sorted = [Oid.Parse("1.3.6.1.2.1.2"), Oid.Parse("1.3.6.1.2.1.10"), Oid.Parse("1.3.6.1.2.1.2.1"), Oid.Parse("1.3.6.1.2.1.1")];
        Array.Sort(sorted);
        Assert.Equal(["1.3.6.1.2.1.1", "1.3.6.1.2.1.2", "1.3.6.1.2.1.2.1", "1.3.6.1.2.1.10"], sorted.Select(o => o.ToString()));
    }

    [Fact]
    public void StartsWith_AndIsDescendantOf_DistinguishTheRootItself()
    {
        Oid system = Oid.Parse("1.3.6.1.2.1.1");
        Assert.True(Oid.Parse("1.3.6.1.2.1.1.1.0").StartsWith(system));
        Assert.True(system.StartsWith(system));
        Assert.False(system.IsDescendantOf(system));
        Assert.True(Oid.Parse("1.3.6.1.2.1.1.1.0").IsDescendantOf(system));
        Assert.False(Oid.Parse("1.3.6.1.2.1.10").IsDescendantOf(system));
        Assert.False(Oid.Parse("1.3.6.1.2.1.2.1").IsDescendantOf(system));
    }

    [Fact]
    public void Equals_SameArcs_AreEqualWithSameHash()
    {
        Assert.Equal(Oid.Parse("1.3.6.1"), new Oid(1, 3, 6, 1));
        Assert.Equal(Oid.Parse("1.3.6.1").GetHashCode(), new Oid(1, 3, 6, 1).GetHashCode());
        Assert.Equal(Oid.Parse("1.3.6.1.2.1.1.1.0"), Oid.Parse("1.3.6.1.2.1.1").Append(1, 0));
    }
}
