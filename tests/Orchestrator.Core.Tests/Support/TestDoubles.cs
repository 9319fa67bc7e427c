using System.Collections.Concurrent;
using Mediator;
using Orchestrator.Core.Events;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;

namespace Orchestrator.Core.Tests.Support;

/// <summary>Accepts lines that start with "ok" as events of the given format; rejects the rest.</summary>
internal sealed class PrefixParser(string format) : IEventParser
{
    public string Format => format;

    public ParseResult Parse(RawInput input) => input.Text.StartsWith("ok", StringComparison.Ordinal)
        ? ParseResult.Success(new SecurityEvent { Format = format, Original = input.Text, Timestamp = input.ReceivedAt, HostName = input.Context })
        : input.Text.StartsWith("#fields", StringComparison.Ordinal) ? ParseResult.HeaderLine(input.Text)
        : ParseResult.Rejected("line does not start with ok");
}

/// <summary>An in-memory store that can be told to fail the next appends.</summary>
internal sealed class RecordingStore : IEventStore
{
    private long _nextId = 1;

    public ConcurrentQueue<IngestItem> Items { get; } = new();

    public int FailNextAppends { get; set; }

    public int AppendCalls { get; private set; }

    public ValueTask AppendAsync(IReadOnlyList<IngestItem> batch, CancellationToken cancellationToken)
    {
        AppendCalls++;
        if (FailNextAppends > 0)
        {
            FailNextAppends--;
            throw new IOException("disk full");
        }

        foreach (var item in batch)
        {
            if (item.Event is not null)
            {
                item.Event.Id = _nextId++;
            }

            Items.Enqueue(item);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<SecurityEvent>> QueryAsync(EventQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<SecurityEvent?> GetAsync(long id, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<IReadOnlyList<DeadLetter>> QueryDeadLettersAsync(int limit, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<RetentionResult> ApplyRetentionAsync(RetentionPolicy policy, DateTimeOffset now, CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask<StoreCounts> CountAsync(CancellationToken cancellationToken) => throw new NotSupportedException();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Records published notifications.</summary>
internal sealed class RecordingPublisher : IPublisher
{
    public ConcurrentQueue<object> Published { get; } = new();

    public ValueTask Publish<TNotification>(TNotification notification, CancellationToken cancellationToken = default)
        where TNotification : INotification
    {
        Published.Enqueue(notification);
        return ValueTask.CompletedTask;
    }

    public ValueTask Publish(object notification, CancellationToken cancellationToken = default)
    {
        Published.Enqueue(notification);
        return ValueTask.CompletedTask;
    }
}
