using Orchestrator.Core.Parsing.Sep;

namespace Orchestrator.Core.Tests.Parsing.Sep;

public class SepCsvTests
{
    [Fact]
    public void MoveNext_QuotedAndLabelledFields_SplitAsCsv()
    {
        var fields = Read("Virus found,Company name: \"Sample Inc., Inc.\",\"a \"\"b\"\", c\",C:\\x,");

        Assert.Equal(
        [
            ("Virus found", false, -1),
            ("Company name: \"Sample Inc., Inc.\"", true, 12),
            ("\"a \"\"b\"\", c\"", true, -1),
            ("C:\\x", false, 1),
            ("", false, -1),
        ],
        fields);
    }

    [Fact]
    public void MoveNext_FieldsLongerThanABlock_SplitWhole()
    {
        var longValue = new string('x', 150);
        var fields = Read($"File path: {longValue},{new string('y', 70)}:,Server: sepm");

        Assert.Equal(["File path: " + longValue, new string('y', 70) + ":", "Server: sepm"], fields.Select(f => f.Field));
        Assert.Equal([9, -1, 6], fields.Select(f => f.Colon));
    }

    [Fact]
    public void MoveNext_RandomRows_MatchFieldByFieldSearch()
    {
        // Characters that matter to the reader, plus ones whose low byte is a delimiter (U+012C, U+013A).
        const string Alphabet = "ab ,,\":::\u012C\u013A";
        var random = new Random(20261123);
        for (var n = 0; n < 3000; n++)
        {
            var chars = new char[random.Next(0, 300)];
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = Alphabet[random.Next(Alphabet.Length)];
            }

            var row = new string(chars);
            Assert.Equal(ReadFieldByField(row), Read(row));
        }
    }

    private static List<(string Field, bool Quoted, int Colon)> Read(string row)
    {
        var fields = new List<(string, bool, int)>();
        var reader = new SepCsvReader(row);
        while (reader.MoveNext(out var raw, out var quoted, out var colon))
        {
            fields.Add((raw.ToString(), quoted, colon));
        }

        return fields;
    }

    // The plain reading: one search per field, then the colon within a label's length.
    private static List<(string Field, bool Quoted, int Colon)> ReadFieldByField(string row)
    {
        var fields = new List<(string, bool, int)>();
        var pos = 0;
        while (pos <= row.Length)
        {
            var end = SepCsv.FindFieldEnd(row, pos, out var quoted);
            var field = row[pos..end];
            fields.Add((field, quoted, field.AsSpan(0, Math.Min(field.Length, SepLabels.MaxLength + 1)).IndexOf(':')));
            pos = end + 1;
        }

        return fields;
    }
}
