using System.Buffers;
using System.CommandLine;
using System.Diagnostics;
using System.IO.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orchestrator.Core.Ingestion;
using Orchestrator.Core.Parsing;

namespace Orchestrator.Cli;

/// <summary><c>orchestrator ingest FILE</c>: imports a file (a SEPM CSV export, a syslog capture, NDJSON) into the store.</summary>
public static class IngestCommand
{
    public const string Listener = "ingest";
    private const int BatchItems = 512;

    public static Command Create()
    {
        var file = new Argument<FileInfo>("FILE") { Description = "The file to import; - reads standard input" };
        var format = new Option<string>("--format")
        {
            Description = $"Format of the lines: {string.Join("|", EventFormats.All)}",
            DefaultValueFactory = _ => EventFormats.Auto,
        };
        format.AcceptOnlyFromAmong([.. EventFormats.All]);
        var command = new Command("ingest", "Import a file of events into the store.") { file, format };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var settings = CliApp.LoadSettings(parseResult);
            if (settings is null)
            {
                return 2;
            }

            var path = parseResult.GetRequiredValue(file);
            if (path.Name != "-" && !path.Exists)
            {
                await Console.Error.WriteLineAsync($"{path.FullName}: no such file").ConfigureAwait(false);
                return 2;
            }

            await using var provider = new ServiceCollection()
                .AddLogging(l => l.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning))
                .AddOrchestratorCore(settings)
                .BuildServiceProvider();
            var stopwatch = Stopwatch.StartNew();
            var metrics = provider.GetRequiredService<IngestMetrics>();
            var pipeline = provider.GetRequiredService<IngestPipeline>();
            var writer = Task.Run(() => pipeline.RunAsync(CancellationToken.None), CancellationToken.None);
            var ingestor = new StreamIngestor(provider.GetRequiredService<ParserRegistry>(), parseResult.GetValue(format)!, Listener, metrics);
            var receivedAt = provider.GetRequiredService<TimeProvider>().GetUtcNow();
            var input = path.Name == "-" ? Console.OpenStandardInput() : new FileStream(path.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            await using (input.ConfigureAwait(false))
            {
                try
                {
                    await ReadLinesAsync(input, ingestor, pipeline, receivedAt, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    pipeline.Complete();
                    await writer.ConfigureAwait(false);
                }
            }

            var stored = metrics.TotalStored;
            var rejected = metrics.TotalRejected;
            var seconds = stopwatch.Elapsed.TotalSeconds;
            Console.WriteLine($"{path.Name}: {stored} events stored, {rejected} dead letters, in {seconds:F2} s ({(stored + rejected) / Math.Max(seconds, 1e-9):F0} lines/s)");
            return 0;
        });
        return command;
    }

    /// <summary>Splits the stream into lines (LF, with an optional CR) and hands them to the pipeline in batches.</summary>
    public static async Task ReadLinesAsync(Stream input, StreamIngestor ingestor, IngestPipeline pipeline, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var reader = PipeReader.Create(input, new StreamPipeReaderOptions(bufferSize: 1 << 20));
        var items = new List<IngestItem>(BatchItems);
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            while (AddCompleteLines(ref buffer, ingestor, receivedAt, items))
            {
                await pipeline.EnqueueAsync(items, cancellationToken).ConfigureAwait(false);
                items = new List<IngestItem>(BatchItems);
            }

            if (result.IsCompleted && !buffer.IsEmpty)
            {
                ingestor.Add(buffer.IsSingleSegment ? buffer.FirstSpan : buffer.ToArray(), receivedAt, items);
                buffer = buffer.Slice(buffer.End);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
            if (items.Count >= BatchItems || (result.IsCompleted && items.Count > 0))
            {
                await pipeline.EnqueueAsync(items, cancellationToken).ConfigureAwait(false);
                items = new List<IngestItem>(BatchItems);
            }

            if (result.IsCompleted)
            {
                break;
            }
        }

        await reader.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Adds the complete lines of <paramref name="buffer"/> until the batch is full; true when it
    /// stopped because the batch is full. Batches stay at <see cref="BatchItems"/>: a list grown
    /// past ~2,600 items is a large object, and allocating those forced a full GC every ~40k lines.
    /// </summary>
    private static bool AddCompleteLines(ref ReadOnlySequence<byte> buffer, StreamIngestor ingestor, DateTimeOffset receivedAt, List<IngestItem> items)
    {
        var sequenceReader = new SequenceReader<byte>(buffer);
        var full = false;
        while (!full && sequenceReader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
        {
            if (!line.IsEmpty)
            {
                ingestor.Add(line.IsSingleSegment ? line.FirstSpan : line.ToArray(), receivedAt, items);
                full = items.Count >= BatchItems;
            }
        }

        buffer = buffer.Slice(sequenceReader.Position);
        return full;
    }
}
