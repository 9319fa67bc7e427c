using System.Globalization;
using System.Net;
using BenchmarkDotNet.Attributes;
using Fluid;
using Fluid.Values;
using Jint;
using Jint.Native;
using Orchestrator.Core.Conditions;
using Orchestrator.Core.Events;

namespace Orchestrator.Benchmarks.Conditions;

/// <summary>
/// One playbook <c>when:</c> of three clauses over a mix of SEP risk events, evaluated by our compiled
/// condition, by Fluid (a Liquid <c>{% if %}</c>) and by Jint (a JavaScript function); one operation is one event.
/// </summary>
[MemoryDiagnoser]
public class ConditionBenchmarks : IDisposable
{
    private const int EventCount = 1024;

    private const string Source =
        "event.source.ip != null and not (event.source.ip in lists.protected) and event.rule.name startswith \"W32\"";

    private static readonly string[] ProtectedEntries =
        ["10.20.0.0/24", "10.20.4.250", "10.20.4.251", "192.168.100.0/22", "172.16.0.0/12", "10.99.1.1"];

    private static readonly string[] RuleNames = ["W32.Ramnit!html", "w32.Sality.AE", "Trojan.Gen.2", "Backdoor.Joggver", "W32.Downadup.B"];

    private SecurityEvent[] _events = [];
    private Condition _condition = null!;

    private IFluidTemplate _fluidTemplate = null!;
    private TemplateContext _fluidContext = null!;

    private Engine _jint = null!;
    private JsValue _jintCondition = null!;
    private readonly JsValue[] _jintArguments = new JsValue[2];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(9);
        _events = new SecurityEvent[EventCount];
        for (var i = 0; i < EventCount; i++)
        {
            var evt = new SecurityEvent { Kind = EventKinds.Other, RuleName = RuleNames[random.Next(RuleNames.Length)], HostName = $"WS-{i:D4}" };
            evt.SourceIp = (i % 8) switch
            {
                0 => null, // no traced source
                1 => IPAddress.Parse($"10.20.0.{random.Next(1, 255)}"), // protected
                2 => IPAddress.Parse("10.20.4.250"), // protected, exact
                _ => IPAddress.Parse($"10.20.{random.Next(1, 8)}.{random.Next(1, 250)}"),
            };
            _events[i] = evt;
        }

        var list = NamedList.Parse("protected", ProtectedEntries);
        _condition = ConditionCompiler.Compile(Source, ConditionEnvironment.WithLists(list));

        // Liquid has no address type nor startswith: the CIDR test is a filter calling back into C#,
        // and the prefix is sliced and lower-cased in the template.
        var options = new TemplateOptions();
        options.Filters.AddFilter("in_protected", (input, _, _) =>
            BooleanValue.Create(input.ToObjectValue() is IPAddress ip && list.Networks.Contains(ip)));
        var parser = new FluidParser();
        _fluidTemplate = parser.Parse(
            "{%- if ip != nil -%}{%- assign p = ip | in_protected -%}{%- assign prefix = rule | slice: 0, 3 | downcase -%}"
            + "{%- if p == false and prefix == 'w32' -%}1{%- endif -%}{%- endif -%}");
        _fluidContext = new TemplateContext(options);

        // JavaScript has no address type either: IPv4 CIDRs are compared as 32-bit numbers in the script.
        _jint = new Engine();
        _jint.Execute(JintScript(ProtectedEntries));
        _jintCondition = _jint.GetValue("cond");

        if (CountMatches(Compiled) != CountMatches(Fluid) || CountMatches(Compiled) != CountMatches(Jint))
        {
            throw new InvalidOperationException(
                $"the three evaluators disagree: compiled {CountMatches(Compiled)}, Fluid {CountMatches(Fluid)}, Jint {CountMatches(Jint)}");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = EventCount)]
    public int CompiledCondition()
    {
        var matched = 0;
        foreach (var evt in _events)
        {
            if (_condition.Evaluate(new ConditionInput(evt)))
            {
                matched++;
            }
        }

        return matched;
    }

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int FluidIfTag()
    {
        var matched = 0;
        foreach (var evt in _events)
        {
            if (Fluid(evt))
            {
                matched++;
            }
        }

        return matched;
    }

    [Benchmark(OperationsPerInvoke = EventCount)]
    public int JintFunction()
    {
        var matched = 0;
        foreach (var evt in _events)
        {
            if (Jint(evt))
            {
                matched++;
            }
        }

        return matched;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _jint?.Dispose();
        GC.SuppressFinalize(this);
    }

    private bool Compiled(SecurityEvent evt) => _condition.Evaluate(new ConditionInput(evt));

    private bool Fluid(SecurityEvent evt)
    {
        _fluidContext.SetValue("ip", evt.SourceIp is null ? NilValue.Instance : new ObjectValue(evt.SourceIp));
        _fluidContext.SetValue("rule", evt.RuleName);
        return _fluidTemplate.Render(_fluidContext).Length == 1;
    }

    private bool Jint(SecurityEvent evt)
    {
        _jintArguments[0] = evt.SourceIp is null ? JsValue.Null : new JsString(evt.SourceIp.ToString());
        _jintArguments[1] = evt.RuleName is null ? JsValue.Null : new JsString(evt.RuleName);
        return _jint.Invoke(_jintCondition, _jintArguments).AsBoolean();
    }

    private int CountMatches(Func<SecurityEvent, bool> evaluate) => _events.Count(evaluate);

    private static string JintScript(string[] entries)
    {
        var networks = string.Join(", ", entries.Select(entry =>
        {
            var parts = entry.Split('/');
            var prefix = parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : 32;
            var bytes = IPAddress.Parse(parts[0]).GetAddressBytes();
            var network = ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
            var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
            return $"[{network}, {mask}]";
        }));
        return $$"""
            var networks = [{{networks}}];
            function toNumber(ip) {
              var p = ip.split('.');
              return ((+p[0] << 24) >>> 0) + (+p[1] << 16) + (+p[2] << 8) + (+p[3]);
            }
            function cond(ip, rule) {
              if (ip == null) return false;
              var n = toNumber(ip);
              for (var i = 0; i < networks.length; i++) {
                if (((n & networks[i][1]) >>> 0) === networks[i][0]) return false;
              }
              return rule != null && rule.toLowerCase().startsWith('w32');
            }
            """;
    }
}
