namespace MlOps.Testing;

/// <summary>
/// Writes a small, learnable dataset in the real MNIST file format (gzip-compressed IDX, the four usual file
/// names): class <c>c</c> is a bright horizontal band at rows 2c..2c+2 over random noise, so a small MLP
/// learns it in a few epochs. Used wherever a test needs real files that train fast.
/// </summary>
public static class TinyMnistDataset
{
    public static void Write(string directory, int trainCount = 1000, int testCount = 200, int seed = 1, int size = 28)
    {
        Directory.CreateDirectory(directory);
        var random = new Random(seed);
        WriteSplit(directory, "train", trainCount, size, random);
        WriteSplit(directory, "t10k", testCount, size, random);
    }

    private static void WriteSplit(string directory, string prefix, int count, int size, Random random)
    {
        var pixels = new byte[count * size * size];
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            var label = (byte)random.Next(10);
            labels[i] = label;
            var image = pixels.AsSpan(i * size * size, size * size);
            for (var p = 0; p < image.Length; p++)
            {
                image[p] = (byte)random.Next(0, 60);
            }

            for (var row = 2 * label; row < (2 * label) + 3 && row < size; row++)
            {
                for (var col = 4; col < size - 4; col++)
                {
                    image[(row * size) + col] = (byte)random.Next(180, 256);
                }
            }
        }

        WriteIdx(Path.Combine(directory, $"{prefix}-images-idx3-ubyte.gz"), [count, size, size], pixels);
        WriteIdx(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte.gz"), [count], labels);
    }

    /// <summary>Writes one gzip-compressed IDX file of unsigned bytes.</summary>
    public static void WriteIdx(string path, int[] dimensions, byte[] data) => MlOps.Core.Datasets.IdxFile.WriteGzip(path, dimensions, data);

    /// <summary>Cuts a file to <paramref name="fraction"/> of its length, as an interrupted copy would.</summary>
    public static void Truncate(string path, double fraction = 0.5)
    {
        var length = new FileInfo(path).Length;
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.SetLength((long)(length * fraction));
    }
}
