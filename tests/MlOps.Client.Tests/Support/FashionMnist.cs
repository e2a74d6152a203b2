using System.Buffers.Binary;
using System.IO.Compression;
using MlOps.Core.Datasets;

namespace MlOps.Client.Tests.Support;

/// <summary>A fact that is skipped, saying why, when Debian's dataset-fashion-mnist package is not installed.</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (!File.Exists(FashionMnist.TestImagesPath))
        {
            Skip = $"Fashion-MNIST not found at {FashionMnist.TestImagesPath} (install Debian's dataset-fashion-mnist package)";
        }
    }
}

/// <summary>Reads real Fashion-MNIST test images from the gzip-compressed IDX file.</summary>
internal static class FashionMnist
{
    public static string TestImagesPath { get; } =
        Path.Combine(DatasetCatalog.Defaults["fashion-mnist"].Path, "t10k-images-idx3-ubyte.gz");

    /// <summary>The first <paramref name="take"/> 28×28 images, one byte per pixel, and how many were read.</summary>
    public static (byte[] Pixels, int Count) TestImages(int take)
    {
        using var gzip = new GZipStream(File.OpenRead(TestImagesPath), CompressionMode.Decompress);
        var header = new byte[16];
        gzip.ReadExactly(header);
        var count = Math.Min(take, BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4)));
        var pixels = new byte[count * 28 * 28];
        gzip.ReadExactly(pixels);
        return (pixels, count);
    }
}
