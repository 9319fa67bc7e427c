using Mediator;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Core.Events;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;

namespace Orchestrator.Tests.Listeners;

/// <summary>Accepts lines containing "SymantecServer" (which auto-detection routes to <c>sep</c>) and rejects the rest.</summary>
public sealed class TestParser(string format) : IEventParser
{
    public const string RejectReason = "test parser: not a SymantecServer line";

    public string Format => format;

    public ParseResult Parse(RawInput input) => input.Text.Contains("SymantecServer", StringComparison.Ordinal)
        ? ParseResult.Success(new SecurityEvent { Format = format, Original = input.Text, Timestamp = input.ReceivedAt })
        : ParseResult.Rejected(RejectReason);
}

/// <summary>An in-memory store that records what the pipeline commits.</summary>
public sealed class MemoryEventStore : IEventStore
{
    private readonly Lock _lock = new();
    private readonly List<SecurityEvent> _events = [];
    private readonly List<DeadLetter> _deadLetters = [];
    private long _nextId;

    public IReadOnlyList<SecurityEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<DeadLetter> DeadLetters
    {
        get
        {
            lock (_lock)
            {
                return [.. _deadLetters];
            }
        }
    }

    public ValueTask AppendAsync(IReadOnlyList<IngestItem> batch, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            foreach (var item in batch)
            {
                if (item.Event is { } evt)
                {
                    evt.Id = ++_nextId;
                    _events.Add(evt);
                }
                else
                {
                    item.DeadLetter!.Id = ++_nextId;
                    _deadLetters.Add(item.DeadLetter);
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<SecurityEvent>> QueryAsync(EventQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<SecurityEvent>>([.. Events.Reverse().Take(query.Limit)]);

    public ValueTask<SecurityEvent?> GetAsync(long id, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Events.FirstOrDefault(e => e.Id == id));

    public ValueTask<IReadOnlyList<DeadLetter>> QueryDeadLettersAsync(int limit, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<DeadLetter>>([.. DeadLetters.Reverse().Take(limit)]);

    public ValueTask<RetentionResult> ApplyRetentionAsync(RetentionPolicy policy, DateTimeOffset now, CancellationToken cancellationToken) =>
        ValueTask.FromResult(default(RetentionResult));

    public ValueTask<StoreCounts> CountAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(new StoreCounts(_events.Count, _deadLetters.Count));
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Drops notifications.</summary>
public sealed class NullPublisher : IPublisher
{
    public ValueTask Publish<TNotification>(TNotification notification, CancellationToken cancellationToken = default)
        where TNotification : INotification => ValueTask.CompletedTask;

    public ValueTask Publish(object notification, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}

/// <summary>A running ingest pipeline over <see cref="MemoryEventStore"/>, with polling helpers.</summary>
public sealed class PipelineHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 23, 19, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(15);

    private readonly CancellationTokenSource _cancel = new();
    private readonly Task _run;

    public PipelineHarness()
    {
        Pipeline = new IngestPipeline(Store, new NullPublisher(), Metrics, NullLogger<IngestPipeline>.Instance, new IngestPipelineOptions(), Time);
        _run = Task.Run(() => Pipeline.RunAsync(_cancel.Token));
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public MemoryEventStore Store { get; } = new();

    public IngestMetrics Metrics { get; } = new();

    public ParserRegistry Registry { get; } = new([new TestParser(EventFormats.Sep)]);

    public IngestPipeline Pipeline { get; }

    /// <summary>Polls until the store holds at least <paramref name="count"/> events; fails after a bounded wait.</summary>
    public Task<IReadOnlyList<SecurityEvent>> WaitForEventsAsync(int count) => WaitAsync(() => Store.Events, count, "events");

    public Task<IReadOnlyList<DeadLetter>> WaitForDeadLettersAsync(int count) => WaitAsync(() => Store.DeadLetters, count, "dead letters");

    /// <summary>Polls <paramref name="condition"/> until it holds; fails after a bounded wait.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(failure);
            }

            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Pipeline.Complete();
        await _run.WaitAsync(WaitLimit);
        _cancel.Dispose();
    }

    private static async Task<IReadOnlyList<T>> WaitAsync<T>(Func<IReadOnlyList<T>> read, int count, string what)
    {
        var deadline = DateTime.UtcNow + WaitLimit;
        while (true)
        {
            var items = read();
            if (items.Count >= count)
            {
                return items;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"expected {count} {what}, got {items.Count} after {WaitLimit}");
            }

            await Task.Delay(10);
        }
    }
}

/// <summary>Stops and disposes a started listener at the end of a test.</summary>
public sealed class Running<T>(T service) : IAsyncDisposable
    where T : IHostedService, IDisposable
{
    public T Service { get; } = service;

    public async ValueTask DisposeAsync()
    {
        await Service.StopAsync(CancellationToken.None);
        Service.Dispose();
    }
}

/// <summary>Starts listeners for tests.</summary>
public static class Running
{
    public static async Task<Running<T>> StartAsync<T>(T service)
        where T : IHostedService, IDisposable
    {
        await service.StartAsync(CancellationToken.None);
        return new Running<T>(service);
    }
}
