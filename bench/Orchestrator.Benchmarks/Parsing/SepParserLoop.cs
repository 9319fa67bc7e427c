using System.Diagnostics;
using System.Globalization;
using Orchestrator.Core.Parsing;
using Orchestrator.Core.Parsing.Sep;

namespace Orchestrator.Benchmarks.Parsing;

/// <summary>
/// Single-threaded parse of every line of a generated file, for a lines/s figure over the whole
/// workload: <c>dotnet run -c Release --project bench/Orchestrator.Benchmarks -- sep-loop FILE</c>.
/// </summary>
internal static class SepParserLoop
{
    public static int Run(string file)
    {
        var lines = File.ReadAllLines(file);
        var parser = new SepSyslogParser();
        var receivedAt = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < Math.Min(lines.Length, 50_000); i++)
        {
            parser.Parse(new RawInput(lines[i], receivedAt));
        }

        for (var round = 0; round < 3; round++)
        {
            GC.Collect();
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var rejected = 0;
            var traced = 0;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            foreach (var line in lines)
            {
                var result = parser.Parse(new RawInput(line, receivedAt));
                if (result.Outcome != ParseOutcome.Event)
                {
                    rejected++;
                }
                else if (result.Event!.SourceIp is not null)
                {
                    traced++;
                }
            }

            watch.Stop();
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round + 1}: {lines.Length:N0} lines in {watch.Elapsed.TotalSeconds:F3} s = {lines.Length / watch.Elapsed.TotalSeconds:N0} lines/s wall, {lines.Length / cpuSeconds:N0} lines/s of process CPU time, {bytes / (double)lines.Length:F0} B/line allocated, {traced:N0} with source IP, {rejected} rejected"));
        }

        return 0;
    }
}
