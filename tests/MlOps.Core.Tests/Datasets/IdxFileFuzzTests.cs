using System.Buffers.Binary;
using System.IO.Compression;
using MlOps.Core.Datasets;
using MlOps.Testing;
using MlOps.Testing.Fuzzing;
using Xunit.Abstractions;

namespace MlOps.Core.Tests.Datasets;

/// <summary>
/// Mutation fuzzing of the IDX reader (the MNIST family's files, gzip or not) with images and labels of a tiny real
/// dataset as seeds: the only failure allowed is a <see cref="DatasetException"/> naming the file, and a header that
/// declares gigabytes must not make the reader allocate them.
/// </summary>
public sealed class IdxFileFuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new("mlops-idx-fuzz");

    public void Dispose() => _dir.Dispose();

    [Fact]
    [Trait("Category", "Fuzz")]
    public void Read_MutatedIdxFiles_OnlyDatasetErrors()
    {
        TinyMnistDataset.Write(_dir.Path, trainCount: 6, testCount: 3, size: 8);
        var gzipped = Directory.EnumerateFiles(_dir.Path).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        var seeds = gzipped.Concat(gzipped.Select(Gunzip))
            .Append(Idx([46_340, 46_340, 1], []))
            .Append(Idx([int.MaxValue, int.MaxValue, int.MaxValue], [1, 2, 3]))
            .Append(Gzip(Idx([30_000, 30_000, 2], new byte[64])))
            .ToList();

        var report = FuzzRun.Run("IDX dataset file", seeds, ReadBoth, new FuzzOptions
        {
            Iterations = 150_000,
            MaxAllocatedBytesPerInput = 64L * 1024 * 1024,
            IsExpected = e => e is DatasetException,
        }.WithEnvironment());

        output.WriteLine(report.Summary);
        Assert.True(report.Passed, report.Describe());
        Assert.True(FuzzOptions.IsCampaign || report.Inputs >= 1_000, report.Summary);
    }

    /// <summary>Reads the bytes as images (rank 3), and when that fails for the rank, as labels (rank 1).</summary>
    private static void ReadBoth(byte[] input)
    {
        using var stream = new MemoryStream(input, writable: false);
        try
        {
            IdxFile.Read(stream, "fuzz-images", expectedRank: 3);
        }
        catch (DatasetException e) when (e.Message.Contains("dimensions", StringComparison.Ordinal))
        {
            stream.Position = 0;
            IdxFile.Read(stream, "fuzz-labels", expectedRank: 1);
        }
    }

    private static byte[] Idx(int[] dimensions, byte[] data)
    {
        var bytes = new byte[4 + (4 * dimensions.Length) + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, 0x0800u | (uint)dimensions.Length);
        for (var i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + (4 * i)), (uint)dimensions[i]);
        }

        data.CopyTo(bytes, 4 + (4 * dimensions.Length));
        return bytes;
    }

    private static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return buffer.ToArray();
    }

    private static byte[] Gunzip(byte[] content)
    {
        using var gzip = new GZipStream(new MemoryStream(content), CompressionMode.Decompress);
        using var buffer = new MemoryStream();
        gzip.CopyTo(buffer);
        return buffer.ToArray();
    }
}
