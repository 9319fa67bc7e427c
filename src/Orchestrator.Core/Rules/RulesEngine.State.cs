using System.Text;

namespace Orchestrator.Core.Rules;

public sealed partial class RulesEngine
{
    // Format 1: checkpoint, then per rule its id, watermark and groups (key, newest, last decision,
    // window entries as id, ticks and distinct value). Integers are 7-bit encoded; a few bytes per entry.
    private const int StateFormat = 1;

    /// <summary>Serialises the checkpoint and every rule's windows compactly, for <see cref="IRuleStateStore"/>.</summary>
    public RuleStateSnapshot SaveState()
    {
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write7BitEncodedInt(StateFormat);
            writer.Write7BitEncodedInt64(Checkpoint);
            writer.Write7BitEncodedInt(_rules.Length);
            foreach (var rule in _rules)
            {
                writer.Write(rule.Rule.Id);
                writer.Write(rule.WatermarkTicks);
                var groups = rule.KeepsGroups
                    ? rule.Index.Groups.Where(g => g.Value[rule.Slot].InUse).Select(g => (g.Key, g.Value[rule.Slot])).ToList()
                    : [];
                writer.Write7BitEncodedInt(groups.Count);
                foreach (var (key, group) in groups)
                {
                    writer.Write(key);
                    writer.Write(group.NewestTicks);
                    writer.Write(group.LastDecisionTicks);
                    writer.Write7BitEncodedInt(group.Count);
                    foreach (var entry in group.Entries)
                    {
                        writer.Write7BitEncodedInt64(entry.Id);
                        writer.Write(entry.Ticks);
                        writer.Write(entry.Distinct is not null);
                        if (entry.Distinct is not null)
                        {
                            writer.Write(entry.Distinct);
                        }
                    }
                }
            }
        }

        return new RuleStateSnapshot(Checkpoint, buffer.ToArray());
    }

    /// <summary>
    /// Replaces the engine's state with a saved one. Rules that no longer exist are skipped; rules
    /// added since start empty. Throws when the bytes are not a state this build wrote.
    /// </summary>
    public void RestoreState(RuleStateSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var byId = _rules.ToDictionary(r => r.Rule.Id, StringComparer.Ordinal);
        foreach (var rule in _rules)
        {
            rule.WatermarkTicks = long.MinValue;
        }

        foreach (var index in _indexes)
        {
            index.Clear();
        }

        using var reader = new BinaryReader(new MemoryStream(snapshot.State, writable: false), Encoding.UTF8);
        try
        {
            var format = reader.Read7BitEncodedInt();
            if (format != StateFormat)
            {
                throw new InvalidDataException($"rule state format {format} is not known to this build (expected {StateFormat}); delete the saved rule state or run a newer Orchestrator.");
            }

            var checkpoint = reader.Read7BitEncodedInt64();
            var rules = reader.Read7BitEncodedInt();
            for (var r = 0; r < rules; r++)
            {
                var id = reader.ReadString();
                var watermark = reader.ReadInt64();
                var live = byId.GetValueOrDefault(id);
                live?.WatermarkTicks = watermark;
                var groups = reader.Read7BitEncodedInt();
                for (var g = 0; g < groups; g++)
                {
                    var key = reader.ReadString();
                    var group = new GroupSlot { NewestTicks = reader.ReadInt64(), LastDecisionTicks = reader.ReadInt64() };
                    var entries = reader.Read7BitEncodedInt();
                    var loaded = new WindowEntry[Math.Max(4, entries)];
                    for (var e = 0; e < entries; e++)
                    {
                        var entryId = reader.Read7BitEncodedInt64();
                        var ticks = reader.ReadInt64();
                        var distinct = reader.ReadBoolean() ? reader.ReadString() : null;
                        loaded[e] = new WindowEntry(entryId, ticks, distinct);
                    }

                    group.Load(loaded, entries);
                    if (live is { KeepsGroups: true })
                    {
                        live.Index.Restore(key, live.Slot, group);
                    }
                }
            }

            SetCheckpoint(checkpoint);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("saved rule state is truncated; delete it to start the rules with empty windows.", e);
        }
    }
}
