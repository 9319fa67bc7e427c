using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Core.Ingestion;
using Orchestrator.Listeners;

namespace Orchestrator.Tests.Listeners;

public sealed class SyslogTcpListenerTests
{
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(15);

    internal static string Line(int i) => $"<13>Nov 23 19:00:00 sepm SymantecServer: Virus found,Computer name: pc{i}";

    internal static byte[] OctetFrame(string message)
    {
        var body = Encoding.UTF8.GetBytes(message);
        return [.. Encoding.ASCII.GetBytes($"{body.Length} "), .. body];
    }

    private static async Task<Running<SyslogTcpListener>> StartAsync(PipelineHarness harness, Action<SyslogTcpOptions>? configure = null)
    {
        var options = new SyslogTcpOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0) };
        configure?.Invoke(options);
        var listener = new SyslogTcpListener(options, harness.Pipeline, harness.Registry, harness.Metrics, NullLogger<SyslogTcpListener>.Instance, harness.Time);
        return await Running.StartAsync(listener);
    }

    private static async Task<TcpClient> ConnectAsync(SyslogTcpListener listener)
    {
        var client = new TcpClient(AddressFamily.InterNetwork) { NoDelay = true };
        await client.ConnectAsync(listener.BoundEndpoint);
        return client;
    }

    private static async Task SendAsync(TcpClient client, byte[] bytes)
    {
        await client.GetStream().WriteAsync(bytes);
        await client.GetStream().FlushAsync();
    }

    private static Task SendAsync(TcpClient client, string text) => SendAsync(client, Encoding.UTF8.GetBytes(text));

    private static async Task<int> ReadUntilClosedAsync(TcpClient client)
    {
        var buffer = new byte[16];
        try
        {
            return await client.Client.ReceiveAsync(buffer.AsMemory(), SocketFlags.None).AsTask().WaitAsync(ReadLimit);
        }
        catch (SocketException)
        {
            return 0;
        }
    }

    [Fact]
    public async Task Start_PortZero_BindsLoopbackWithRealPort()
    {
        await using var harness = new PipelineHarness();
        await using var tcp = await StartAsync(harness);

        Assert.Equal(IPAddress.Loopback, tcp.Service.BoundEndpoint.Address);
        Assert.NotEqual(0, tcp.Service.BoundEndpoint.Port);
    }

    [Fact]
    public async Task Receive_ManyLinesInOneWrite_StoresEachMessageInOrder()
    {
        await using var harness = new PipelineHarness();
        await using var tcp = await StartAsync(harness);
        using var client = await ConnectAsync(tcp.Service);

        var lines = Enumerable.Range(0, 500).Select(Line).ToList();
        await SendAsync(client, string.Join('\n', lines) + "\n");

        var events = await harness.WaitForEventsAsync(500);
        Assert.Equal(lines, events.Select(e => e.Original));
        Assert.All(events, e => Assert.Equal(PipelineHarness.Start, e.Ingested));
        Assert.Equal(500, harness.Metrics.For(SyslogTcpListener.Name, "sep").Stored);
    }

    [Fact]
    public async Task Receive_MessageSplitAcrossWrites_StoresWholeMessage()
    {
        await using var harness = new PipelineHarness();
        await using var tcp = await StartAsync(harness);
        using var client = await ConnectAsync(tcp.Service);
        var second = Line(2);

        // The first line being stored proves the server already read the first half of the second.
        await SendAsync(client, Line(1) + "\n" + second[..20]);
        await harness.WaitForEventsAsync(1);
        await SendAsync(client, second[20..] + "\n");

        var events = await harness.WaitForEventsAsync(2);
        Assert.Equal([Line(1), second], events.Select(e => e.Original));
    }

    [Fact]
    public async Task Receive_CrLfAndNulTrailers_StoresMessagesWithoutTrailers()
    {
        await using var harness = new PipelineHarness();
        await using var tcp = await StartAsync(harness);
        using var client = await ConnectAsync(tcp.Service);

        await SendAsync(client, Line(1) + "\r\n" + Line(2) + "\0" + Line(3) + "\n");

        var events = await harness.WaitForEventsAsync(3);
        Assert.Equal([Line(1), Line(2), Line(3)], events.Select(e => e.Original));
    }

    [Fact]
    public async Task Receive_LastLineWithoutTrailer_StoredWhenConnectionCloses()
    {
        await using var harness = new PipelineHarness();
        await using var tcp = await StartAsync(harness);
        using (var client = await ConnectAsync(tcp.Service))
        {
            await SendAsync(client, Line(1) + "\n" + Line(2));
            client.Client.Shutdown(SocketShutdown.Send);
            Assert.Equal(0, await ReadUntilClosedAsync(client));
        }

        var events = await harness.WaitForEventsAsync(2);
        Assert.Equal([Line(1), Line(2)], events.Select(e => e.Original));
    }

    [Fact]
    public async Task Receive_OctetCountingTwoFramesInOneWrite_StoresBothWithEmbeddedNewline()
    {
        await using var harness = new PipelineHarness();
        await using var tcp = await StartAsync(harness);
        using var client = await ConnectAsync(tcp.Service);
        var first = "<165>1 2026-11-23T19:00:00.000Z sepm SymantecServer - - - multi\nline";
        var second = Line(2);

        await SendAsync(client, [.. OctetFrame(first), .. OctetFrame(second)]);

        var events = await harness.WaitForEventsAsync(2);
        Assert.Equal([first, second], events.Select(e => e.Original));
    }

    [Fact]
    public async Task Receive_OctetFrameSplitInsideCountAndBody_StoresWholeFrame()
    {
        await using var harness = new PipelineHarness();
        await using var tcp = await StartAsync(harness);
        using var client = await ConnectAsync(tcp.Service);
        var second = OctetFrame(Line(2));
        var third = OctetFrame(Line(3));

        await SendAsync(client, [.. OctetFrame(Line(1)), .. second.AsSpan(0, 1)]);
        await harness.WaitForEventsAsync(1);
        await SendAsync(client, second[1..30]);
        await SendAsync(client, [.. second[30..], .. third[..40]]);
        await harness.WaitForEventsAsync(2);
        await SendAsync(client, third[40..]);

        var events = await harness.WaitForEventsAsync(3);
        Assert.Equal([Line(1), Line(2), Line(3)], events.Select(e => e.Original));
    }

    [Fact]
    public async Task Receive_BadOctetCount_FallsBackToLineFramingForTheRest()
    {
        await using var harness = new PipelineHarness();
        await using var tcp = await StartAsync(harness);
        using var client = await ConnectAsync(tcp.Service);
        var broken = "12x SymantecServer: not a count";

        await SendAsync(client, [.. OctetFrame(Line(1)), .. Encoding.UTF8.GetBytes(broken + "\n" + Line(3) + "\n")]);

        var events = await harness.WaitForEventsAsync(3);
        Assert.Equal([Line(1), broken, Line(3)], events.Select(e => e.Original));
    }

    [Fact]
    public async Task Receive_OversizeLine_DeadLetterWithFirstBytesAndNextLineStored()
    {
        await using var harness = new PipelineHarness();
        await using var tcp = await StartAsync(harness, o => o.MaxMessageBytes = 100);
        using var client = await ConnectAsync(tcp.Service);
        var oversize = "<13>" + new string('A', 300) + " SymantecServer";

        await SendAsync(client, oversize + "\n" + Line(2) + "\n");

        var deadLetters = await harness.WaitForDeadLettersAsync(1);
        var events = await harness.WaitForEventsAsync(1);
        Assert.Equal("message longer than 100 bytes", deadLetters[0].Reason);
        Assert.Equal(Encoding.ASCII.GetBytes(oversize[..100]), deadLetters[0].Raw);
        Assert.Equal(SyslogTcpListener.Name, deadLetters[0].Listener);
        Assert.Equal([Line(2)], events.Select(e => e.Original));
    }

    [Fact]
    public async Task Receive_OversizeLineArrivingInPieces_CutWithoutWaitingForTrailer()
    {
        await using var harness = new PipelineHarness();
        await using var tcp = await StartAsync(harness, o => o.MaxMessageBytes = 100);
        using var client = await ConnectAsync(tcp.Service);
        var oversize = "<13>" + new string('B', 500);

        await SendAsync(client, oversize[..250]);
        var deadLetters = await harness.WaitForDeadLettersAsync(1);
        await SendAsync(client, oversize[250..] + "\n" + Line(2) + "\n");

        var events = await harness.WaitForEventsAsync(1);
        Assert.Equal(Encoding.ASCII.GetBytes(oversize[..100]), deadLetters[0].Raw);
        Assert.Equal([Line(2)], events.Select(e => e.Original));
        Assert.Single(harness.Store.DeadLetters);
    }

    [Fact]
    public async Task Receive_OversizeOctetFrame_DeadLetterAndRestOfFrameSkipped()
    {
        await using var harness = new PipelineHarness();
        await using var tcp = await StartAsync(harness, o => o.MaxMessageBytes = 100);
        using var client = await ConnectAsync(tcp.Service);
        var oversize = "<13>" + new string('C', 300) + "\nSymantecServer inside the oversize frame";

        await SendAsync(client, [.. OctetFrame(oversize), .. OctetFrame(Line(2))]);

        var deadLetters = await harness.WaitForDeadLettersAsync(1);
        var events = await harness.WaitForEventsAsync(1);
        Assert.Equal("message longer than 100 bytes", deadLetters[0].Reason);
        Assert.Equal(Encoding.ASCII.GetBytes(oversize[..100]), deadLetters[0].Raw);
        Assert.Equal([Line(2)], events.Select(e => e.Original));
    }

    [Fact]
    public async Task Receive_GarbageLineWithInvalidUtf8_DeadLetterKeepsExactBytes()
    {
        await using var harness = new PipelineHarness();
        await using var tcp = await StartAsync(harness);
        using var client = await ConnectAsync(tcp.Service);
        byte[] garbage = [(byte)'<', 0xFF, 0xFE, (byte)'h', (byte)'i', 0xC3, 0x28, 0x80];

        await SendAsync(client, [.. garbage, (byte)'\n', .. Encoding.UTF8.GetBytes(Line(2) + "\n")]);

        var deadLetters = await harness.WaitForDeadLettersAsync(1);
        await harness.WaitForEventsAsync(1);
        Assert.Equal(garbage, deadLetters[0].Raw);
        Assert.StartsWith("no parser recognised the line", deadLetters[0].Reason, StringComparison.Ordinal);
        Assert.Equal(StreamIngestor.UnknownFormat, deadLetters[0].Format);
    }

    [Fact]
    public async Task Receive_SlowSenderStopsMidFrame_OtherConnectionStillProcessed()
    {
        await using var harness = new PipelineHarness();
        await using var tcp = await StartAsync(harness);
        using var slow = await ConnectAsync(tcp.Service);
        using var fast = await ConnectAsync(tcp.Service);
        var stalled = Line(99);

        await SendAsync(slow, stalled[..25]);
        await SendAsync(fast, Line(1) + "\n" + Line(2) + "\n" + Line(3) + "\n");

        var events = await harness.WaitForEventsAsync(3);
        Assert.Equal([Line(1), Line(2), Line(3)], events.Select(e => e.Original));

        await SendAsync(slow, stalled[25..] + "\n");
        events = await harness.WaitForEventsAsync(4);
        Assert.Equal(stalled, events[3].Original);
    }

    [Fact]
    public async Task Accept_MaxConnectionsReached_ExtraConnectionClosedAndOthersServed()
    {
        await using var harness = new PipelineHarness();
        await using var tcp = await StartAsync(harness, o => o.MaxConnections = 1);
        using var first = await ConnectAsync(tcp.Service);
        await SendAsync(first, Line(1) + "\n");
        await harness.WaitForEventsAsync(1);

        using (var extra = await ConnectAsync(tcp.Service))
        {
            Assert.Equal(0, await ReadUntilClosedAsync(extra));
        }

        await SendAsync(first, Line(2) + "\n");
        await harness.WaitForEventsAsync(2);
        first.Client.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, await ReadUntilClosedAsync(first));

        // The slot is free again once the first connection is gone.
        await PipelineHarness.WaitUntilAsync(() => tcp.Service.ActiveConnections == 0, "the closed connection is still counted");
        using var next = await ConnectAsync(tcp.Service);
        await SendAsync(next, Line(3) + "\n");
        var events = await harness.WaitForEventsAsync(3);
        Assert.Equal([Line(1), Line(2), Line(3)], events.Select(e => e.Original));
    }

    [Fact]
    public async Task Receive_IdleLongerThanTimeout_ConnectionClosed()
    {
        await using var harness = new PipelineHarness();
        await using var tcp = await StartAsync(harness, o => o.IdleTimeout = TimeSpan.FromMinutes(1));
        using var client = await ConnectAsync(tcp.Service);
        await SendAsync(client, Line(1) + "\n");
        await harness.WaitForEventsAsync(1);

        // The idle timer is re-armed before each read; advance fake time until the server gives up.
        var read = client.GetStream().ReadAsync(new byte[16]).AsTask();
        var deadline = DateTime.UtcNow + ReadLimit;
        while (!read.IsCompleted && DateTime.UtcNow < deadline)
        {
            harness.Time.Advance(TimeSpan.FromMinutes(1));
            await Task.WhenAny(read, Task.Delay(20));
        }

        Assert.True(read.IsCompleted, "the idle connection was not closed");
        Assert.Equal(0, await read);
        await PipelineHarness.WaitUntilAsync(() => tcp.Service.ActiveConnections == 0, "the idle connection is still counted");
    }
}
