using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MlOps.Testing;

/// <summary>
/// A small PNG encoder for tests: packs samples at any bit depth, filters each row with the filter type the test
/// chooses (so decoding exercises all five), deflates, and lays out chunks that a test may then damage. It has its
/// own CRC-32, so a PNG decoder under test is never checked against its own checksum code.
/// </summary>
public sealed class PngWriter
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    public required int Width { get; init; }

    public required int Height { get; init; }

    public int ColorType { get; init; }

    public int BitDepth { get; init; } = 8;

    public int Interlace { get; init; }

    /// <summary>Filter type of row y; by default y mod 5, so five rows use every filter.</summary>
    public Func<int, int> FilterOf { get; init; } = y => y % 5;

    /// <summary>RGB triples for PLTE.</summary>
    public byte[]? Palette { get; init; }

    /// <summary>Data of a tRNS chunk.</summary>
    public byte[]? Transparency { get; init; }

    /// <summary>How many IDAT chunks the compressed data is spread over.</summary>
    public int IdatChunks { get; init; } = 1;

    public static int ChannelsOf(int colorType) => colorType switch { 0 or 3 => 1, 2 => 3, 4 => 2, _ => 4 };

    /// <summary>The file for <paramref name="samples"/>: per row, Width × channels sample values.</summary>
    public byte[] Write(int[][] samples) => Assemble(Chunks(samples));

    /// <summary>The chunks of the file, in order, for tests that change them before <see cref="Assemble"/>.</summary>
    public List<(string Type, byte[] Data)> Chunks(int[][] samples) => ChunksFromScanlines(Deflate(FilteredScanlines(samples)));

    /// <summary>The chunks around already-compressed image data.</summary>
    public List<(string Type, byte[] Data)> ChunksFromScanlines(byte[] compressed)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), Height);
        header[8] = (byte)BitDepth;
        header[9] = (byte)ColorType;
        header[12] = (byte)Interlace;
        var chunks = new List<(string, byte[])> { ("IHDR", header) };
        if (Palette is not null)
        {
            chunks.Add(("PLTE", Palette));
        }

        if (Transparency is not null)
        {
            chunks.Add(("tRNS", Transparency));
        }

        var piece = (compressed.Length + IdatChunks - 1) / IdatChunks;
        for (var start = 0; start < compressed.Length; start += piece)
        {
            chunks.Add(("IDAT", compressed[start..Math.Min(compressed.Length, start + piece)]));
        }

        chunks.Add(("IEND", []));
        return chunks;
    }

    /// <summary>Signature plus each chunk with its length and CRC.</summary>
    public static byte[] Assemble(IEnumerable<(string Type, byte[] Data)> chunks)
    {
        using var file = new MemoryStream();
        file.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        Span<byte> word = stackalloc byte[4];
        foreach (var (type, data) in chunks)
        {
            var typeBytes = Encoding.ASCII.GetBytes(type);
            BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
            file.Write(word);
            file.Write(typeBytes);
            file.Write(data);
            BinaryPrimitives.WriteUInt32BigEndian(word, Crc(typeBytes, data));
            file.Write(word);
        }

        return file.ToArray();
    }

    public static byte[] Deflate(byte[] data)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Optimal))
        {
            zlib.Write(data);
        }

        return output.ToArray();
    }

    /// <summary>Each row as its filter-type byte followed by the filtered bytes.</summary>
    public byte[] FilteredScanlines(int[][] samples)
    {
        var rowBytes = ((Width * ChannelsOf(ColorType) * BitDepth) + 7) / 8;
        var stride = Math.Max(1, ChannelsOf(ColorType) * BitDepth / 8);
        var previous = new byte[rowBytes];
        using var output = new MemoryStream();
        for (var y = 0; y < Height; y++)
        {
            var row = Pack(samples[y], rowBytes);
            var filter = FilterOf(y);
            output.WriteByte((byte)filter);
            for (var i = 0; i < rowBytes; i++)
            {
                int left = i >= stride ? row[i - stride] : 0, up = previous[i], upperLeft = i >= stride ? previous[i - stride] : 0;
                var predicted = filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    _ => Paeth(left, up, upperLeft),
                };
                output.WriteByte((byte)(row[i] - predicted));
            }

            previous = row;
        }

        return output.ToArray();
    }

    private byte[] Pack(int[] samples, int rowBytes)
    {
        var row = new byte[rowBytes];
        for (var i = 0; i < samples.Length; i++)
        {
            switch (BitDepth)
            {
                case 16:
                    BinaryPrimitives.WriteUInt16BigEndian(row.AsSpan(2 * i), (ushort)samples[i]);
                    break;
                case 8:
                    row[i] = (byte)samples[i];
                    break;
                default:
                    // The first sample of a byte sits in its most significant bits.
                    var bit = i * BitDepth;
                    row[bit / 8] |= (byte)(samples[i] << (8 - BitDepth - (bit % 8)));
                    break;
            }
        }

        return row;
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>A gray 8-bit image (color type 0, no filtering): <paramref name="pixels"/> row-major, 0 black to 255 white.</summary>
    public static byte[] Gray(int width, int height, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        var rows = Enumerable.Range(0, height).Select(y => pixels.AsSpan(y * width, width).ToArray().Select(p => (int)p).ToArray()).ToArray();
        return new PngWriter { Width = width, Height = height, FilterOf = _ => 0 }.Write(rows);
    }

    /// <summary>CRC-32 of PNG chunks (ISO 3309, reflected polynomial 0xEDB88320) over the type and the data.</summary>
    public static uint Crc(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        foreach (var b in type)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
