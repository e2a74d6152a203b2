using System.Buffers.Binary;
using System.IO.Compression;
using MlOps.Core.Datasets;

namespace MlOps.Coordinator.Tests.TestData;

/// <summary>
/// Writes a tiny dataset in the MNIST file format (four gzip-compressed big-endian IDX files) so tests can
/// exercise the real catalog without the 30 MB Fashion-MNIST files. Images are <see cref="Size"/> x
/// <see cref="Size"/> grey pixels; labels cycle through the 10 classes.
/// </summary>
public static class TinyMnistDataset
{
    public const int Size = 4;

    /// <summary>The sample shape a model needs for this dataset: [1, Size, Size].</summary>
    public static long[] SampleShape => [1, Size, Size];

    /// <summary>Writes the four files into <paramref name="directory"/> (created if needed) and returns it.</summary>
    public static string Write(string directory, int trainCount = 20, int testCount = 10)
    {
        Directory.CreateDirectory(directory);
        WriteImages(Path.Combine(directory, MnistFormat.FileNames[0]), trainCount, seed: 1);
        WriteLabels(Path.Combine(directory, MnistFormat.FileNames[1]), trainCount);
        WriteImages(Path.Combine(directory, MnistFormat.FileNames[2]), testCount, seed: 2);
        WriteLabels(Path.Combine(directory, MnistFormat.FileNames[3]), testCount);
        return directory;
    }

    /// <summary>Cuts a file to half its length, as an interrupted copy would; returns its path.</summary>
    public static string Truncate(string directory, string fileName)
    {
        var path = Path.Combine(directory, fileName);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.SetLength(file.Length / 2);
        return path;
    }

    /// <summary>A catalog entry for the directory, with no expected counts.</summary>
    public static DatasetEntry Entry(string directory) => new() { Path = directory };

    private static void WriteImages(string path, int count, int seed)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(header, 0x00000803);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)count);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), Size);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(12), Size);
        var pixels = new byte[count * Size * Size];
        new Random(seed).NextBytes(pixels);
        WriteGzip(path, header, pixels);
    }

    private static void WriteLabels(string path, int count)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header, 0x00000801);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)count);
        var labels = Enumerable.Range(0, count).Select(i => (byte)(i % MnistFormat.Classes)).ToArray();
        WriteGzip(path, header, labels);
    }

    private static void WriteGzip(string path, byte[] header, byte[] data)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(header);
        gzip.Write(data);
    }
}
