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

    private const string Line = "Source: Scheduled scan,Domain: Default,Group: My Company\\Servers";

    private static LabelDictionary FromLine(string[] keys, string?[]? texts = null) =>
        new(keys, Line, [SliceOf("Scheduled scan"), SliceOf("Default"), SliceOf("My Company\\Servers")], texts);

    private static LabelDictionary.Slice SliceOf(string value) => new((ushort)Line.IndexOf(value, StringComparison.Ordinal), (ushort)value.Length);

    [Fact]
    public void SliceValues_ReadEveryWay_AreTheTextOfTheLine()
    {
        var labels = FromLine(["Source", "Domain", "Group"]);

        Assert.Equal("Scheduled scan", labels["Source"]);
        Assert.True(labels.TryGetValue("Group", out var group));
        Assert.Equal("My Company\\Servers", group);
        Assert.Equal(["Source", "Domain", "Group"], labels.Keys);
        Assert.Equal(["Scheduled scan", "Default", "My Company\\Servers"], labels.Values);
        Assert.False(labels.ContainsKey("Server"));
    }

    [Fact]
    public void SliceValues_MixedWithTexts_TextsWinWhereGiven()
    {
        var labels = FromLine(["Source", "Domain", "Group"], [null, "Unquoted \"Domain\"", null]);

        Assert.Equal(["Scheduled scan", "Unquoted \"Domain\"", "My Company\\Servers"], labels.Values);
    }

    [Fact]
    public void SharedKeys_SetOnOneDictionary_LeavesTheOtherAndTheKeyArrayUnchanged()
    {
        string[] keys = ["Source", "Domain", "Group"];
        var first = FromLine(keys);
        var second = FromLine(keys);

        first.Set("Server", "sepm");
        first.Set("Domain", "Lab");
        second["Group"] = "Laptops";

        Assert.Equal(["Source", "Domain", "Group"], keys);
        Assert.Equal(
            [new("Source", "Scheduled scan"), new("Domain", "Lab"), new("Group", "My Company\\Servers"), new KeyValuePair<string, string>("Server", "sepm")],
            first);
        Assert.Equal(["Scheduled scan", "Default", "Laptops"], second.Values);
        Assert.False(second.ContainsKey("Server"));
    }

    [Fact]
    public void SliceValues_ManyLabels_AreFoundThroughTheIndexAndStillSettable()
    {
        var keys = Enumerable.Range(0, 40).Select(i => "column" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var source = string.Concat(Enumerable.Range(0, 40).Select(i => (char)('A' + (i % 26))));
        var labels = new LabelDictionary(keys, source, Enumerable.Range(0, 40).Select(i => new LabelDictionary.Slice((ushort)i, 1)).ToArray(), null);

        labels.Set("column40", "new");
        labels.Set("column3", "replaced");

        Assert.Equal(41, labels.Count);
        Assert.Equal("Z", labels["column25"]);
        Assert.Equal("replaced", labels["column3"]);
        Assert.Equal("new", labels.Last().Value);
    }
}
