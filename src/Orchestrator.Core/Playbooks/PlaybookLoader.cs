using Orchestrator.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Orchestrator.Core.Playbooks;

/// <summary>What the loader accepts: the event kinds <c>on:</c> may name, the step types, and the condition checker.</summary>
public sealed record PlaybookLoaderOptions
{
    public IReadOnlySet<string> EventKinds { get; init; } = Events.EventKinds.All.ToHashSet(StringComparer.Ordinal);

    public StepCatalog Steps { get; init; } = StepCatalog.BuiltIn;

    /// <summary>Checks each <c>when</c> and <c>if</c>: the condition compiler unless a test replaces it; null accepts any text.</summary>
    public ConditionValidator? ValidateCondition { get; init; } = PlaybookConditions.Validate;
}

/// <summary>A playbook file's name as shown in messages, and its text.</summary>
public sealed record PlaybookSource(string File, string Text);

/// <summary>The result of loading a playbook folder: the valid playbooks, the inventory, and every error found.</summary>
public sealed class PlaybookSet
{
    public required IReadOnlyList<Playbook> Playbooks { get; init; }

    public required Inventory Inventory { get; init; }

    /// <summary>Every error, in file order then position.</summary>
    public required IReadOnlyList<PlaybookError> Errors { get; init; }

    /// <summary>Playbook files read (the inventory not counted).</summary>
    public required int FileCount { get; init; }

    /// <summary>Playbook documents found, valid or not.</summary>
    public required int PlaybookCount { get; init; }

    public bool IsValid => Errors.Count == 0;
}

/// <summary>
/// Loads playbooks from a folder: every <c>*.yaml</c>/<c>*.yml</c> file except <see cref="Inventory.FileName"/>,
/// each holding one playbook or several separated by <c>---</c>. All errors are collected, not only the first.
/// </summary>
public static class PlaybookLoader
{
    /// <summary>The playbook id of the runs a person starts by hand (<c>orchestrator contain</c>, <c>release</c>); no playbook may take it.</summary>
    public const string ReservedByHandId = "by-hand";

    /// <summary>Reads <paramref name="directory"/>; file names in errors are <paramref name="directory"/> joined with the file's name.</summary>
    public static PlaybookSet LoadDirectory(string directory, PlaybookLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
        {
            return new PlaybookSet
            {
                Playbooks = [],
                Inventory = Inventory.Empty,
                Errors = [new PlaybookError(directory, 1, 1, "the playbook folder does not exist")],
                FileCount = 0,
                PlaybookCount = 0,
            };
        }

        var files = Directory.EnumerateFiles(directory)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        var inventoryPath = files.FirstOrDefault(f => Path.GetFileName(f) == Inventory.FileName);
        var playbooks = files.Where(f => f != inventoryPath).Select(f => new PlaybookSource(f, File.ReadAllText(f))).ToList();
        var inventory = inventoryPath is null ? null : new PlaybookSource(inventoryPath, File.ReadAllText(inventoryPath));
        return Load(playbooks, inventory, options);
    }

    /// <summary>Reads playbook texts and an optional inventory text.</summary>
    public static PlaybookSet Load(IEnumerable<PlaybookSource> playbookFiles, PlaybookSource? inventoryFile, PlaybookLoaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(playbookFiles);
        options ??= new PlaybookLoaderOptions();
        var errors = new List<PlaybookError>();
        var inventory = inventoryFile is null
            ? Inventory.Empty
            : InventoryReader.Read(YamlFile.Parse(inventoryFile.File, inventoryFile.Text, errors));

        var playbooks = new List<Playbook>();
        var ids = new Dictionary<string, SourceLocation>(StringComparer.Ordinal);
        var fileCount = 0;
        var playbookCount = 0;
        foreach (var source in playbookFiles)
        {
            fileCount++;
            var file = YamlFile.Parse(source.File, source.Text, errors);
            var reader = new PlaybookReader(file, options, inventory);
            foreach (var document in file.Documents)
            {
                if (document.RootNode is YamlScalarNode empty && YamlFile.IsNull(empty))
                {
                    continue;
                }

                playbookCount++;
                if (document.RootNode is not YamlMappingNode map)
                {
                    file.Error(document.RootNode, "a playbook is a map starting with 'id:'; put several playbooks in one file as documents separated by '---'");
                    continue;
                }

                var playbook = reader.Read(map, out var id, out var idNode);
                if (id is not null && idNode is not null)
                {
                    if (id == ReservedByHandId)
                    {
                        file.Error(idNode, $"playbook id '{id}' is reserved for containments and releases made by hand; choose another id");
                        continue;
                    }

                    if (ids.TryGetValue(id, out var first))
                    {
                        file.Error(idNode, $"duplicate playbook id '{id}' (first defined at {first})");
                        continue;
                    }

                    ids[id] = file.Location(idNode);
                }

                if (playbook is not null)
                {
                    playbooks.Add(playbook);
                }
            }
        }

        return new PlaybookSet
        {
            Playbooks = playbooks,
            Inventory = inventory,
            Errors = InFileOrder(errors),
            FileCount = fileCount,
            PlaybookCount = playbookCount,
        };
    }

    // Errors are found key by key; an admin reads them top to bottom, file by file.
    private static List<PlaybookError> InFileOrder(List<PlaybookError> errors)
    {
        var fileOrder = errors.Select(e => e.File).Distinct().Select((f, i) => (f, i)).ToDictionary(x => x.f, x => x.i, StringComparer.Ordinal);
        return [.. errors.OrderBy(e => fileOrder[e.File]).ThenBy(e => e.Line).ThenBy(e => e.Column)];
    }
}
