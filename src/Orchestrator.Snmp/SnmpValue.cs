using System.Globalization;
using System.Net;
using System.Text;
using Orchestrator.Snmp.Ber;

namespace Orchestrator.Snmp;

/// <summary>A variable binding's value: one of the <see cref="SnmpValueKind"/> kinds, immutable.</summary>
public sealed class SnmpValue : IEquatable<SnmpValue>
{
    private readonly ulong number;
    private readonly byte[]? bytes;
    private readonly Oid? oid;

    private SnmpValue(SnmpValueKind kind, ulong number = 0, byte[]? bytes = null, Oid? oid = null)
    {
        Kind = kind;
        this.number = number;
        this.bytes = bytes;
        this.oid = oid;
    }

    /// <summary>The NULL placed in a request's variable bindings.</summary>
    public static SnmpValue Null { get; } = new(SnmpValueKind.Null);

    public static SnmpValue NoSuchObject { get; } = new(SnmpValueKind.NoSuchObject);

    public static SnmpValue NoSuchInstance { get; } = new(SnmpValueKind.NoSuchInstance);

    public static SnmpValue EndOfMibView { get; } = new(SnmpValueKind.EndOfMibView);

    public SnmpValueKind Kind { get; }

    /// <summary>True for noSuchObject, noSuchInstance and endOfMibView, which report a failure rather than carry a value.</summary>
    public bool IsException => Kind is SnmpValueKind.NoSuchObject or SnmpValueKind.NoSuchInstance or SnmpValueKind.EndOfMibView;

    public static SnmpValue FromInt32(int value) => new(SnmpValueKind.Integer32, unchecked((ulong)value));

    public static SnmpValue FromOctetString(ReadOnlySpan<byte> value) => new(SnmpValueKind.OctetString, bytes: value.ToArray());

    /// <summary>An OCTET STRING holding UTF-8 text, as DisplayString objects such as sysContact.0 do.</summary>
    public static SnmpValue FromText(string value) => new(SnmpValueKind.OctetString, bytes: Encoding.UTF8.GetBytes(value));

    public static SnmpValue FromOid(Oid value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(SnmpValueKind.ObjectIdentifier, oid: value);
    }

    public static SnmpValue FromIpAddress(IPAddress value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new ArgumentException("IpAddress (RFC 2578) holds IPv4 addresses only.", nameof(value));
        }

        return new(SnmpValueKind.IpAddress, bytes: value.GetAddressBytes());
    }

    public static SnmpValue FromCounter32(uint value) => new(SnmpValueKind.Counter32, value);

    public static SnmpValue FromGauge32(uint value) => new(SnmpValueKind.Gauge32, value);

    public static SnmpValue FromTimeTicks(uint value) => new(SnmpValueKind.TimeTicks, value);

    public static SnmpValue FromOpaque(ReadOnlySpan<byte> value) => new(SnmpValueKind.Opaque, bytes: value.ToArray());

    public static SnmpValue FromCounter64(ulong value) => new(SnmpValueKind.Counter64, value);

    public int AsInt32() => Kind == SnmpValueKind.Integer32 ? unchecked((int)number) : throw WrongKind("an Integer32");

    /// <summary>Counter32, Gauge32 or TimeTicks.</summary>
    public uint AsUInt32() =>
        Kind is SnmpValueKind.Counter32 or SnmpValueKind.Gauge32 or SnmpValueKind.TimeTicks ? (uint)number : throw WrongKind("a Counter32, Gauge32 or TimeTicks");

    /// <summary>Counter64, or any of the unsigned 32-bit kinds widened.</summary>
    public ulong AsUInt64() =>
        Kind is SnmpValueKind.Counter64 or SnmpValueKind.Counter32 or SnmpValueKind.Gauge32 or SnmpValueKind.TimeTicks ? number : throw WrongKind("a Counter64");

    /// <summary>The raw octets of an OctetString, Opaque or IpAddress.</summary>
    public ReadOnlyMemory<byte> AsBytes() => bytes ?? throw WrongKind("an OctetString, Opaque or IpAddress");

    /// <summary>An OctetString decoded as UTF-8 text.</summary>
    public string AsText() => Kind == SnmpValueKind.OctetString ? Encoding.UTF8.GetString(bytes!) : throw WrongKind("an OctetString");

    public Oid AsOid() => oid ?? throw WrongKind("an ObjectIdentifier");

    public IPAddress AsIpAddress() => Kind == SnmpValueKind.IpAddress ? new IPAddress(bytes!) : throw WrongKind("an IpAddress");

    public bool Equals(SnmpValue? other) =>
        other is not null
        && Kind == other.Kind
        && number == other.number
        && oid == other.oid
        && (bytes is null ? other.bytes is null : other.bytes is not null && bytes.AsSpan().SequenceEqual(other.bytes));

    public override bool Equals(object? obj) => obj is SnmpValue other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Kind, number, oid, bytes?.Length);

    public override string ToString() => Kind switch
    {
        SnmpValueKind.Integer32 => AsInt32().ToString(CultureInfo.InvariantCulture),
        SnmpValueKind.OctetString when bytes!.All(b => b is >= 0x20 and < 0x7F or (byte)'\r' or (byte)'\n' or (byte)'\t') => Encoding.ASCII.GetString(bytes!),
        SnmpValueKind.OctetString or SnmpValueKind.Opaque => Convert.ToHexString(bytes!),
        SnmpValueKind.ObjectIdentifier => oid!.ToString(),
        SnmpValueKind.IpAddress => AsIpAddress().ToString(),
        SnmpValueKind.Counter32 or SnmpValueKind.Gauge32 or SnmpValueKind.TimeTicks or SnmpValueKind.Counter64 => number.ToString(CultureInfo.InvariantCulture),
        _ => Kind.ToString(),
    };

    internal void Write(BerWriter writer)
    {
        switch (Kind)
        {
            case SnmpValueKind.Integer32: writer.WriteInteger(BerTag.Integer, unchecked((int)number)); break;
            case SnmpValueKind.OctetString: writer.WritePrimitive(BerTag.OctetString, bytes); break;
            case SnmpValueKind.Null: writer.WriteNull(BerTag.Null); break;
            case SnmpValueKind.ObjectIdentifier: writer.WriteOid(oid!); break;
            case SnmpValueKind.IpAddress: writer.WritePrimitive(BerTag.IpAddress, bytes); break;
            case SnmpValueKind.Counter32: writer.WriteUnsigned(BerTag.Counter32, number); break;
            case SnmpValueKind.Gauge32: writer.WriteUnsigned(BerTag.Gauge32, number); break;
            case SnmpValueKind.TimeTicks: writer.WriteUnsigned(BerTag.TimeTicks, number); break;
            case SnmpValueKind.Opaque: writer.WritePrimitive(BerTag.Opaque, bytes); break;
            case SnmpValueKind.Counter64: writer.WriteUnsigned(BerTag.Counter64, number); break;
            case SnmpValueKind.NoSuchObject: writer.WriteNull(BerTag.NoSuchObject); break;
            case SnmpValueKind.NoSuchInstance: writer.WriteNull(BerTag.NoSuchInstance); break;
            case SnmpValueKind.EndOfMibView: writer.WriteNull(BerTag.EndOfMibView); break;
            default: throw new InvalidOperationException($"unknown value kind {Kind}");
        }
    }

    internal static SnmpValue Read(ref BerReader reader)
    {
        int offset = reader.Position;
        byte tag = reader.PeekTag();
        switch (tag)
        {
            case BerTag.Integer: return FromInt32(reader.ReadInt32("INTEGER value"));
            case BerTag.OctetString: return new(SnmpValueKind.OctetString, bytes: reader.ReadPrimitive(tag, "OCTET STRING value", out _).ToArray());
            case BerTag.Null: reader.ReadNull(tag, "NULL value"); return Null;
            case BerTag.ObjectIdentifier: return FromOid(reader.ReadOid("OBJECT IDENTIFIER value"));
            case BerTag.IpAddress:
                ReadOnlySpan<byte> address = reader.ReadPrimitive(tag, "IpAddress value", out int addressOffset);
                if (address.Length != 4)
                {
                    throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"IpAddress value must be 4 octets, has {address.Length}"), addressOffset);
                }

                return new(SnmpValueKind.IpAddress, bytes: address.ToArray());
            case BerTag.Counter32: return FromCounter32(reader.ReadUInt32(tag, "Counter32 value"));
            case BerTag.Gauge32: return FromGauge32(reader.ReadUInt32(tag, "Gauge32 value"));
            case BerTag.TimeTicks: return FromTimeTicks(reader.ReadUInt32(tag, "TimeTicks value"));
            case BerTag.Opaque: return new(SnmpValueKind.Opaque, bytes: reader.ReadPrimitive(tag, "Opaque value", out _).ToArray());
            case BerTag.Counter64: return FromCounter64(reader.ReadUInt64(tag, "Counter64 value"));
            case BerTag.NoSuchObject: reader.ReadNull(tag, "noSuchObject"); return NoSuchObject;
            case BerTag.NoSuchInstance: reader.ReadNull(tag, "noSuchInstance"); return NoSuchInstance;
            case BerTag.EndOfMibView: reader.ReadNull(tag, "endOfMibView"); return EndOfMibView;
            default:
                throw new SnmpDecodeException(string.Create(CultureInfo.InvariantCulture, $"unsupported value tag 0x{tag:x2}"), offset);
        }
    }

    private InvalidOperationException WrongKind(string wanted) => new($"the value is {Kind}, not {wanted}.");
}
