using System.Globalization;
using Orchestrator.Core.Events;

namespace Orchestrator.Core.Tests.Events;

public class LabelDictionaryTests
{
    [Fact]
    public void Set_NewKeys_EnumeratedInInsertionOrder()
    {
        var labels = new LabelDictionary();
        labels.Set("Source", "Auto-Protect scan");
        labels.Set("Domain", "Default");
        labels.Set("Group", "Workstations");

        Assert.Equal(["Source", "Domain", "Group"], labels.Keys);
        Assert.Equal(["Auto-Protect scan", "Default", "Workstations"], labels.Values);
        Assert.Equal(3, labels.Count);
    }

    [Fact]
    public void Set_ExistingKey_ReplacesValueInPlace()
    {
        var labels = new LabelDictionary(2);
        labels.Set("a", "1");
        labels.Set("b", "2");
        labels["a"] = "3";

        Assert.Equal([new KeyValuePair<string, string>("a", "3"), new KeyValuePair<string, string>("b", "2")], labels);
    }

    [Fact]
    public void Lookup_KeysDifferingOnlyInCase_AreDistinct()
    {
        var labels = new LabelDictionary();
        labels.Set("Severity", "1");
        labels.Set("severity", "2");

        Assert.Equal("1", labels["Severity"]);
        Assert.True(labels.TryGetValue("severity", out var lower));
        Assert.Equal("2", lower);
        Assert.False(labels.ContainsKey("SEVERITY"));
    }

    [Fact]
    public void Indexer_MissingKey_ThrowsNamingTheKey()
    {
        var labels = new LabelDictionary();
        labels.Set("Source", "x");

        var error = Assert.Throws<KeyNotFoundException>(() => labels["Server"]);
        Assert.Contains("'Server'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Set_ManyKeysWithRepeats_KeepsEachKeyOnceWithItsLastValue()
    {
        var labels = new LabelDictionary();
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 100; i++)
            {
                labels.Set("column" + i.ToString(CultureInfo.InvariantCulture), round.ToString(CultureInfo.InvariantCulture));
            }
        }

        Assert.Equal(100, labels.Count);
        Assert.Equal("column0", labels.First().Key);
        Assert.Equal("column99", labels.Last().Key);
        Assert.All(labels.Values, value => Assert.Equal("2", value));
        Assert.Equal("2", labels["column57"]);
        Assert.False(labels.ContainsKey("column100"));
    }

    [Fact]
    public void Set_EmptyKey_IsALabelLikeAnyOther()
    {
        var labels = new LabelDictionary();
        labels.Set("", "blank");

        Assert.Equal("blank", labels[""]);
    }
}
