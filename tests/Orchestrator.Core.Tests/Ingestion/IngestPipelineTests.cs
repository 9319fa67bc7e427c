using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Events;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Tests.Support;

namespace Orchestrator.Core.Tests.Ingestion;

public class IngestPipelineTests
{
    private static IngestItem Event(string text) =>
        IngestItem.ForEvent(new SecurityEvent { Format = "sep", Original = text }, null, "http");

    private static IngestItem Dead(string text) =>
        IngestItem.ForDeadLetter(new DeadLetter(DateTimeOffset.UnixEpoch, "http", null, "bad", System.Text.Encoding.UTF8.GetBytes(text)));

    private static (IngestPipeline Pipeline, RecordingStore Store, RecordingPublisher Publisher, IngestMetrics Metrics) Create(TimeProvider? time = null, IngestPipelineOptions? options = null)
    {
        var store = new RecordingStore();
        var publisher = new RecordingPublisher();
        var metrics = new IngestMetrics();
        var pipeline = new IngestPipeline(store, publisher, metrics, NullLogger<IngestPipeline>.Instance, options ?? new IngestPipelineOptions(), time ?? TimeProvider.System);
        return (pipeline, store, publisher, metrics);
    }

    [Fact]
    public async Task CommitAsync_ReturnsAfterStoreCommitted_AndPublishesEachEvent()
    {
        var (pipeline, store, publisher, metrics) = Create();
        var run = pipeline.RunAsync(CancellationToken.None);

        await pipeline.CommitAsync([Event("a"), Event("b"), Dead("c")], CancellationToken.None);

        Assert.Equal(3, store.Items.Count);
        Assert.Equal(2, metrics.For("http", "sep").Stored);
        Assert.Equal(1, metrics.For("http", StreamIngestor.UnknownFormat).Rejected);
        pipeline.Complete();
        await run;
        Assert.Equal(["a", "b"], publisher.Published.Cast<EventStored>().Select(n => n.Event.Original));
        Assert.All(publisher.Published.Cast<EventStored>(), n => Assert.True(n.Event.Id > 0));
    }

    [Fact]
    public async Task CommitAsync_StoreFails_ThrowsToCallerAndNothingCounted()
    {
        var (pipeline, store, _, metrics) = Create();
        store.FailNextAppends = 1;
        var run = pipeline.RunAsync(CancellationToken.None);

        await Assert.ThrowsAsync<StoreUnavailableException>(async () => await pipeline.CommitAsync([Event("a")], CancellationToken.None));

        Assert.Empty(store.Items);
        Assert.Equal(0, metrics.TotalStored);
        Assert.Equal(1, metrics.CommitFailures);
        pipeline.Complete();
        await run;
    }

    [Fact]
    public async Task EnqueueAsync_StoreFailsTwice_RetriedUntilStored()
    {
        var time = new FakeTimeProvider();
        var (pipeline, store, _, metrics) = Create(time);
        store.FailNextAppends = 2;
        var run = pipeline.RunAsync(CancellationToken.None);

        await pipeline.EnqueueAsync([Event("a")], CancellationToken.None);
        while (store.Items.IsEmpty)
        {
            // Advance the fake clock past each back-off delay until the retry succeeds.
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
            await Task.Delay(1);
        }

        pipeline.Complete();
        await run;
        Assert.Single(store.Items);
        Assert.Equal(3, store.AppendCalls);
        Assert.Equal(2, metrics.CommitFailures);
        Assert.Equal(1, metrics.TotalStored);
    }

    [Fact]
    public async Task Complete_DrainsEverythingQueued()
    {
        var (pipeline, store, _, _) = Create(options: new IngestPipelineOptions { QueueItems = 10 });
        for (var i = 0; i < 10; i++)
        {
            await pipeline.EnqueueAsync([Event($"e{i}")], CancellationToken.None);
        }

        var run = pipeline.RunAsync(CancellationToken.None);
        for (var i = 10; i < 50; i++)
        {
            await pipeline.EnqueueAsync([Event($"e{i}")], CancellationToken.None);
        }

        pipeline.Complete();
        await run;

        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"e{i}"), store.Items.Select(item => item.Event!.Original));
    }

    [Fact]
    public async Task EnqueueAsync_QueueFullOfItems_WaitsUntilTheWriterTakesThem()
    {
        var (pipeline, store, _, _) = Create(options: new IngestPipelineOptions { QueueItems = 3 });
        await pipeline.EnqueueAsync([Event("a"), Event("b")], CancellationToken.None);

        var blocked = pipeline.EnqueueAsync([Event("c"), Event("d")], CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(blocked.IsCompleted);

        var run = pipeline.RunAsync(CancellationToken.None);
        await blocked.WaitAsync(TimeSpan.FromSeconds(10));
        pipeline.Complete();
        await run;
        Assert.Equal(["a", "b", "c", "d"], store.Items.Select(item => item.Event!.Original));
    }

    [Fact]
    public async Task EnqueueAsync_BatchLargerThanTheQueue_GoesInWhenTheQueueIsEmpty()
    {
        var (pipeline, store, _, _) = Create(options: new IngestPipelineOptions { QueueItems = 2 });
        var large = Enumerable.Range(0, 5).Select(i => Event($"e{i}")).ToArray();

        await pipeline.EnqueueAsync(large, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        var run = pipeline.RunAsync(CancellationToken.None);
        pipeline.Complete();
        await run;
        Assert.Equal(5, store.Items.Count);
    }

    [Fact]
    public async Task EnqueueAsync_AfterComplete_ThrowsAndFreesItsRoom()
    {
        var (pipeline, _, _, _) = Create(options: new IngestPipelineOptions { QueueItems = 1 });
        pipeline.Complete();

        await Assert.ThrowsAsync<System.Threading.Channels.ChannelClosedException>(async () => await pipeline.EnqueueAsync([Event("late")], CancellationToken.None));
        await Assert.ThrowsAsync<System.Threading.Channels.ChannelClosedException>(async () => await pipeline.EnqueueAsync([Event("later")], CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
