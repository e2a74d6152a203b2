using MlOps.Core.Datasets;

namespace MlOps.Coordinator.Tests.TestData;

/// <summary>
/// Writes a tiny dataset in the MNIST file format (four gzip-compressed big-endian IDX files) so tests can
/// exercise the real catalog without the 30 MB Fashion-MNIST files: the shared writer at <see cref="Size"/> x
/// <see cref="Size"/> pixels.
/// </summary>
public static class FourPixelDataset
{
    public const int Size = 4;

    /// <summary>The sample shape a model needs for this dataset: [1, Size, Size].</summary>
    public static long[] SampleShape => [1, Size, Size];

    /// <summary>Writes the four files into <paramref name="directory"/> (created if needed) and returns it.</summary>
    public static string Write(string directory, int trainCount = 20, int testCount = 10)
    {
        MlOps.Testing.TinyMnistDataset.Write(directory, trainCount, testCount, size: Size);
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
}
