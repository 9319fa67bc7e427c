using System.Buffers;
using System.Text;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;
using Orchestrator.Listeners;

namespace Orchestrator.Tests.Listeners;

public sealed class SyslogFrameDecoderTests
{
    private static readonly DateTimeOffset Now = PipelineHarness.Start;

    private static string Line(int i) => SyslogTcpListenerTests.Line(i);

    private static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Decodes <paramref name="stream"/> delivered in the given chunks, as a pipe reader would hand it over.</summary>
    private static List<string> Decode(byte[] stream, IReadOnlyList<int> cuts, int maxBytes = 1024)
    {
        var registry = new ParserRegistry([new TestParser(EventFormats.Sep)]);
        var decoder = new SyslogFrameDecoder(new SyslogMessage(new StreamIngestor(registry, EventFormats.Auto, "test", new IngestMetrics()), maxBytes));
        var items = new List<IngestItem>();
        byte[] pending = [];
        var start = 0;
        for (var i = 0; i <= cuts.Count; i++)
        {
            var end = i < cuts.Count ? cuts[i] : stream.Length;
            var sequence = Sequence(pending, stream[start..end]);
            var consumed = decoder.Decode(sequence, isCompleted: i == cuts.Count, Now, items);
            pending = sequence.Slice(consumed).ToArray();
            start = end;
        }

        Assert.Empty(pending);
        return [.. items.Select(Describe)];
    }

    private static string Describe(IngestItem item) => item.Event is { } evt
        ? "event " + evt.Original
        : "dead " + item.DeadLetter!.Reason + " " + Encoding.Latin1.GetString(item.DeadLetter.Raw);

    private static ReadOnlySequence<byte> Sequence(byte[] first, byte[] second)
    {
        if (first.Length == 0 || second.Length == 0)
        {
            return new ReadOnlySequence<byte>(first.Length == 0 ? second : first);
        }

        var head = new Segment(first, 0);
        var tail = head.Append(second);
        return new ReadOnlySequence<byte>(head, 0, tail, second.Length);
    }

    /// <summary>The same messages come out wherever the stream is cut, including inside a count or a CRLF.</summary>
    private static void AssertSameAtEverySplit(byte[] stream, IReadOnlyList<string> expected, int maxBytes = 1024)
    {
        Assert.Equal(expected, Decode(stream, [], maxBytes));
        for (var cut = 0; cut <= stream.Length; cut++)
        {
            Assert.Equal(expected, Decode(stream, [cut], maxBytes));
        }

        Assert.Equal(expected, Decode(stream, [.. Enumerable.Range(1, stream.Length - 1)], maxBytes));
    }

    [Fact]
    public void Decode_LineFramingAnySplit_SameMessages()
    {
        var stream = Bytes(Line(1) + "\r\n" + Line(2) + "\0\n\n" + Line(3) + "\nnot syslog\n" + Line(4));

        AssertSameAtEverySplit(stream, ["event " + Line(1), "event " + Line(2), "event " + Line(3), "dead " + TestParserReasonForUnknown + " not syslog", "event " + Line(4)]);
    }

    [Fact]
    public void Decode_OctetCountingAnySplit_SameMessages()
    {
        var multiLine = "<165>1 - sepm SymantecServer - - - a\nb";
        byte[] stream = [.. SyslogTcpListenerTests.OctetFrame(Line(1)), .. SyslogTcpListenerTests.OctetFrame(multiLine), (byte)'\n', .. SyslogTcpListenerTests.OctetFrame(Line(3) + "\n")];

        AssertSameAtEverySplit(stream, ["event " + Line(1), "event " + multiLine, "event " + Line(3)]);
    }

    [Fact]
    public void Decode_BadCountAnySplit_RestReadAsLines()
    {
        byte[] stream = [.. SyslogTcpListenerTests.OctetFrame(Line(1)), .. Bytes("0 SymantecServer zero count\n" + Line(3) + "\n12 " + Line(4))];

        AssertSameAtEverySplit(stream, ["event " + Line(1), "event 0 SymantecServer zero count", "event " + Line(3), "event 12 " + Line(4)]);
    }

    [Fact]
    public void Decode_OversizeInBothFramingsAnySplit_HeadKeptRestSkipped()
    {
        var reason = "message longer than 60 bytes";
        var lines = Bytes(Line(1)[..50] + "\n" + new string('x', 150) + "\n" + Line(2)[..50] + "\n" + new string('y', 61) + "\n" + new string('z', 60) + "\r\n");
        byte[] octets = [.. SyslogTcpListenerTests.OctetFrame(new string('w', 200)), .. SyslogTcpListenerTests.OctetFrame(Line(3)[..60])];

        AssertSameAtEverySplit(lines, [
            "event " + Line(1)[..50], "dead " + reason + " " + new string('x', 60), "event " + Line(2)[..50],
            "dead " + reason + " " + new string('y', 60), "dead " + TestParserReasonForUnknown + " " + new string('z', 60),
        ], maxBytes: 60);
        AssertSameAtEverySplit(octets, ["dead " + reason + " " + new string('w', 60), "event " + Line(3)[..60]], maxBytes: 60);
    }

    [Fact]
    public void Decode_ConnectionClosedInsideOctetFrame_DeadLetterWithReceivedBytes()
    {
        byte[] stream = [.. SyslogTcpListenerTests.OctetFrame(Line(1)), .. Bytes("80 <13>cut short")];

        Assert.Equal(["event " + Line(1), "dead connection closed inside an octet-counted frame (RFC 6587 §3.4.1) 80 <13>cut short"], Decode(stream, []));
    }

    [Fact]
    public void Decode_InvalidUtf8Line_DeadLetterKeepsExactBytes()
    {
        var registry = new ParserRegistry([new TestParser(EventFormats.Sep)]);
        var decoder = new SyslogFrameDecoder(new SyslogMessage(new StreamIngestor(registry, EventFormats.Auto, "test", new IngestMetrics()), 1024));
        byte[] garbage = [(byte)'<', 0xC0, 0xAF, 0xED, 0xA0, 0x80, (byte)'\r'];
        var items = new List<IngestItem>();

        decoder.Decode(new ReadOnlySequence<byte>([.. garbage, (byte)'\n']), isCompleted: false, Now, items);

        Assert.Equal(garbage[..^1], Assert.Single(items).DeadLetter!.Raw);
        Assert.Equal(SyslogFraming.NonTransparent, decoder.Framing);
    }

    private const string TestParserReasonForUnknown = "no parser recognised the line (tried sep, epo, cef, leef, sysmon, zeek, json; set a format to force one)";

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
