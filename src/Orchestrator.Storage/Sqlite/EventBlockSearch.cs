using System.Buffers;
using System.Net;
using System.Text;
using Microsoft.Data.Sqlite;
using Orchestrator.Core.Ingestion;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// Reads events out of <c>event_blocks</c>. A query walks the blocks of its time range newest
/// block first, skips a block whose key filter rules the query out, decodes the rest and keeps the
/// newest matches; it stops once no older block can hold anything newer than what it has.
/// </summary>
internal static class EventBlockSearch
{
    public static List<StoredRecord> Newest(SqliteConnection connection, SqliteTransaction transaction, EventQuery query, CancellationToken cancellationToken)
    {
        var limit = Math.Clamp(query.Limit, 1, EventQuery.MaxLimit);
        if (!RecordFilter.TryCreate(connection, transaction, query, out var filter))
        {
            return [];
        }

        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT first_id, ts_max, filter, payload_bytes, payload FROM event_blocks
            WHERE ts_max >= $from AND ts_min < $to
            ORDER BY ts_max DESC, first_id DESC
            """;
        command.Parameters.AddWithValue("$from", query.From?.ToUnixTimeMilliseconds() ?? long.MinValue);
        command.Parameters.AddWithValue("$to", query.To?.ToUnixTimeMilliseconds() ?? long.MaxValue);

        // A min-heap of the best so far: its top is the one a newer match pushes out.
        var best = new PriorityQueue<StoredRecord, (long TimestampMs, long Id)>(Math.Min(limit, 1024));
        using (var rows = command.ExecuteReader())
        {
            while (rows.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var newestInBlock = rows.GetInt64(1);
                if (best.Count == limit && best.TryPeek(out _, out var worst) && newestInBlock < worst.TimestampMs)
                {
                    break;
                }

                if (!filter.BlockMayMatch(rows.GetFieldValue<byte[]>(2)))
                {
                    continue;
                }

                ForEachRecord(rows, firstIdColumn: 0, bytesColumn: 3, payloadColumn: 4, (ref EventBlockReader record) =>
                {
                    if (!filter.Matches(ref record))
                    {
                        return true;
                    }

                    var key = (record.TimestampMs, record.Id);
                    if (best.Count < limit)
                    {
                        best.Enqueue(record.ToRecord(), key);
                    }
                    else if (best.TryPeek(out _, out var worst) && key.CompareTo(worst) > 0)
                    {
                        best.DequeueEnqueue(record.ToRecord(), key);
                    }

                    return true;
                });
            }
        }

        var newestFirst = new List<StoredRecord>(best.Count);
        while (best.TryDequeue(out var record, out _))
        {
            newestFirst.Add(record);
        }

        newestFirst.Reverse();
        return newestFirst;
    }

    /// <summary>
    /// Every record that matches <paramref name="query"/> (its limit ignored), block by block in id
    /// order, handed to <paramref name="visit"/> one at a time so a long window never sits in memory.
    /// </summary>
    public static void Scan(SqliteConnection connection, SqliteTransaction transaction, EventQuery query, Action<StoredRecord> visit, CancellationToken cancellationToken)
    {
        if (!RecordFilter.TryCreate(connection, transaction, query, out var filter))
        {
            return;
        }

        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT first_id, filter, payload_bytes, payload FROM event_blocks
            WHERE ts_max >= $from AND ts_min < $to
            ORDER BY first_id
            """;
        command.Parameters.AddWithValue("$from", query.From?.ToUnixTimeMilliseconds() ?? long.MinValue);
        command.Parameters.AddWithValue("$to", query.To?.ToUnixTimeMilliseconds() ?? long.MaxValue);
        using var rows = command.ExecuteReader();
        while (rows.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!filter.BlockMayMatch(rows.GetFieldValue<byte[]>(1)))
            {
                continue;
            }

            ForEachRecord(rows, firstIdColumn: 0, bytesColumn: 2, payloadColumn: 3, (ref EventBlockReader record) =>
            {
                if (filter.Matches(ref record))
                {
                    visit(record.ToRecord());
                }

                return true;
            });
        }
    }

    public static StoredRecord? Get(SqliteConnection connection, SqliteTransaction transaction, long id)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT first_id, payload_bytes, payload FROM event_blocks
            WHERE first_id <= $id AND last_id >= $id ORDER BY first_id DESC LIMIT 1
            """;
        command.Parameters.AddWithValue("$id", id);
        using var rows = command.ExecuteReader();
        StoredRecord? found = null;
        if (rows.Read())
        {
            ForEachRecord(rows, firstIdColumn: 0, bytesColumn: 1, payloadColumn: 2, (ref EventBlockReader record) =>
            {
                if (record.Id != id)
                {
                    return true;
                }

                found = record.ToRecord();
                return false;
            });
        }

        return found;
    }

    /// <summary>Records with an id above <paramref name="afterId"/>, lowest id first; stops at the end of the block that reaches <paramref name="limit"/>.</summary>
    public static List<StoredRecord> After(SqliteConnection connection, SqliteTransaction transaction, long afterId, int limit, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT first_id, payload_bytes, payload FROM event_blocks
            WHERE last_id > $after ORDER BY first_id
            """;
        command.Parameters.AddWithValue("$after", afterId);
        var records = new List<StoredRecord>();
        using var rows = command.ExecuteReader();
        while (records.Count < limit && rows.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            ForEachRecord(rows, firstIdColumn: 0, bytesColumn: 1, payloadColumn: 2, (ref EventBlockReader record) =>
            {
                if (record.Id > afterId)
                {
                    records.Add(record.ToRecord());
                }

                return true;
            });
        }

        return records;
    }

    /// <summary>Decodes every record of a block (retention keeps some of them).</summary>
    public static List<StoredRecord> All(SqliteDataReader row, int firstIdColumn, int bytesColumn, int payloadColumn)
    {
        var records = new List<StoredRecord>();
        ForEachRecord(row, firstIdColumn, bytesColumn, payloadColumn, (ref EventBlockReader record) =>
        {
            records.Add(record.ToRecord());
            return true;
        });
        return records;
    }

    /// <summary>Called for each record; returns false to stop.</summary>
    private delegate bool RecordVisitor(ref EventBlockReader record);

    private static void ForEachRecord(SqliteDataReader row, int firstIdColumn, int bytesColumn, int payloadColumn, RecordVisitor visit)
    {
        var uncompressed = row.GetInt32(bytesColumn);
        var compressed = (int)row.GetBytes(payloadColumn, 0, null, 0, 0);
        var payload = ArrayPool<byte>.Shared.Rent(compressed);
        var records = ArrayPool<byte>.Shared.Rent(uncompressed);
        try
        {
            row.GetBytes(payloadColumn, 0, payload, 0, compressed);
            var reader = new EventBlockReader(EventBlockBuilder.Decompress(payload.AsSpan(0, compressed), uncompressed, records), row.GetInt64(firstIdColumn));
            while (reader.ReadNext() && visit(ref reader))
            {
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
            ArrayPool<byte>.Shared.Return(records);
        }
    }

    /// <summary>A query's conditions, checked first against a block's key filter and then per record.</summary>
    private sealed class RecordFilter
    {
        private long? _kind;
        private ulong? _kindKey;
        private string? _host;
        private byte[]? _hostUtf8;
        private ulong _hostNameKey;
        private byte[]? _hostIp;
        private ulong _hostIpKey;
        private byte[]? _sourceIp;
        private ulong _sourceIpKey;
        private long _fromMs = long.MinValue;
        private long _toMs = long.MaxValue;

        /// <summary>False when the query cannot match anything stored (an unknown kind).</summary>
        public static bool TryCreate(SqliteConnection connection, SqliteTransaction transaction, EventQuery query, out RecordFilter filter)
        {
            filter = new RecordFilter
            {
                _fromMs = query.From?.ToUnixTimeMilliseconds() ?? long.MinValue,
                _toMs = query.To?.ToUnixTimeMilliseconds() ?? long.MaxValue,
            };

            if (query.Kind is not null)
            {
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = "SELECT id FROM terms WHERE text = $kind";
                command.Parameters.AddWithValue("$kind", query.Kind);
                if (command.ExecuteScalar() is not long kind)
                {
                    return false;
                }

                filter._kind = kind;
                filter._kindKey = BlockKeyFilter.KindKey(query.Kind);
            }

            if (query.Host is not null)
            {
                filter._host = query.Host;
                filter._hostUtf8 = Encoding.UTF8.GetBytes(query.Host);
                filter._hostNameKey = BlockKeyFilter.HostNameKey(query.Host);
                if (IPAddress.TryParse(query.Host, out var hostIp))
                {
                    filter._hostIp = AddressBytes(hostIp);
                    filter._hostIpKey = BlockKeyFilter.HostIpKey(filter._hostIp);
                }
            }

            if (query.SourceIp is not null)
            {
                filter._sourceIp = AddressBytes(query.SourceIp);
                filter._sourceIpKey = BlockKeyFilter.SourceIpKey(filter._sourceIp);
            }

            return true;
        }

        public bool BlockMayMatch(ReadOnlySpan<byte> keys) =>
            (_kindKey is not { } kind || BlockKeyFilter.MayContain(keys, kind))
            && (_host is null || BlockKeyFilter.MayContain(keys, _hostNameKey) || (_hostIp is not null && BlockKeyFilter.MayContain(keys, _hostIpKey)))
            && (_sourceIp is null || BlockKeyFilter.MayContain(keys, _sourceIpKey));

        public bool Matches(ref EventBlockReader record) =>
            record.TimestampMs >= _fromMs
            && record.TimestampMs < _toMs
            && (_kind is not { } kind || record.Codes.Kind == kind)
            && (_host is null || (record.HasHostName && NameEquals(record.HostName)) || (_hostIp is not null && record.HostIp.SequenceEqual(_hostIp)))
            && (_sourceIp is null || record.SourceIp.SequenceEqual(_sourceIp));

        private bool NameEquals(ReadOnlySpan<byte> name) =>
            Ascii.IsValid(name) && Ascii.IsValid(_hostUtf8!)
                ? Ascii.EqualsIgnoreCase(name, _hostUtf8!)
                : string.Equals(Encoding.UTF8.GetString(name), _host, StringComparison.OrdinalIgnoreCase);

        private static byte[] AddressBytes(IPAddress address)
        {
            Span<byte> bytes = stackalloc byte[16];
            return bytes[..BlockKeyFilter.AddressBytes(address, bytes)].ToArray();
        }
    }
}
