using Orchestrator.Core.Parsing;

namespace Orchestrator.Core.Tests.Parsing;

public class ParsingSessionDetectJsonSysmonZeekTests
{
    [Theory]
    [InlineData("""{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"pc"}""", EventFormats.Sysmon)]
    [InlineData("""{"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":3}}""", EventFormats.Sysmon)]
    [InlineData("""{"ts":1775044800.1,"id.orig_h":"10.0.0.1","id.resp_h":"10.0.0.2"}""", EventFormats.Zeek)]
    [InlineData("""{"ts":1775044800.1,"id_orig_h":"10.0.0.1","id_resp_h":"10.0.0.2"}""", EventFormats.Zeek)]
    [InlineData("""{"@timestamp":"2026-01-01T00:00:00Z","event":{"category":"malware"}}""", EventFormats.Json)]
    [InlineData("#fields\tts\tuid\tid.orig_h", EventFormats.Zeek)]
    public void Detect_Line_RecognisesFormat(string line, string format)
    {
        Assert.Equal(format, ParserRegistry.CreateDefault().StartSession().Detect(line));
    }

    [Fact]
    public void Parse_AutoSessionZeekTsvAfterHeader_UsesHeaderContext()
    {
        var session = ParserRegistry.CreateDefault().StartSession();
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(ParseOutcome.Header, session.Parse("#fields\tts\tid.orig_h\tid.resp_h", now).Outcome);
        var result = session.Parse("1775044800\t10.0.0.1\t10.0.0.2", now);

        Assert.Equal(ParseOutcome.Event, result.Outcome);
        Assert.Equal("zeek", result.Event!.Format);
    }

    [Fact]
    public void Parse_AutoSessionGenericJson_GoesToJsonParser()
    {
        var result = ParserRegistry.CreateDefault().StartSession().Parse("""{"event":{"category":"process","type":"start"}}""", DateTimeOffset.UnixEpoch);

        Assert.Equal("json", result.Event!.Format);
        Assert.Equal("process.started", result.Event.Kind);
    }
}
