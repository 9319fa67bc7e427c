using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Listeners;

namespace Orchestrator.Tests.Listeners;

public sealed class SyslogUdpListenerTests
{
    private static async Task<Running<SyslogUdpListener>> StartAsync(PipelineHarness harness, Action<SyslogUdpOptions>? configure = null)
    {
        var options = new SyslogUdpOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0) };
        configure?.Invoke(options);
        var listener = new SyslogUdpListener(options, harness.Pipeline, harness.Registry, harness.Metrics, NullLogger<SyslogUdpListener>.Instance, harness.Time);
        return await Running.StartAsync(listener);
    }

    private static async Task SendAsync(Socket sender, SyslogUdpListener listener, byte[] datagram) =>
        await sender.SendToAsync(datagram, SocketFlags.None, listener.BoundEndpoint);

    private static Socket CreateSender() => new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    [Fact]
    public async Task Receive_DatagramsWithTrailers_StoredWithoutTrailers()
    {
        await using var harness = new PipelineHarness();
        await using var udp = await StartAsync(harness);
        using var sender = CreateSender();

        await SendAsync(sender, udp.Service, Encoding.UTF8.GetBytes(SyslogTcpListenerTests.Line(1) + "\n"));
        await harness.WaitForEventsAsync(1);
        await SendAsync(sender, udp.Service, Encoding.UTF8.GetBytes(SyslogTcpListenerTests.Line(2) + "\r\n"));
        await harness.WaitForEventsAsync(2);
        await SendAsync(sender, udp.Service, Encoding.UTF8.GetBytes(SyslogTcpListenerTests.Line(3) + "\0"));

        var events = await harness.WaitForEventsAsync(3);
        Assert.Equal([SyslogTcpListenerTests.Line(1), SyslogTcpListenerTests.Line(2), SyslogTcpListenerTests.Line(3)], events.Select(e => e.Original));
        Assert.Equal(3, harness.Metrics.For(SyslogUdpListener.Name, "sep").Stored);
    }

    [Fact]
    public async Task Receive_DatagramWithEmbeddedNewline_IsOneMessage()
    {
        await using var harness = new PipelineHarness();
        await using var udp = await StartAsync(harness);
        using var sender = CreateSender();
        var message = "<13>Nov 23 19:00:00 sepm SymantecServer: first\nsecond";

        await SendAsync(sender, udp.Service, Encoding.UTF8.GetBytes(message));

        var events = await harness.WaitForEventsAsync(1);
        Assert.Equal(message, Assert.Single(events).Original);
    }

    [Fact]
    public async Task Receive_ManyDatagrams_AllStoredInOrder()
    {
        await using var harness = new PipelineHarness();
        await using var udp = await StartAsync(harness);
        using var sender = CreateSender();

        var lines = Enumerable.Range(0, 2_000).Select(SyslogTcpListenerTests.Line).ToList();

        // Bursts of 250 fit any default socket receive buffer, so loopback drops none even where SO_RCVBUF is capped low.
        foreach (var burst in lines.Chunk(250))
        {
            foreach (var line in burst)
            {
                await SendAsync(sender, udp.Service, Encoding.UTF8.GetBytes(line));
            }

            await harness.WaitForEventsAsync(lines.IndexOf(burst[^1]) + 1);
        }

        var events = harness.Store.Events;
        Assert.Equal(lines, events.Select(e => e.Original));
    }

    [Fact]
    public async Task Receive_OversizeDatagram_DeadLetterWithFirstBytes()
    {
        await using var harness = new PipelineHarness();
        await using var udp = await StartAsync(harness, o => o.MaxMessageBytes = 100);
        using var sender = CreateSender();
        var oversize = "<13>" + new string('A', 1000) + " SymantecServer";

        await SendAsync(sender, udp.Service, Encoding.ASCII.GetBytes(oversize));

        var deadLetter = Assert.Single(await harness.WaitForDeadLettersAsync(1));
        Assert.Equal("message longer than 100 bytes", deadLetter.Reason);
        Assert.Equal(Encoding.ASCII.GetBytes(oversize[..100]), deadLetter.Raw);
        Assert.Equal(SyslogUdpListener.Name, deadLetter.Listener);
    }

    [Fact]
    public async Task Receive_GarbageDatagrams_DeadLettersKeepExactBytesAndListenerGoesOn()
    {
        await using var harness = new PipelineHarness();
        await using var udp = await StartAsync(harness);
        using var sender = CreateSender();
        byte[] garbage = [0xFF, 0x00, 0xC3, 0x28, (byte)'x', 0xE2, 0x82];
        var maximum = new byte[65_507];
        maximum.AsSpan().Fill((byte)'z');

        await SendAsync(sender, udp.Service, garbage);
        await SendAsync(sender, udp.Service, maximum);
        await SendAsync(sender, udp.Service, []);
        await SendAsync(sender, udp.Service, Encoding.UTF8.GetBytes(SyslogTcpListenerTests.Line(1)));

        var events = await harness.WaitForEventsAsync(1);
        var deadLetters = await harness.WaitForDeadLettersAsync(2);
        Assert.Equal(garbage, deadLetters[0].Raw);
        Assert.StartsWith("no parser recognised the line", deadLetters[0].Reason, StringComparison.Ordinal);
        Assert.Equal(maximum, deadLetters[1].Raw);
        Assert.Equal(2, deadLetters.Count);
        Assert.Equal(SyslogTcpListenerTests.Line(1), Assert.Single(events).Original);
    }
}
