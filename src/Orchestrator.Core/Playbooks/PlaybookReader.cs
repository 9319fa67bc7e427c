using System.Text.RegularExpressions;
using Orchestrator.Core.Configuration;
using Orchestrator.Core.Events;
using Orchestrator.Core.Runs;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Core.Playbooks;

/// <summary>Reads one playbook document into a <see cref="Playbook"/>, reporting every problem in it.</summary>
internal sealed partial class PlaybookReader
{
    private const string EventPrefix = "event.";
    private const string LabelsPrefix = "event.labels.";

    private readonly YamlFile _file;
    private readonly PlaybookLoaderOptions _options;
    private readonly Inventory _inventory;

    public PlaybookReader(YamlFile file, PlaybookLoaderOptions options, Inventory inventory)
    {
        _file = file;
        _options = options;
        _inventory = inventory;
    }

    /// <summary>The field names <c>group_by</c> and <c>distinct</c> accept, for suggestions.</summary>
    public static IEnumerable<string> FieldNames => EcsFields.All.Select(f => EventPrefix + f.Path);

    /// <summary>The playbook, or null when the document has errors (they are reported).</summary>
    public Playbook? Read(YamlMappingNode map, out string? id, out YamlNode? idNode)
    {
        var errorsBefore = _file.ErrorCount;
        var entries = _file.Entries(map, PlaybookSyntax.PlaybookKeys, "playbook");
        id = null;
        idNode = null;
        if (entries.TryGetValue("id", out var idEntry))
        {
            idNode = idEntry.Value;
            id = Pattern(idEntry.Value, "id", PlaybookSyntax.PlaybookIdPattern);
        }

        var description = entries.TryGetValue("description", out var d) ? _file.Text(d.Value, "description") : null;
        var on = entries.TryGetValue("on", out var o) ? ReadKinds(o.Value) : [];
        var when = entries.TryGetValue("when", out var w) ? ReadCondition(w.Value, "when", ConditionPlace.When, []) : null;
        var groupBy = entries.TryGetValue("group_by", out var g) ? _file.OneOrMany(g.Value, "group_by").Select(f => Field(f.Text, f.Node, "group_by")).OfType<string>().ToList() : [];
        var threshold = entries.TryGetValue("threshold", out var t) ? ReadThreshold(t.Value) : null;
        var throttle = entries.TryGetValue("throttle", out var th) ? _file.Duration(th.Value, "throttle") : null;
        var mode = entries.TryGetValue("mode", out var m)
            ? _file.Enum(m.Value, PlaybookSyntax.PlaybookKeys.Single(k => k.Name == "mode")) == PlaybookSyntax.DryRun ? PlaybookMode.DryRun : PlaybookMode.Enforce
            : PlaybookMode.Enforce;

        var stepIds = new List<string>();
        var steps = entries.TryGetValue("steps", out var s) ? ReadSteps(s.Value, "steps", stepIds) : [];
        var onFailure = entries.TryGetValue("on_failure", out var f) ? ReadSteps(f.Value, "on_failure", stepIds) : [];

        if (_file.ErrorCount != errorsBefore || id is null)
        {
            return null;
        }

        return new Playbook
        {
            Id = id,
            Description = description,
            On = on,
            When = when,
            GroupBy = groupBy,
            Threshold = threshold,
            Throttle = throttle,
            Mode = mode,
            Steps = steps,
            OnFailure = onFailure,
            Location = _file.Location(map),
        };
    }

    private List<string> ReadKinds(YamlNode node)
    {
        var kinds = new List<string>();
        foreach (var (kind, scalar) in _file.OneOrMany(node, "on"))
        {
            if (_options.EventKinds.Contains(kind))
            {
                kinds.Add(kind);
            }
            else
            {
                _file.Error(scalar, $"unknown event kind '{kind}'{Suggestions.DidYouMean(kind, _options.EventKinds)} (known: {string.Join(", ", _options.EventKinds.Order(StringComparer.Ordinal))})");
            }
        }

        if (kinds.Count == 0 && node is YamlSequenceNode { Children.Count: 0 })
        {
            _file.Error(node, "'on' needs at least one event kind");
        }

        return kinds;
    }

    private Threshold? ReadThreshold(YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            _file.Error(node, "'threshold' must be a map: { count: 3, within: 10m } (and 'distinct: event.host.name' to count distinct values)");
            return null;
        }

        var keys = PlaybookSyntax.PlaybookKeys.Single(k => k.Name == "threshold").Keys;
        var entries = _file.Entries(map, keys, "threshold");
        var count = entries.TryGetValue("count", out var c) ? _file.Integer(c.Value, "count", 1) : null;
        var distinct = entries.TryGetValue("distinct", out var d) && _file.Text(d.Value, "distinct") is { } field ? Field(field, d.Value, "distinct") : null;
        var within = entries.TryGetValue("within", out var w) ? _file.Duration(w.Value, "within") : null;
        return count is null || within is null ? null : new Threshold(count.Value, distinct, within.Value);
    }

    private string? Field(string name, YamlNode node, string key)
    {
        if (name.StartsWith(EventPrefix, StringComparison.Ordinal) && EcsFields.TryGet(name[EventPrefix.Length..], out _))
        {
            return name;
        }

        if (name.StartsWith(LabelsPrefix, StringComparison.Ordinal) && name.Length > LabelsPrefix.Length)
        {
            return name;
        }

        var hint = EcsFields.TryGet(name, out _)
            ? $" (did you mean '{EventPrefix}{name}'?)"
            : Suggestions.DidYouMean(name, FieldNames);
        _file.Error(node, $"'{key}': unknown event field '{name}'{hint}");
        return null;
    }

    private string? Pattern(YamlNode node, string key, (string Regex, string Meaning) pattern)
    {
        var text = _file.Text(node, key);
        if (text is null || Regex.IsMatch(text, pattern.Regex))
        {
            return text;
        }

        _file.Error(node, $"'{key}' '{text}' must be {pattern.Meaning}");
        return null;
    }

    private ConditionSource? ReadCondition(YamlNode node, string key, ConditionPlace place, IReadOnlyList<string> earlierStepIds)
    {
        if (node is not YamlScalarNode scalar || YamlFile.IsNull(scalar) || scalar.Value is null)
        {
            _file.Error(node, $"'{key}' must be a condition (text), for example: event.source.ip != null");
            return null;
        }

        var source = scalar.Value;
        if (_options.ValidateCondition?.Invoke(source, new ConditionUse(place, _inventory, earlierStepIds)) is { } check)
        {
            _file.ErrorInScalar(scalar, check.Offset, $"'{key}': {check.Message}");
        }

        return new ConditionSource(source, _file.Location(scalar));
    }

    private List<PlaybookStep> ReadSteps(YamlNode node, string key, List<string> stepIds)
    {
        var steps = new List<PlaybookStep>();
        if (node is not YamlSequenceNode sequence || sequence.Children.Count == 0)
        {
            _file.Error(node, $"'{key}' must be a list of steps, for example: - log: {{ message: \"...\" }}");
            return steps;
        }

        foreach (var item in sequence.Children)
        {
            if (ReadStep(item, stepIds) is { } step)
            {
                steps.Add(step);
            }
        }

        return steps;
    }

    private PlaybookStep? ReadStep(YamlNode node, List<string> stepIds)
    {
        if (node is not YamlMappingNode map)
        {
            _file.Error(node, "a step must be a map with one action, for example: - notify: { message: \"...\" }");
            return null;
        }

        var commonNames = PlaybookSyntax.StepKeys.Select(k => k.Name).ToHashSet(StringComparer.Ordinal);
        var entries = _file.Entries(map, PlaybookSyntax.StepKeys, "step", allowOthers: true);
        var actions = entries.Where(e => !commonNames.Contains(e.Key)).ToList();
        var known = new List<(StepDefinition Definition, YamlScalarNode Key, YamlNode Value)>();
        foreach (var (name, (keyNode, value)) in actions)
        {
            if (_options.Steps.TryGet(name, out var definition))
            {
                known.Add((definition, keyNode, value));
                continue;
            }

            var closest = Suggestions.Closest(name, _options.Steps.Names.Concat(commonNames));
            _file.Error(keyNode, closest is not null && commonNames.Contains(closest)
                ? $"unknown key '{name}' in the step (did you mean '{closest}'?)"
                : $"unknown step '{name}'{(closest is null ? $" (known steps: {string.Join(", ", _options.Steps.Names.Order(StringComparer.Ordinal))})" : $" (did you mean '{closest}'?)")}");
        }

        if (actions.Count == 0)
        {
            _file.Error(map, $"the step has no action (add one of: {string.Join(", ", _options.Steps.Names.Order(StringComparer.Ordinal))})");
        }

        if (known.Count > 1)
        {
            _file.Error(known[1].Key, $"a step has exactly one action; this one has '{known[0].Definition.Name}' and '{known[1].Definition.Name}' (split it into two steps)");
        }

        string? id = null;
        if (entries.TryGetValue("id", out var idEntry) && Pattern(idEntry.Value, "id", PlaybookSyntax.StepIdPattern) is { } stepId)
        {
            if (stepIds.Contains(stepId))
            {
                _file.Error(idEntry.Value, $"step id '{stepId}' is used twice in this playbook");
            }

            id = stepId;
        }

        var earlier = stepIds.ToList();
        var condition = entries.TryGetValue("if", out var c) ? ReadCondition(c.Value, "if", ConditionPlace.StepIf, earlier) : null;
        var timeout = entries.TryGetValue("timeout", out var t) ? _file.Duration(t.Value, "timeout") : null;
        var retry = entries.TryGetValue("retry", out var r) ? ReadRetry(r.Value) : null;
        var continueOnError = entries.TryGetValue("continue_on_error", out var ce) && _file.Boolean(ce.Value, "continue_on_error") == true;
        if (id is not null && !stepIds.Contains(id))
        {
            stepIds.Add(id);
        }

        if (known.Count == 0)
        {
            return null;
        }

        var (action, actionKey, actionValue) = known[0];
        var parameters = ReadParameters(action, actionKey, actionValue, earlier);
        var approval = action.Name == StepCatalog.Approve ? ReadApproval(parameters) : null;
        return new PlaybookStep
        {
            Id = id,
            Type = action.Name,
            Parameters = parameters,
            If = condition,
            Timeout = timeout,
            Retry = retry,
            ContinueOnError = continueOnError,
            Approval = approval,
            Location = _file.Location(map),
        };
    }

    private RetryPolicy? ReadRetry(YamlNode node)
    {
        if (node is not YamlMappingNode map)
        {
            _file.Error(node, "'retry' must be a map: { attempts: 3, backoff: 10s }");
            return null;
        }

        var entries = _file.Entries(map, PlaybookSyntax.StepKeys.Single(k => k.Name == "retry").Keys, "retry");
        var attempts = entries.TryGetValue("attempts", out var a) ? _file.Integer(a.Value, "attempts", 1) : null;
        var initial = RetryPolicy.DefaultInitialBackoff;
        var max = RetryPolicy.DefaultMaxBackoff;
        if (entries.TryGetValue("backoff", out var b))
        {
            if (b.Value is YamlMappingNode backoff)
            {
                var parts = _file.Entries(backoff, PlaybookSyntax.BackoffKeys, "backoff");
                initial = parts.TryGetValue("initial", out var i) ? _file.Duration(i.Value, "initial") ?? initial : initial;
                max = parts.TryGetValue("max", out var m) ? _file.Duration(m.Value, "max") ?? max : max;
                if (max < initial)
                {
                    _file.Error(backoff, "'backoff': 'max' is shorter than 'initial'");
                }
            }
            else
            {
                initial = _file.Duration(b.Value, "backoff") ?? initial;
                max = initial > max ? initial : max;
            }
        }

        return attempts is null ? null : new RetryPolicy(attempts.Value, initial, max);
    }

    private ParameterMap ReadParameters(StepDefinition action, YamlScalarNode key, YamlNode node, IReadOnlyList<string> earlierStepIds)
    {
        if (node is YamlScalarNode scalar && YamlFile.IsNull(scalar))
        {
            node = new YamlMappingNode();
        }

        if (node is not YamlMappingNode map)
        {
            _file.Error(node, $"the parameters of '{action.Name}' must be a map, for example: {action.Name}: {{ {string.Join(", ", action.Parameters.Where(p => p.Required).Select(p => p.Name + ": ..."))} }}");
            return new ParameterMap([], _file.Location(node));
        }

        var entries = _file.Entries(map, action.Parameters, $"'{action.Name}' step", action.AllowsOtherParameters);
        var values = new List<KeyValuePair<string, ParameterValue>>();
        foreach (var (name, (_, value)) in entries)
        {
            var spec = action.Parameters.FirstOrDefault(p => p.Name == name);
            if (spec is not null)
            {
                CheckParameterShape(spec, value);
            }

            if (name == "device" && value is YamlScalarNode { Value: { } device } && !PlaybookTemplate.HasMarkup(device) && !_inventory.Devices.ContainsKey(device))
            {
                _file.Error(value, $"unknown device '{device}'{Suggestions.DidYouMean(device, _inventory.Devices.Keys)} (devices are defined in {Inventory.FileName})");
            }

            values.Add(new(name, ReadParameter(value, earlierStepIds)));
        }

        return new ParameterMap(values, _file.Location(key));
    }

    private void CheckParameterShape(KeySpec spec, YamlNode value)
    {
        if (value is YamlScalarNode { Value: { } text } && PlaybookTemplate.HasMarkup(text))
        {
            return;
        }

        switch (spec.Shape)
        {
            case KeyShape.Duration:
                _file.Duration(value, spec.Name);
                break;
            case KeyShape.Enum:
                _file.Enum(value, spec);
                break;
            case KeyShape.WholeNumber:
                _file.Integer(value, spec.Name, spec.Minimum ?? int.MinValue);
                break;
            case KeyShape.Boolean:
                _file.Boolean(value, spec.Name);
                break;
            case KeyShape.TextList:
                _file.OneOrMany(value, spec.Name);
                break;
            case KeyShape.Text or KeyShape.Template:
                _file.Text(value, spec.Name);
                break;
        }
    }

    private ParameterValue ReadParameter(YamlNode node, IReadOnlyList<string> earlierStepIds)
    {
        switch (node)
        {
            case YamlScalarNode scalar:
                var text = YamlFile.IsNull(scalar) ? null : scalar.Value;
                return new ParameterScalar(text, text is not null && PlaybookTemplate.HasMarkup(text) ? ReadTemplate(scalar, text, earlierStepIds) : null, _file.Location(scalar));
            case YamlSequenceNode sequence:
                return new ParameterList(sequence.Children.Select(c => ReadParameter(c, earlierStepIds)).ToList(), _file.Location(sequence));
            case YamlMappingNode map:
                var entries = new List<KeyValuePair<string, ParameterValue>>();
                foreach (var (key, value) in map.Children)
                {
                    entries.Add(new((key as YamlScalarNode)?.Value ?? key.ToString(), ReadParameter(value, earlierStepIds)));
                }

                return new ParameterMap(entries, _file.Location(map));
            default:
                return new ParameterScalar(null, null, _file.Location(node));
        }
    }

    private PlaybookTemplate? ReadTemplate(YamlScalarNode scalar, string text, IReadOnlyList<string> earlierStepIds)
    {
        if (!PlaybookTemplate.TryParse(text, out var template, out var error, out var offset))
        {
            _file.ErrorInScalar(scalar, offset, $"template error: {error}");
            return null;
        }

        foreach (Match tag in TemplateTagRegex().Matches(text))
        {
            foreach (Match reference in TemplateReferenceRegex().Matches(tag.Value))
            {
                if (InQuotes(tag.Value, reference.Index))
                {
                    continue;
                }

                var root = reference.Groups[1].Value;
                var path = reference.Groups[2].Value;
                var at = tag.Index + reference.Groups[2].Index;
                if (root == "steps" && !earlierStepIds.Contains(path.Split('.')[0]))
                {
                    var name = path.Split('.')[0];
                    _file.ErrorInScalar(scalar, at, earlierStepIds.Count == 0
                        ? $"'steps.{name}' refers to no earlier step (give an earlier step 'id: {name}')"
                        : $"'steps.{name}' refers to no earlier step{Suggestions.DidYouMean(name, earlierStepIds)} (earlier step ids: {string.Join(", ", earlierStepIds)})");
                }
                else if (root == "event" && !IsEventPath(path))
                {
                    _file.ErrorInScalar(scalar, at - EventPrefix.Length, $"unknown event field 'event.{path}'{Suggestions.DidYouMean(EventPrefix + path, FieldNames)}");
                }
            }
        }

        return template;
    }

    // A field, a group of fields (event.source), or a vendor label (event.labels.X) is a valid path.
    private static bool IsEventPath(string path) =>
        EcsFields.TryGet(path, out _)
        || path == "labels"
        || path.StartsWith("labels.", StringComparison.Ordinal)
        || EcsFields.All.Any(f => f.Path.StartsWith(path + ".", StringComparison.Ordinal));

    private static ApprovalPolicy? ReadApproval(ParameterMap parameters)
    {
        var timeoutText = (parameters["timeout"] as ParameterScalar)?.Text;
        var defaultText = (parameters["default"] as ParameterScalar)?.Text;
        if (timeoutText is null || !Configuration.Durations.TryParse(timeoutText, out var timeout))
        {
            return null;
        }

        return new ApprovalPolicy(timeout, defaultText == "proceed" ? ApprovalDefault.Proceed : ApprovalDefault.Abort, (parameters["message"] as ParameterScalar)?.Text)
        {
            Approvers = parameters["approvers"] is ParameterList approvers ? [.. approvers.Items.OfType<ParameterScalar>().Select(a => a.Text ?? "")] : [],
        };
    }

    private static bool InQuotes(string text, int index)
    {
        char? quote = null;
        for (var i = 0; i < index; i++)
        {
            if (quote is null && text[i] is '\'' or '"')
            {
                quote = text[i];
            }
            else if (quote == text[i])
            {
                quote = null;
            }
        }

        return quote is not null;
    }


    [GeneratedRegex(@"\{\{.*?\}\}|\{%.*?%\}", RegexOptions.Singleline)]
    private static partial Regex TemplateTagRegex();

    [GeneratedRegex(@"(?<![\w.])(event|steps)\.([A-Za-z_@][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)")]
    private static partial Regex TemplateReferenceRegex();
}
