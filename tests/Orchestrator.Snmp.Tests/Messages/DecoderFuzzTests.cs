using Orchestrator.Snmp.Messages;

namespace Orchestrator.Snmp.Tests.Messages;

/// <summary>
/// Mutates valid messages with a fixed seed: the decoder must either succeed or throw <see cref="SnmpDecodeException"/>,
/// allocate in proportion to the input, and, when it succeeds, re-encode to something it decodes the same way again.
/// </summary>
public class DecoderFuzzTests
{
    private const int Iterations = 100_000;

    // Every decoded byte becomes at most a few small objects; an allocation beyond this means a length was trusted.
    private const long AllocationSlack = 64 * 1024;
    private const long AllocationPerInputByte = 256;

    [Fact]
    public void Decode_100kMutatedMessages_EitherDecodesOrThrowsSnmpDecodeException()
    {
        Random random = new(20261124);
        IReadOnlyList<byte[]> seeds = SampleMessages.AllEncoded();
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < Iterations; i++)
        {
            byte[] input = Mutate(random, seeds[random.Next(seeds.Count)]);
            if (DecodeChecked(input))
            {
                decoded++;
            }
            else
            {
                rejected++;
            }
        }

        // Both outcomes must occur, or the mutations are not exercising the decoder.
        Assert.True(decoded > 100, $"only {decoded} mutated messages decoded");
        Assert.True(rejected > Iterations / 2, $"only {rejected} mutated messages were rejected");
    }

    [Fact]
    public void Decode_RandomBytes_NeverThrowsAnythingElse()
    {
        Random random = new(7);
        for (int i = 0; i < 20_000; i++)
        {
            byte[] input = new byte[random.Next(0, 200)];
            random.NextBytes(input);
            if (input.Length > 0 && random.Next(2) == 0)
            {
                input[0] = 0x30;
            }

            DecodeChecked(input);
        }
    }

    [Fact]
    public void Decode_SequencesNested1000Deep_IsRejected()
    {
        byte[] nested = NestedSequences(1000, innerTag: 0x30);
        SnmpDecodeException e = Assert.Throws<SnmpDecodeException>(() => CommunityMessage.Decode(nested));
        Assert.Contains("version", e.Message, StringComparison.Ordinal);

        // The same depth in a VarBind's value position of an otherwise valid message.
        byte[] name = Convert.FromHexString("06082B06010201010100");
        byte[] varBind = Wrap(0x30, [.. name, .. NestedSequences(1000, innerTag: 0x30)]);
        byte[] pdu = Wrap(0xA2, [.. Convert.FromHexString("020101020100020100"), .. Wrap(0x30, varBind)]);
        byte[] message = Wrap(0x30, [.. Convert.FromHexString("0201010400"), .. pdu]);
        e = Assert.Throws<SnmpDecodeException>(() => CommunityMessage.Decode(message));
        Assert.Contains("unsupported value tag 0x30", e.Message, StringComparison.Ordinal);
        Assert.False(DecodeChecked(message));
    }

    [Fact]
    public void Decode_HugeDeclaredLengths_AreRejectedBeforeAllocating()
    {
        byte[] valid = SampleMessages.Response().Encode();
        for (int offset = 0; offset < valid.Length - 5; offset++)
        {
            foreach (byte[] length in new[] { new byte[] { 0x84, 0x7F, 0xFF, 0xFF, 0xFF }, [0x84, 0xFF, 0xFF, 0xFF, 0xFF], [0x83, 0xFF, 0xFF, 0xFF] })
            {
                byte[] input = [.. valid.AsSpan(0, offset), .. length, .. valid.AsSpan(offset + 1)];
                Assert.False(DecodeChecked(input));
            }
        }
    }

    private static bool DecodeChecked(byte[] input)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        CommunityMessage message;
        try
        {
            message = CommunityMessage.Decode(input);
        }
        catch (SnmpDecodeException)
        {
            AssertBoundedAllocation(before, input);
            return false;
        }
        catch (Exception e)
        {
            Assert.Fail($"{e.GetType().Name} instead of SnmpDecodeException for {Convert.ToHexString(input)}: {e}");
            throw;
        }

        AssertBoundedAllocation(before, input);
        byte[] reencoded = message.Encode();
        Assert.Equal(reencoded, CommunityMessage.Decode(reencoded).Encode());
        return true;
    }

    private static void AssertBoundedAllocation(long before, byte[] input)
    {
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(
            allocated <= AllocationSlack + (AllocationPerInputByte * input.Length),
            $"decoding {input.Length} bytes allocated {allocated} bytes: {Convert.ToHexString(input)}");
    }

    private static byte[] Mutate(Random random, byte[] seed)
    {
        byte[] data = (byte[])seed.Clone();
        int mutations = random.Next(1, 4);
        for (int m = 0; m < mutations && data.Length > 0; m++)
        {
            switch (random.Next(7))
            {
                case 0:
                    int bits = random.Next(1, 9);
                    for (int b = 0; b < bits; b++)
                    {
                        int at = random.Next(data.Length);
                        data[at] ^= (byte)(1 << random.Next(8));
                    }

                    break;
                case 1:
                    data = data[..random.Next(data.Length)];
                    break;
                case 2:
                    // A length octet: after a tag, so the nearest byte following a likely tag position.
                    int lengthAt = Math.Min(data.Length - 1, random.Next(1, data.Length));
                    data[lengthAt] = random.Next(4) switch
                    {
                        0 => 0x80,
                        1 => (byte)(0x81 + random.Next(4)),
                        2 => 0xFF,
                        _ => (byte)random.Next(256),
                    };
                    break;
                case 3:
                    data[random.Next(data.Length)] = (byte)random.Next(256);
                    break;
                case 4:
                    int insertAt = random.Next(data.Length + 1);
                    byte[] extra = new byte[random.Next(1, 8)];
                    random.NextBytes(extra);
                    data = [.. data.AsSpan(0, insertAt), .. extra, .. data.AsSpan(insertAt)];
                    break;
                case 5:
                    int removeAt = random.Next(data.Length);
                    int removeCount = Math.Min(random.Next(1, 8), data.Length - removeAt);
                    data = [.. data.AsSpan(0, removeAt), .. data.AsSpan(removeAt + removeCount)];
                    break;
                default:
                    // Splice the tail of one copy over another position: duplicated or misplaced elements.
                    int from = random.Next(data.Length);
                    int to = random.Next(data.Length);
                    data = [.. data.AsSpan(0, to), .. data.AsSpan(from)];
                    break;
            }
        }

        return data;
    }

    private static byte[] NestedSequences(int depth, byte innerTag)
    {
        // Build inside-out so every length is right and only the depth is hostile.
        byte[] current = [0x05, 0x00];
        for (int i = 0; i < depth; i++)
        {
            byte tag = i == depth - 1 ? (byte)0x30 : innerTag;
            current = [tag, .. EncodeLength(current.Length), .. current];
        }

        return current;
    }

    private static byte[] Wrap(byte tag, byte[] content) => [tag, .. EncodeLength(content.Length), .. content];

    private static byte[] EncodeLength(int length) => length switch
    {
        < 0x80 => [(byte)length],
        <= 0xFF => [0x81, (byte)length],
        _ => [0x82, (byte)(length >> 8), (byte)length],
    };
}
