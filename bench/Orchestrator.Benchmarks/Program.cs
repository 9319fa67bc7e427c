using BenchmarkDotNet.Running;
using Orchestrator.Benchmarks.Parsing;
using Orchestrator.Benchmarks.Rules;

if (args.Length is >= 1 and <= 4 && args[0] == "first-seen-loop")
{
    return await Orchestrator.Benchmarks.Detection.FirstSeenLoop.RunAsync(args[1..]);
}

if (args.Length == 2 && args[0] == "sep-loop")
{
    return SepParserLoop.Run(args[1]);
}

if (args.Length == 2 && args[0] == "rules-loop")
{
    return RulesLoop.RunSharedRule(args[1]);
}

if (args.Length is 2 or 3 && args[0] == "rules-durable-loop")
{
    return await RulesLoop.RunDurableAsync(args[1], args.Length == 3 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : new Orchestrator.Core.Rules.DurableRulesEngineOptions().SaveEveryEvents);
}

if (args.Length is 2 or 3 && args[0] == "rules-engine-loop")
{
    return RulesLoop.RunHundredRules(args[1], args.Length == 3 ? args[2] : "realistic,heavy,quiet");
}

if (args.Length == 2 && args[0] == "detectors-loop")
{
    return Orchestrator.Benchmarks.Detection.DetectorsLoop.Run(args[1]);
}

if (args.Length >= 1 && args[0] == "lookback-loop")
{
    return Orchestrator.Benchmarks.Detection.LookbackLoop.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
