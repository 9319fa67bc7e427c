using Microsoft.Data.Sqlite;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// Turns the term and context ids of stored records back into text on one connection, asking the
/// database once per id. Lives for one query or one retention step.
/// </summary>
internal sealed class StoredNames(SqliteConnection connection, SqliteTransaction? transaction = null)
{
    private readonly Dictionary<long, string> _terms = [];
    private readonly Dictionary<long, string> _contexts = [];

    public string Term(long id) => Lookup(_terms, "SELECT text FROM terms WHERE id = $id", id);

    public string Context(long id) => Lookup(_contexts, "SELECT text FROM contexts WHERE id = $id", id);

    private string Lookup(Dictionary<long, string> cache, string sql, long id)
    {
        if (cache.TryGetValue(id, out var text))
        {
            return text;
        }

        using var command = connection.CreateCommand();
        command.Transaction = transaction;
#pragma warning disable CA2100 // Constant statements from this class; the id is a parameter.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Parameters.AddWithValue("$id", id);
        text = command.ExecuteScalar() as string
            ?? throw new InvalidDataException($"a stored event names id {id} that is missing from its lookup table ({sql}); the database is damaged.");
        cache[id] = text;
        return text;
    }
}
