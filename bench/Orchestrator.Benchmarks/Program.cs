using BenchmarkDotNet.Running;
using Orchestrator.Benchmarks.Parsing;
using Orchestrator.Benchmarks.Rules;

if (args.Length == 2 && args[0] == "sep-loop")
{
    return SepParserLoop.Run(args[1]);
}

if (args.Length == 2 && args[0] == "rules-loop")
{
    return RulesLoop.RunSharedRule(args[1]);
}

if (args.Length == 2 && args[0] == "rules-engine-loop")
{
    return RulesLoop.RunHundredRules(args[1]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
