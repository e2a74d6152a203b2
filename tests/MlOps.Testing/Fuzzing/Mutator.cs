using System.Buffers.Binary;
using System.Text;

namespace MlOps.Testing.Fuzzing;

/// <summary>
/// Seeded mutations of byte inputs, in the style of AFL's havoc stage: each call stacks one to four of bit flips,
/// interesting bytes, random insertions and deletions, duplicated or repeated chunks, splices with another corpus
/// entry, dictionary tokens, boundary numbers written as text (<c>2147483648</c>, <c>1e999</c>, <c>-1</c>) and
/// boundary integers written as binary (1, 2, 4 or 8 bytes, either byte order). Text formats (YAML, JSON) and binary
/// ones (protobuf, IDX, ONNX) get the same operations; the dictionary carries each format's vocabulary.
/// </summary>
public sealed class Mutator(Random random, IReadOnlyList<string> dictionary, int maxLength)
{
    /// <summary>Numbers at the edges of the integer and floating-point types, as text.</summary>
    public static readonly IReadOnlyList<string> BoundaryNumbers =
    [
        "0", "-0", "1", "-1", "2", "255", "256", "-129", "65535", "65536", "2147483647", "2147483648", "-2147483648", "-2147483649",
        "4294967295", "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "18446744073709551616",
        "1099511627776", "1e308", "1e309", "-1e309", "1e-400", "NaN", "Infinity", "-Infinity", ".inf", ".nan", "0x7fffffff", "1.5", "00",
        "99999999999999999999999999999999999999",
    ];

    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'"', (byte)'\'', (byte)'\\', (byte)'\n',
        (byte)':', (byte)'[', (byte)']', (byte)'{', (byte)'}', (byte)',', (byte)'-', (byte)'&', (byte)'*', (byte)'!', (byte)'#', (byte)'|', (byte)'%'];

    private static readonly long[] InterestingIntegers =
        [0, 1, -1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, int.MaxValue, int.MinValue, uint.MaxValue, 1L << 32, 1L << 40, long.MaxValue, long.MinValue];

    /// <summary>A mutated copy of <paramref name="input"/>; <paramref name="other"/> is a second corpus entry to splice with.</summary>
    public byte[] Mutate(byte[] input, byte[] other)
    {
        var data = new List<byte>(input);
        var steps = 1 + random.Next(4);
        for (var i = 0; i < steps; i++)
        {
            Apply(data, other);
        }

        if (data.Count > maxLength)
        {
            data.RemoveRange(maxLength, data.Count - maxLength);
        }

        return [.. data];
    }

    private void Apply(List<byte> data, byte[] other)
    {
        switch (random.Next(12))
        {
            case 0 when data.Count > 0:
                var bit = random.Next(data.Count * 8);
                data[bit / 8] ^= (byte)(1 << (bit % 8));
                break;
            case 1 when data.Count > 0:
                data[random.Next(data.Count)] = InterestingBytes[random.Next(InterestingBytes.Length)];
                break;
            case 2:
                var bytes = new byte[1 + random.Next(8)];
                random.NextBytes(bytes);
                data.InsertRange(random.Next(data.Count + 1), bytes);
                break;
            case 3 when data.Count > 1:
                var (start, length) = Range(data.Count);
                data.RemoveRange(start, length);
                break;
            case 4 when data.Count > 1:
                var (from, count) = Range(data.Count);
                data.InsertRange(random.Next(data.Count + 1), data.GetRange(from, count));
                break;
            case 5 when other.Length > 0:
                // Splice: this input's head, the other's tail.
                var cut = random.Next(data.Count + 1);
                var otherCut = random.Next(other.Length);
                data.RemoveRange(cut, data.Count - cut);
                data.AddRange(other.AsSpan(otherCut).ToArray());
                break;
            case 6 or 7 when dictionary.Count > 0:
                Insert(data, dictionary[random.Next(dictionary.Count)]);
                break;
            case 8:
                ReplaceNumber(data, BoundaryNumbers[random.Next(BoundaryNumbers.Count)]);
                break;
            case 9 when data.Count > 0:
                // A long run: the same chunk many times (long strings, long lists, deep nesting of a bracket).
                var (chunkStart, chunkLength) = Range(Math.Min(data.Count, 16));
                var chunk = data.GetRange(chunkStart, chunkLength);
                var times = random.Next(2) == 0 ? random.Next(2, 64) : random.Next(64, 4096);
                var at = random.Next(data.Count + 1);
                var run = new List<byte>(chunk.Count * times);
                for (var i = 0; i < times && run.Count < maxLength; i++)
                {
                    run.AddRange(chunk);
                }

                data.InsertRange(at, run);
                break;
            case 10 when data.Count > 0:
                if (random.Next(3) == 0)
                {
                    ReplaceWithVarint(data);
                }
                else
                {
                    OverwriteInteger(data);
                }

                break;
            default:
                if (data.Count > 0)
                {
                    data[random.Next(data.Count)] = (byte)random.Next(256);
                }
                else
                {
                    data.Add((byte)random.Next(256));
                }

                break;
        }
    }

    private (int Start, int Length) Range(int count)
    {
        var start = random.Next(count);
        var length = 1 + random.Next(Math.Min(count - start, random.Next(2) == 0 ? 8 : count));
        return (start, length);
    }

    private void Insert(List<byte> data, string token) => data.InsertRange(random.Next(data.Count + 1), Encoding.UTF8.GetBytes(token));

    /// <summary>Replaces a run of ASCII digits (or inserts when there is none) with <paramref name="number"/>.</summary>
    private void ReplaceNumber(List<byte> data, string number)
    {
        var digits = new List<int>();
        for (var i = 0; i < data.Count; i++)
        {
            if (data[i] is >= (byte)'0' and <= (byte)'9' && (i == 0 || data[i - 1] is < (byte)'0' or > (byte)'9'))
            {
                digits.Add(i);
            }
        }

        if (digits.Count == 0)
        {
            Insert(data, number);
            return;
        }

        var start = digits[random.Next(digits.Count)];
        var end = start;
        while (end < data.Count && data[end] is >= (byte)'0' and <= (byte)'9')
        {
            end++;
        }

        data.RemoveRange(start, end - start);
        data.InsertRange(start, Encoding.ASCII.GetBytes(number));
    }

    /// <summary>Replaces one to ten bytes with a boundary integer as a protobuf varint (sizes, counts, lengths).</summary>
    private void ReplaceWithVarint(List<byte> data)
    {
        var value = unchecked((ulong)InterestingIntegers[random.Next(InterestingIntegers.Length)]);
        var varint = new List<byte>(10);
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            varint.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);

        var offset = random.Next(data.Count);
        data.RemoveRange(offset, Math.Min(data.Count - offset, 1 + random.Next(10)));
        data.InsertRange(offset, varint);
    }

    /// <summary>Writes a boundary integer over 1, 2, 4 or 8 bytes at a random offset, little- or big-endian.</summary>
    private void OverwriteInteger(List<byte> data)
    {
        var width = 1 << random.Next(4);
        if (data.Count < width)
        {
            return;
        }

        var value = InterestingIntegers[random.Next(InterestingIntegers.Length)];
        Span<byte> bytes = stackalloc byte[8];
        if (random.Next(2) == 0)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        }
        else
        {
            BinaryPrimitives.WriteInt64BigEndian(bytes, value);
            bytes = bytes[(8 - width)..];
        }

        var offset = random.Next(data.Count - width + 1);
        for (var i = 0; i < width; i++)
        {
            data[offset + i] = bytes[i];
        }
    }
}
