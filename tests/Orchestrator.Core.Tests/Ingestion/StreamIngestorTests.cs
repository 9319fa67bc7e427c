using System.Text;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;
using Orchestrator.Core.Tests.Support;

namespace Orchestrator.Core.Tests.Ingestion;

public class StreamIngestorTests
{
    private static readonly DateTimeOffset Received = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static StreamIngestor Create(IngestMetrics metrics) =>
        new(new ParserRegistry([new PrefixParser(EventFormats.Zeek)]), EventFormats.Zeek, "test", metrics);

    [Fact]
    public void Add_AcceptedLine_BecomesEventWithReceiveTime()
    {
        var metrics = new IngestMetrics();
        var items = new List<IngestItem>();
        Create(metrics).Add("ok one\r", Received, items);

        var item = Assert.Single(items);
        Assert.Equal("ok one", item.Event!.Original);
        Assert.Equal(Received, item.Event.Ingested);
        Assert.Equal("test", item.Listener);
        Assert.Equal(1, metrics.For("test", EventFormats.Zeek).Received);
    }

    [Fact]
    public void Add_RejectedBytes_KeptExactlyAsDeadLetterWithReason()
    {
        var items = new List<IngestItem>();
        byte[] raw = [(byte)'b', (byte)'a', (byte)'d', 0xFF, 0xFE, (byte)'!'];
        Create(new IngestMetrics()).Add(raw, Received, items);

        var letter = Assert.Single(items).DeadLetter!;
        Assert.Equal(raw, letter.Raw);
        Assert.Equal("line does not start with ok", letter.Reason);
        Assert.Equal(EventFormats.Zeek, letter.Format);
        Assert.Equal(Received, letter.ReceivedAt);
    }

    [Fact]
    public void Add_HeaderLine_GivesContextToLaterEventsOnly()
    {
        var items = new List<IngestItem>();
        var ingestor = Create(new IngestMetrics());
        ingestor.Add("ok before", Received, items);
        ingestor.Add("#fields\ta\tb", Received, items);
        ingestor.Add("ok after", Received, items);

        Assert.Equal(2, items.Count);
        Assert.Null(items[0].Context);
        Assert.Equal("#fields\ta\tb", items[1].Context);
        Assert.Equal("#fields\ta\tb", items[1].Event!.HostName);
    }

    [Fact]
    public void Reject_Oversize_RecordsUnknownFormatInAutoMode()
    {
        var items = new List<IngestItem>();
        var ingestor = new StreamIngestor(new ParserRegistry([]), EventFormats.Auto, "syslog-tcp", new IngestMetrics());
        ingestor.Reject(Encoding.ASCII.GetBytes("xxxx"), "message longer than 4 bytes", Received, items);

        var letter = Assert.Single(items).DeadLetter!;
        Assert.Equal(StreamIngestor.UnknownFormat, letter.Format);
        Assert.Equal("message longer than 4 bytes", letter.Reason);
    }

    [Fact]
    public void Add_AutoModeUnrecognisedLine_DeadLetterSaysWhatWasTried()
    {
        var items = new List<IngestItem>();
        var ingestor = new StreamIngestor(ParserRegistry.CreateDefault(), EventFormats.Auto, "http", new IngestMetrics());
        ingestor.Add("hello world", Received, items);

        Assert.Contains("no parser recognised the line", Assert.Single(items).DeadLetter!.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_JsonBytesWithCrlf_EventOriginalWithoutCrAndCountedOncePerLine()
    {
        var metrics = new IngestMetrics();
        var items = new List<IngestItem>();
        var ingestor = new StreamIngestor(ParserRegistry.CreateDefault(), EventFormats.Auto, "http", metrics);

        ingestor.Add("{\"host\":{\"name\":\"pc-1\"}}\r"u8, Received, items);
        ingestor.Add("{\"host\":{\"name\":\"pc-2\"}}"u8, Received, items);

        Assert.Equal(["{\"host\":{\"name\":\"pc-1\"}}", "{\"host\":{\"name\":\"pc-2\"}}"], items.Select(i => i.Event!.Original));
        Assert.Equal(["pc-1", "pc-2"], items.Select(i => i.Event!.HostName));
        Assert.Equal(2, metrics.For("http", EventFormats.Json).Received);
    }

    [Fact]
    public void Add_JsonBytesWithInvalidUtf8_ReadAsTextWithReplacementCharacter()
    {
        var items = new List<IngestItem>();
        var ingestor = new StreamIngestor(ParserRegistry.CreateDefault(), EventFormats.Json, "http", new IngestMetrics());
        byte[] line = [.. "{\"host\":{\"name\":\"pc-"u8, 0xFF, .. "\"}}"u8];

        ingestor.Add(line, Received, items);

        Assert.Equal("pc-\uFFFD", Assert.Single(items).Event!.HostName);
    }
}
