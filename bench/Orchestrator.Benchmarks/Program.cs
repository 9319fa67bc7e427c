using BenchmarkDotNet.Running;
using Orchestrator.Benchmarks.Parsing;

if (args.Length == 2 && args[0] == "sep-loop")
{
    return SepParserLoop.Run(args[1]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
