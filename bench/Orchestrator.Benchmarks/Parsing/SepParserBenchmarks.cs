using BenchmarkDotNet.Attributes;
using Orchestrator.Core.Parsing;
using Orchestrator.Core.Parsing.Sep;

namespace Orchestrator.Benchmarks.Parsing;

/// <summary>SEP syslog parsing of benchmark-workload risk lines; one operation is one line.</summary>
[MemoryDiagnoser]
public class SepParserBenchmarks
{
    private const int LineCount = 4096;
    private static readonly DateTimeOffset ReceivedAt = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private readonly SepSyslogParser _parser = new();
    private string[] _lines = [];

    [GlobalSetup]
    public void Setup() => _lines = SepLines.Load(LineCount);

    [Benchmark(OperationsPerInvoke = LineCount)]
    public int ParseRiskLine()
    {
        var traced = 0;
        foreach (var line in _lines)
        {
            var result = _parser.Parse(new RawInput(line, ReceivedAt));
            if (result.Event?.SourceIp is not null)
            {
                traced++;
            }
        }

        return traced;
    }
}
