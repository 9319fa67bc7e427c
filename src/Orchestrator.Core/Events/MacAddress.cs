using System.Globalization;

namespace Orchestrator.Core.Events;

/// <summary>A 48-bit MAC address, parsed from any common spelling and printed as aa:bb:cc:dd:ee:ff.</summary>
public readonly record struct MacAddress
{
    private readonly ulong _value;

    private MacAddress(ulong value) => _value = value;

    /// <summary>The address as a 48-bit number, most significant octet first.</summary>
    public ulong Value => _value;

    /// <summary>Creates an address from its 48-bit value.</summary>
    public static MacAddress FromValue(ulong value)
    {
        if (value > 0xFFFF_FFFF_FFFFUL)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "a MAC address has 48 bits");
        }

        return new MacAddress(value);
    }

    /// <summary>
    /// Accepts aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff, aabb.ccdd.eeff (Cisco) and aabbccddeeff,
    /// in either case. Anything else (wrong length, stray characters, mixed separators) is refused.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, out MacAddress mac)
    {
        mac = default;
        text = text.Trim();
        Span<char> hex = stackalloc char[12];
        var count = 0;
        char separator = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiHexDigit(c))
            {
                if (count == 12)
                {
                    return false;
                }

                hex[count++] = c;
            }
            else if (c is ':' or '-' or '.')
            {
                if (separator != '\0' && separator != c)
                {
                    return false;
                }

                separator = c;
            }
            else
            {
                return false;
            }
        }

        if (count != 12 || !SeparatorsWellPlaced(text, separator))
        {
            return false;
        }

        mac = new MacAddress(ulong.Parse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        return true;
    }

    /// <summary>Parses or throws <see cref="FormatException"/> naming the text.</summary>
    public static MacAddress Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var mac) ? mac : throw new FormatException($"'{text}' is not a MAC address");
    }

    private static bool SeparatorsWellPlaced(ReadOnlySpan<char> text, char separator) => separator switch
    {
        '\0' => text.Length == 12,
        '.' => text.Length == 14 && text[4] == '.' && text[9] == '.',
        _ => text.Length == 17 && text[2] == separator && text[5] == separator && text[8] == separator
             && text[11] == separator && text[14] == separator,
    };

    /// <summary>The six octets, most significant first.</summary>
    public byte[] GetBytes()
    {
        var bytes = new byte[6];
        for (var i = 0; i < 6; i++)
        {
            bytes[i] = (byte)(_value >> (8 * (5 - i)));
        }

        return bytes;
    }

    public override string ToString()
    {
        return string.Create(17, _value, static (span, value) =>
        {
            for (var i = 0; i < 6; i++)
            {
                var octet = (byte)(value >> (8 * (5 - i)));
                span[i * 3] = HexLower(octet >> 4);
                span[(i * 3) + 1] = HexLower(octet & 0xF);
                if (i < 5)
                {
                    span[(i * 3) + 2] = ':';
                }
            }
        });
    }

    private static char HexLower(int nibble) => (char)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
}
