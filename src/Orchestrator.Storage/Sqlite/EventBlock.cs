using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Text;
using K4os.Compression.LZ4;

namespace Orchestrator.Storage.Sqlite;

/// <summary>
/// The codes of one event's stored columns as the block builder takes them: term ids for kind,
/// format and listener, a context id (0 = none).
/// </summary>
internal readonly record struct RecordCodes(long Kind, long Format, long Listener, long Context);

/// <summary>
/// Builds one row of <c>event_blocks</c>: the events of a commit as a run of records, compressed
/// with LZ4, with the block's id and time range and the key filter. Reused from block to block.
/// <para>Record layout: varint id offset from the block's first id; int64 @timestamp (Unix ms);
/// int64 receive time (100 ns ticks since the epoch); varints kind, format, listener, context;
/// host name (varint length + 1, 0 = absent, UTF-8); host IP and source IP (one length byte 0, 4
/// or 16, then the address); the original line (int32 length, UTF-8).</para>
/// </summary>
internal sealed class EventBlockBuilder
{
    private readonly ArrayBufferWriter<byte> _records = new(1 << 16);
    private readonly BlockKeyFilter _filter = new();
    private byte[] _compressed = [];
    private long? _fixedFirstId;

    /// <summary>The block's key: the id the records' id offsets count from.</summary>
    public long FirstId { get; private set; }

    public long LastId { get; private set; }

    public int Count { get; private set; }

    public long MinTimestampMs { get; private set; }

    public long MaxTimestampMs { get; private set; }

    public int UncompressedBytes => _records.WrittenCount;

    /// <summary>Empties the builder; with <paramref name="firstId"/> the block keeps that id as its key (a rewrite).</summary>
    public void Clear(long? firstId = null)
    {
        _records.ResetWrittenCount();
        _filter.Clear();
        Count = 0;
        _fixedFirstId = firstId;
        FirstId = LastId = firstId ?? 0;
    }

    /// <summary>Adds one event; ids must grow within a block and the first sets the block's id.</summary>
    public void Add(long id, long timestampMs, long ingestedTicks, RecordCodes codes, string kind, string? hostName, IPAddress? hostIp, IPAddress? sourceIp, string original)
    {
        if (Count == 0)
        {
            FirstId = _fixedFirstId ?? id;
            MinTimestampMs = MaxTimestampMs = timestampMs;
        }

        if (id < FirstId || (Count > 0 && id <= LastId))
        {
            throw new ArgumentOutOfRangeException(nameof(id), id, $"event ids must grow within a block (last {LastId}).");
        }

        LastId = id;
        Count++;
        MinTimestampMs = Math.Min(MinTimestampMs, timestampMs);
        MaxTimestampMs = Math.Max(MaxTimestampMs, timestampMs);

        var span = _records.GetSpan(64);
        var at = WriteVarint(span, (ulong)(id - FirstId));
        BinaryPrimitives.WriteInt64LittleEndian(span[at..], timestampMs);
        BinaryPrimitives.WriteInt64LittleEndian(span[(at + 8)..], ingestedTicks);
        at += 16;
        at += WriteVarint(span[at..], (ulong)codes.Kind);
        at += WriteVarint(span[at..], (ulong)codes.Format);
        at += WriteVarint(span[at..], (ulong)codes.Listener);
        at += WriteVarint(span[at..], (ulong)codes.Context);
        _records.Advance(at);

        _filter.Add(BlockKeyFilter.KindKey(kind));
        WriteHostName(hostName);
        WriteAddress(hostIp, isSource: false);
        WriteAddress(sourceIp, isSource: true);

        var max = Encoding.UTF8.GetMaxByteCount(original.Length);
        span = _records.GetSpan(4 + max);
        var length = Encoding.UTF8.GetBytes(original, span[4..]);
        BinaryPrimitives.WriteInt32LittleEndian(span, length);
        _records.Advance(4 + length);
    }

    /// <summary>Appends every record of a stored block, keeping ids (retention keeps part of a block this way).</summary>
    public void Add(StoredRecord record, Func<long, string> kindText) =>
        Add(record.Id, record.TimestampMs, record.IngestedTicks, record.Codes, kindText(record.Codes.Kind),
            record.HostName, record.HostIp, record.SourceIp, record.Original);

    public byte[] BuildFilter() => _filter.Build();

    /// <summary>The LZ4-compressed records; valid until the next call.</summary>
    public ReadOnlySpan<byte> Compress()
    {
        var written = _records.WrittenSpan;
        var bound = LZ4Codec.MaximumOutputSize(written.Length);
        if (_compressed.Length < bound)
        {
            _compressed = new byte[Math.Max(bound, _compressed.Length * 2)];
        }

        var length = LZ4Codec.Encode(written, _compressed, LZ4Level.L00_FAST);
        return length < 0 ? throw new InvalidOperationException("LZ4 could not compress the block") : _compressed.AsSpan(0, length);
    }

    private void WriteHostName(string? name)
    {
        if (name is null)
        {
            WriteVarint(0);
            return;
        }

        _filter.Add(BlockKeyFilter.HostNameKey(name));
        var max = Encoding.UTF8.GetMaxByteCount(name.Length);
        var span = _records.GetSpan(10 + max);
        var length = Encoding.UTF8.GetBytes(name, span[10..]);
        var prefix = WriteVarint(span, (ulong)length + 1);
        if (prefix != 10)
        {
            span.Slice(10, length).CopyTo(span[prefix..]);
        }

        _records.Advance(prefix + length);
    }

    private void WriteAddress(IPAddress? address, bool isSource)
    {
        var span = _records.GetSpan(17);
        if (address is null)
        {
            span[0] = 0;
            _records.Advance(1);
            return;
        }

        var length = BlockKeyFilter.AddressBytes(address, span[1..]);
        span[0] = (byte)length;
        var bytes = span.Slice(1, length);
        _filter.Add(isSource ? BlockKeyFilter.SourceIpKey(bytes) : BlockKeyFilter.HostIpKey(bytes));
        _records.Advance(1 + length);
    }

    private void WriteVarint(ulong value) => _records.Advance(WriteVarint(_records.GetSpan(10), value));

    private static int WriteVarint(Span<byte> destination, ulong value)
    {
        var at = 0;
        while (value >= 0x80)
        {
            destination[at++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[at++] = (byte)value;
        return at;
    }

    /// <summary>Decompresses a stored payload into <paramref name="destination"/> (at least its uncompressed length).</summary>
    public static ReadOnlySpan<byte> Decompress(ReadOnlySpan<byte> payload, int uncompressedBytes, byte[] destination)
    {
        var length = LZ4Codec.Decode(payload, destination.AsSpan(0, uncompressedBytes));
        return length != uncompressedBytes
            ? throw new InvalidDataException($"a stored event block decompressed to {length} bytes, expected {uncompressedBytes}; the database is damaged.")
            : destination.AsSpan(0, uncompressedBytes);
    }
}

/// <summary>One event as stored in a block, decoded (query results and retention rewrites).</summary>
internal sealed record StoredRecord(
    long Id,
    long TimestampMs,
    long IngestedTicks,
    RecordCodes Codes,
    string? HostName,
    IPAddress? HostIp,
    IPAddress? SourceIp,
    string Original);

/// <summary>
/// Walks the records of a decompressed block without allocating; <see cref="ReadNext"/> moves to
/// the next record and the properties describe it. Hosts and addresses stay raw bytes so filters can
/// compare them without decoding; <see cref="ToRecord"/> decodes the current one.
/// </summary>
internal ref struct EventBlockReader
{
    private readonly ReadOnlySpan<byte> _records;
    private readonly long _firstId;
    private int _at;

    public EventBlockReader(ReadOnlySpan<byte> records, long firstId)
    {
        _records = records;
        _firstId = firstId;
    }

    public long Id { get; private set; }

    public long TimestampMs { get; private set; }

    public long IngestedTicks { get; private set; }

    public RecordCodes Codes { get; private set; }

    /// <summary>UTF-8 host name; <see cref="HasHostName"/> tells an empty name from none.</summary>
    public ReadOnlySpan<byte> HostName { get; private set; }

    public bool HasHostName { get; private set; }

    public ReadOnlySpan<byte> HostIp { get; private set; }

    public ReadOnlySpan<byte> SourceIp { get; private set; }

    public ReadOnlySpan<byte> Original { get; private set; }

    public bool ReadNext()
    {
        if (_at >= _records.Length)
        {
            return false;
        }

        try
        {
            Id = _firstId + (long)ReadVarint();
            TimestampMs = BinaryPrimitives.ReadInt64LittleEndian(_records[_at..]);
            IngestedTicks = BinaryPrimitives.ReadInt64LittleEndian(_records[(_at + 8)..]);
            _at += 16;
            Codes = new RecordCodes((long)ReadVarint(), (long)ReadVarint(), (long)ReadVarint(), (long)ReadVarint());
            var hostLength = (int)ReadVarint();
            HasHostName = hostLength > 0;
            HostName = hostLength > 0 ? Take(hostLength - 1) : default;
            HostIp = Take(_records[_at++]);
            SourceIp = Take(_records[_at++]);
            var originalLength = BinaryPrimitives.ReadInt32LittleEndian(_records[_at..]);
            _at += 4;
            Original = Take(originalLength);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentOutOfRangeException or IndexOutOfRangeException)
        {
            throw new InvalidDataException($"a stored event block is cut short after event {Id}; the database is damaged.", ex);
        }
    }

    public readonly StoredRecord ToRecord() => new(
        Id,
        TimestampMs,
        IngestedTicks,
        Codes,
        HasHostName ? Encoding.UTF8.GetString(HostName) : null,
        HostIp.IsEmpty ? null : new IPAddress(HostIp),
        SourceIp.IsEmpty ? null : new IPAddress(SourceIp),
        Encoding.UTF8.GetString(Original));

    private ReadOnlySpan<byte> Take(int length)
    {
        var taken = _records.Slice(_at, length);
        _at += length;
        return taken;
    }

    private ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = _records[_at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("a stored event block holds a malformed number; the database is damaged.");
    }
}
