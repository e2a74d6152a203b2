using System.Buffers.Binary;
using System.IO.Compression;

namespace MlOps.Training.Tests.Support;

/// <summary>
/// Writes a small learnable dataset as the four real MNIST files (gzip IDX): class c is a bright horizontal band
/// at rows 2c..2c+2 over dim noise, so a small MLP separates the classes within an epoch or two.
/// </summary>
public static class SyntheticMnist
{
    public static void Write(string directory, int trainCount = 600, int testCount = 200, int seed = 7)
    {
        Directory.CreateDirectory(directory);
        var random = new Random(seed);
        WriteSplit(directory, "train", trainCount, random);
        WriteSplit(directory, "t10k", testCount, random);
    }

    public static void WriteIdx(string path, int[] dimensions, byte[] data)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(word, 0x0800u | (uint)dimensions.Length);
        gzip.Write(word);
        foreach (var dimension in dimensions)
        {
            BinaryPrimitives.WriteUInt32BigEndian(word, (uint)dimension);
            gzip.Write(word);
        }

        gzip.Write(data);
    }

    private static void WriteSplit(string directory, string prefix, int count, Random random)
    {
        const int Size = 28;
        var pixels = new byte[count * Size * Size];
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            var label = (byte)random.Next(10);
            labels[i] = label;
            var image = pixels.AsSpan(i * Size * Size, Size * Size);
            for (var p = 0; p < image.Length; p++)
            {
                image[p] = (byte)random.Next(0, 60);
            }

            for (var row = 2 * label; row < (2 * label) + 3; row++)
            {
                for (var col = 4; col < Size - 4; col++)
                {
                    image[(row * Size) + col] = (byte)random.Next(180, 256);
                }
            }
        }

        WriteIdx(Path.Combine(directory, $"{prefix}-images-idx3-ubyte.gz"), [count, Size, Size], pixels);
        WriteIdx(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte.gz"), [count], labels);
    }
}
