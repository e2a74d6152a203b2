using System.Buffers.Binary;
using System.IO.Compression;

namespace MlOps.Core.Datasets;

/// <summary>
/// An IDX file (the MNIST family's format) of unsigned bytes: a big-endian header with magic
/// <c>0x0000 08 NN</c> (type 0x08 = ubyte, NN = number of dimensions), NN big-endian 32-bit sizes, then the
/// data. Gzip-compressed files are read transparently. Every check names the file and what was expected.
/// </summary>
public sealed class IdxFile
{
    private IdxFile(int[] dimensions, byte[] data)
    {
        Dimensions = dimensions;
        Data = data;
    }

    /// <summary>Sizes, outermost first (e.g. [60000, 28, 28]).</summary>
    public IReadOnlyList<int> Dimensions { get; }

    public byte[] Data { get; }

    /// <summary>Number of items (the first dimension).</summary>
    public int Count => Dimensions[0];

    /// <summary>Reads and checks a whole file. <paramref name="expectedRank"/> is the number of dimensions the
    /// caller needs (1 for labels, 3 for images).</summary>
    public static IdxFile Read(string path, int expectedRank)
    {
        if (!File.Exists(path))
        {
            throw new DatasetException(path, "file not found");
        }

        try
        {
            using var file = File.OpenRead(path);
            return Read(file, path, expectedRank);
        }
        catch (IOException ex) when (ex is not FileNotFoundException)
        {
            throw new DatasetException(path, "could not be read: " + ex.Message, ex);
        }
    }

    /// <summary>Reads and checks a whole IDX file, gzip-compressed or not, from a seekable <paramref name="stream"/>;
    /// <paramref name="source"/> names it in errors. Nothing larger than the data that is really there is allocated,
    /// whatever sizes the header declares.</summary>
    /// <exception cref="DatasetException">The content is not a valid IDX file of <paramref name="expectedRank"/> dimensions.</exception>
    public static IdxFile Read(Stream stream, string source, int expectedRank)
    {
        try
        {
            if (IsGzip(stream))
            {
                using var gzip = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
                return Read(gzip, source, expectedRank, available: null);
            }

            return Read(stream, source, expectedRank, available: stream.Length - stream.Position);
        }
        catch (InvalidDataException ex)
        {
            throw new DatasetException(source, "is not a valid gzip stream (damaged or truncated): " + ex.Message, ex);
        }
    }

    /// <summary>Writes a gzip-compressed IDX file of unsigned bytes (the form the MNIST family is distributed in).</summary>
    public static void WriteGzip(string path, IReadOnlyList<int> dimensions, ReadOnlySpan<byte> data)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, 0x0800u | (uint)dimensions.Count);
        gzip.Write(word);
        foreach (var dimension in dimensions)
        {
            BinaryPrimitives.WriteUInt32BigEndian(word, (uint)dimension);
            gzip.Write(word);
        }

        gzip.Write(data);
    }

    private static bool IsGzip(Stream stream)
    {
        Span<byte> magic = stackalloc byte[2];
        var start = stream.Position;
        var read = ReadFully(stream, magic);
        stream.Position = start;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    /// <summary>Parses the IDX content of <paramref name="stream"/>; <paramref name="available"/> is the number of bytes
    /// left in an uncompressed stream (checked against the header before anything is allocated), null when unknown.</summary>
    private static IdxFile Read(Stream stream, string path, int expectedRank, long? available)
    {
        Span<byte> header = stackalloc byte[4];
        if (ReadFully(stream, header) < 4)
        {
            throw new DatasetException(path, "is too short to hold an IDX header (4 bytes)");
        }

        var magic = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (header[0] != 0 || header[1] != 0 || header[2] != 0x08)
        {
            throw new DatasetException(path, $"has magic number 0x{magic:x8}; an IDX file of unsigned bytes starts with 0x000008{expectedRank:x2}");
        }

        var rank = header[3];
        if (rank != expectedRank)
        {
            throw new DatasetException(path, $"has {rank} dimensions (magic 0x{magic:x8}); expected {expectedRank} (magic 0x000008{expectedRank:x2})");
        }

        var dims = new int[rank];
        long total = 1;
        Span<byte> size = stackalloc byte[4];
        for (var i = 0; i < rank; i++)
        {
            if (ReadFully(stream, size) < 4)
            {
                throw new DatasetException(path, $"ends inside the header (dimension {i + 1} of {rank})");
            }

            var value = BinaryPrimitives.ReadUInt32BigEndian(size);
            if (value == 0 || value > int.MaxValue)
            {
                throw new DatasetException(path, $"dimension {i + 1} has size {value}");
            }

            dims[i] = (int)value;

            // Checked per dimension: three sizes below 2^31 multiply past a long.
            if (total > Array.MaxLength / value)
            {
                throw new DatasetException(path, $"declares [{string.Join(" x ", dims.Take(i + 1))}{(i + 1 < rank ? " x ..." : "")}] bytes of data, more than one array can hold");
            }

            total *= value;
        }

        var headerBytes = 4 + (4 * rank);
        if (available is { } left && left - headerBytes < total)
        {
            throw new DatasetException(path, $"is truncated: the header declares [{string.Join(" x ", dims)}] = {total} bytes of data, but only {Math.Max(0, left - headerBytes)} follow");
        }

        var data = ReadData(stream, (int)total, out var got);
        if (got < total)
        {
            throw new DatasetException(path, $"is truncated: the header declares [{string.Join(" x ", dims)}] = {total} bytes of data, but only {got} follow");
        }

        if (stream.ReadByte() >= 0)
        {
            throw new DatasetException(path, $"has trailing bytes after the {total} bytes of data its header declares");
        }

        return new IdxFile(dims, data);
    }

    /// <summary>Reads up to <paramref name="total"/> bytes, growing the buffer as data arrives, so a compressed file
    /// whose header claims gigabytes costs only what it really holds.</summary>
    private static byte[] ReadData(Stream stream, int total, out int got)
    {
        const int FirstChunk = 16 * 1024 * 1024;
        var data = new byte[Math.Min(total, FirstChunk)];
        got = 0;
        while (true)
        {
            got += ReadFully(stream, data.AsSpan(got));
            if (got < data.Length || data.Length == total)
            {
                return data;
            }

            Array.Resize(ref data, (int)Math.Min(total, (long)data.Length * 2));
        }
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = stream.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
