using System.Buffers.Binary;
using System.IO.Compression;
using MlOps.Core.Datasets;
using MlOps.Testing;

namespace MlOps.Core.Tests.Datasets;

public sealed class IdxFileTests : IDisposable
{
    private readonly TempDirectory _dir = new("mlops-idx");

    public void Dispose() => _dir.Dispose();

    /// <summary>Raw IDX bytes: magic 0x000008NN (or <paramref name="magic"/>), the sizes, then <paramref name="data"/>.</summary>
    private static byte[] Idx(int[] dimensions, byte[] data, uint? magic = null)
    {
        var bytes = new byte[4 + (4 * dimensions.Length) + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, magic ?? (0x0800u | (uint)dimensions.Length));
        for (var i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + (4 * i)), (uint)dimensions[i]);
        }

        data.CopyTo(bytes, 4 + (4 * dimensions.Length));
        return bytes;
    }

    private string WriteGzip(string name, byte[] content)
    {
        var path = _dir.Combine(name);
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        gzip.Write(content);
        return path;
    }

    private string WriteRaw(string name, byte[] content)
    {
        var path = _dir.Combine(name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static DatasetException AssertNamesFile(string path, Action read)
    {
        var ex = Assert.Throws<DatasetException>(read);
        Assert.Equal(path, ex.FilePath);
        Assert.StartsWith(path + ": ", ex.Message);
        return ex;
    }

    [Fact]
    public void Read_ValidGzipImages_ReturnsDimensionsAndData()
    {
        var data = Enumerable.Range(0, 2 * 3 * 4).Select(i => (byte)i).ToArray();
        var path = WriteGzip("images.gz", Idx([2, 3, 4], data));

        var idx = IdxFile.Read(path, expectedRank: 3);

        Assert.Equal([2, 3, 4], idx.Dimensions);
        Assert.Equal(2, idx.Count);
        Assert.Equal(data, idx.Data);
    }

    [Fact]
    public void Read_UncompressedLabels_ReadsTransparently()
    {
        var path = WriteRaw("labels", Idx([5], [0, 1, 2, 3, 4]));

        var idx = IdxFile.Read(path, expectedRank: 1);

        Assert.Equal([5], idx.Dimensions);
        Assert.Equal([0, 1, 2, 3, 4], idx.Data);
    }

    [Theory]
    [InlineData(0x00000D01u, "magic number 0x00000d01")] // float data, not unsigned bytes
    [InlineData(0x12340801u, "magic number 0x12340801")] // non-zero leading bytes
    [InlineData(0x1f8b0801u, "too short")] // starts like gzip, so it is read as one: a gzip header cut short yields no bytes
    public void Read_WrongMagic_ThrowsNamingFileAndMagic(uint magic, string expected)
    {
        var path = WriteRaw("bad-magic", Idx([3], [1, 2, 3], magic));

        var ex = AssertNamesFile(path, () => IdxFile.Read(path, expectedRank: 1));

        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void Read_WrongRank_ThrowsNamingFileAndBothRanks()
    {
        var path = WriteGzip("labels.gz", Idx([4], [1, 2, 3, 4]));

        var ex = AssertNamesFile(path, () => IdxFile.Read(path, expectedRank: 3));

        Assert.Contains("has 1 dimensions", ex.Message);
        Assert.Contains("expected 3", ex.Message);
    }

    [Fact]
    public void Read_TruncatedGzip_ThrowsNamingFile()
    {
        var data = new byte[10 * 28 * 28];
        new Random(3).NextBytes(data);
        var path = WriteGzip("images.gz", Idx([10, 28, 28], data));
        TinyMnistDataset.Truncate(path, 0.5);

        var ex = AssertNamesFile(path, () => IdxFile.Read(path, expectedRank: 3));

        Assert.Matches("truncated|gzip", ex.Message);
    }

    [Fact]
    public void Read_DataShorterThanHeaderDeclares_ThrowsNamingFileAndSizes()
    {
        var path = WriteGzip("images.gz", Idx([10, 2, 2], new byte[25]));

        var ex = AssertNamesFile(path, () => IdxFile.Read(path, expectedRank: 3));

        Assert.Contains("truncated", ex.Message);
        Assert.Contains("40 bytes", ex.Message);
        Assert.Contains("only 25", ex.Message);
    }

    [Fact]
    public void Read_TrailingBytes_ThrowsNamingFile()
    {
        var path = WriteGzip("labels.gz", Idx([2], [1, 2, 3]));

        var ex = AssertNamesFile(path, () => IdxFile.Read(path, expectedRank: 1));

        Assert.Contains("trailing bytes", ex.Message);
    }

    [Fact]
    public void Read_HeaderCutInsideSizes_ThrowsNamingFile()
    {
        var path = WriteRaw("cut", Idx([10, 28, 28], [])[..9]);

        var ex = AssertNamesFile(path, () => IdxFile.Read(path, expectedRank: 3));

        Assert.Contains("ends inside the header", ex.Message);
    }

    [Fact]
    public void Read_ShorterThanMagic_ThrowsNamingFile()
    {
        var path = WriteRaw("tiny", [0, 0]);

        var ex = AssertNamesFile(path, () => IdxFile.Read(path, expectedRank: 1));

        Assert.Contains("too short", ex.Message);
    }

    [Fact]
    public void Read_ZeroSizedDimension_ThrowsNamingFile()
    {
        var path = WriteRaw("zero", Idx([0], []));

        var ex = AssertNamesFile(path, () => IdxFile.Read(path, expectedRank: 1));

        Assert.Contains("size 0", ex.Message);
    }

    [Fact]
    public void Read_RawHeaderDeclaringTwoGiBWithoutData_TruncatedBeforeAllocating()
    {
        // 16 bytes declaring 46340 x 46340 x 1 made the reader allocate 2 GiB before noticing there was no data.
        var path = WriteRaw("claims-2gib", Idx([46_340, 46_340, 1], []));
        var before = GC.GetAllocatedBytesForCurrentThread();

        var ex = AssertNamesFile(path, () => IdxFile.Read(path, expectedRank: 3));

        Assert.Contains("truncated", ex.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "the declared size was allocated");
    }

    [Fact]
    public void Read_GzipHeaderDeclaringTwoGiBWithLittleData_AllocatesOnlyWhatArrives()
    {
        var path = WriteGzip("claims-2gib.gz", Idx([46_340, 46_340, 1], new byte[1000]));
        var before = GC.GetAllocatedBytesForCurrentThread();

        var ex = AssertNamesFile(path, () => IdxFile.Read(path, expectedRank: 3));

        Assert.Contains("only 1000 follow", ex.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20, "the declared size was allocated");
    }

    [Fact]
    public void Read_SizesWhoseProductOverflowsALong_ThrowsNamingFile()
    {
        // Three sizes near 2^31 multiplied past a long: a negative array size (OverflowException) or a wrapped small one.
        var path = WriteRaw("overflow", Idx([int.MaxValue, int.MaxValue, int.MaxValue], [1, 2, 3]));

        var ex = AssertNamesFile(path, () => IdxFile.Read(path, expectedRank: 3));

        Assert.Contains("more than one array can hold", ex.Message);
    }

    [Fact]
    public void Read_FromStream_SameChecksAsFromFile()
    {
        using var stream = new MemoryStream(Idx([3], [1, 2]));

        var ex = Assert.Throws<DatasetException>(() => IdxFile.Read(stream, "upload", expectedRank: 1));

        Assert.Equal("upload", ex.FilePath);
        Assert.Contains("truncated", ex.Message);
    }

    [Fact]
    public void Read_MissingFile_ThrowsNamingFile()
    {
        var path = _dir.Combine("absent.gz");

        var ex = AssertNamesFile(path, () => IdxFile.Read(path, expectedRank: 1));

        Assert.Contains("not found", ex.Message);
    }
}
