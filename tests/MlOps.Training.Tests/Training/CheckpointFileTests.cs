using System.Buffers.Binary;
using MlOps.Contracts;
using MlOps.Core.Digests;
using MlOps.Testing;
using MlOps.Training.Models;
using MlOps.Training.Tests.Support;
using static TorchSharp.torch;

namespace MlOps.Training.Tests.Training;

/// <summary>The checkpoint container on its own: round trip, and every way a damaged file is named.</summary>
[Collection(TorchCollection.Name)]
public sealed class CheckpointFileTests : IDisposable
{
    private readonly TempDirectory _directory = new("mlops-ckpt-file-");

    public void Dispose() => _directory.Dispose();

    private static CheckpointHeader Header(long seed = 7) => new()
    {
        Epoch = 2,
        Step = 3,
        GlobalStep = 13,
        StepsPerEpoch = 10,
        Seed = seed,
        Fingerprint = "sha256:" + new string('0', 64),
        Run = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["seed"] = "7" },
        Epochs = [new EpochRecord(1, new Dictionary<string, double> { [TrainingMetrics.TrainLoss] = 0.1 + 0.2 })],
        Current = new EpochProgressRecord(1.0 / 3, 5, 96, 0.25),
        FinishedEpochSeconds = 1.5,
        FinishedTrainSeconds = 1.25,
        CreatedAt = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero),
    };

    /// <summary>A file with recognisable sections: model [1, 2, 3], optimizer [4, 5], RNG [6].</summary>
    private string WriteSample(string name = "sample.ckpt")
    {
        var path = _directory.Combine(name);
        CheckpointFile.Write(path, Header(), [1, 2, 3], [4, 5], [6]);
        return path;
    }

    private static CheckpointException ReadFails(string path)
    {
        var ex = Assert.Throws<CheckpointException>(() => CheckpointFile.Read(path));
        Assert.Equal(path, ex.FilePath);
        Assert.StartsWith($"checkpoint {path}: ", ex.Message);
        return ex;
    }

    [Fact]
    public void Write_ThenRead_RoundTripsEverySectionExactly()
    {
        var path = _directory.Combine("a.ckpt");

        var (bytes, digest) = CheckpointFile.Write(path, Header(), [1, 2, 3], [4, 5], [6]);
        var read = CheckpointFile.Read(path);

        Assert.Equal(new FileInfo(path).Length, bytes);
        Assert.Equal(Sha256Digest.OfFile(path), digest);
        Assert.Equal([1, 2, 3], read.ModelState);
        Assert.Equal([4, 5], read.OptimizerState);
        Assert.Equal([6], read.RngState);
        Assert.Equal((2, 3, 13L, 10, 7L), (read.Header.Epoch, read.Header.Step, read.Header.GlobalStep, read.Header.StepsPerEpoch, read.Header.Seed));
        Assert.Equal(0.1 + 0.2, read.Header.Epochs.Single().Metrics[TrainingMetrics.TrainLoss]); // doubles survive JSON exactly
        Assert.Equal(1.0 / 3, read.Header.Current.LossSum);
        Assert.Equal(Header().CreatedAt, read.Header.CreatedAt);
        Assert.Equal("MLOPSCKP"u8.ToArray(), File.ReadAllBytes(path)[..8]);
        Assert.Empty(Directory.GetFiles(_directory.Path, "*.tmp"));
    }

    [Fact]
    public void Read_Truncated_NamesTruncation()
    {
        var path = WriteSample();
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^40]);

        var ex = ReadFails(path);

        Assert.Equal($"truncated: {bytes.Length - 40} bytes, the preamble announces {bytes.Length}", ex.Problem);
    }

    [Fact]
    public void Read_CutInsidePreamble_NamesTruncation()
    {
        var path = WriteSample();
        File.WriteAllBytes(path, File.ReadAllBytes(path)[..10]);

        Assert.Contains("truncated: 10 bytes", ReadFails(path).Problem);
    }

    [Theory]
    [InlineData(30)]   // inside the header JSON
    [InlineData(-33)]  // last byte of the payload (the RNG section)
    [InlineData(-1)]   // inside the stored digest
    public void Read_OneBitFlipped_NamesDigestMismatch(int offset)
    {
        var path = WriteSample();
        var bytes = File.ReadAllBytes(path);
        bytes[offset >= 0 ? offset : bytes.Length + offset] ^= 0x04;
        File.WriteAllBytes(path, bytes);

        Assert.StartsWith("digest mismatch, the file is corrupt: stored sha256:", ReadFails(path).Problem);
    }

    [Fact]
    public void Read_BadMagic_SaysNotACheckpoint()
    {
        var path = _directory.Combine("weights.dat");
        File.WriteAllBytes(path, "PK\u0003\u0004 something else entirely, long enough to hold a preamble"u8.ToArray());

        Assert.Contains("not a checkpoint file (bad magic", ReadFails(path).Problem);
    }

    [Fact]
    public void Read_EmptyFile_SaysNotACheckpoint()
    {
        var path = _directory.Combine("empty.ckpt");
        File.WriteAllBytes(path, []);

        Assert.Contains("bad magic", ReadFails(path).Problem);
    }

    [Fact]
    public void Read_UnknownVersion_NamesVersion()
    {
        var path = WriteSample();
        var bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 2);
        File.WriteAllBytes(path, bytes);

        Assert.Equal("format version 2 is not supported (this build reads version 1)", ReadFails(path).Problem);
    }

    [Fact]
    public void Read_BytesAppended_NamesExtraBytes()
    {
        var path = WriteSample();
        File.AppendAllText(path, "junk");

        Assert.StartsWith("4 unexpected bytes after the digest", ReadFails(path).Problem);
    }

    [Fact]
    public void Read_Missing_SaysSo()
    {
        Assert.Equal("the file does not exist", ReadFails(_directory.Combine("nothing.ckpt")).Problem);
    }

    [Fact]
    public void RestoreModel_SameSpec_CopiesEveryValue()
    {
        using var source = Build(Specs.SmallCnn(), seed: 1);
        using var target = Build(Specs.SmallCnn(), seed: 2);
        var state = CheckpointState.SaveModel(source);

        CheckpointState.RestoreModel(target, state, "x.ckpt");

        var expected = source.state_dict();
        foreach (var (name, tensor) in target.state_dict())
        {
            Assert.True(tensor.eq(expected[name]).all().item<bool>(), name); // includes BatchNorm's int64 num_batches_tracked
        }
    }

    [Fact]
    public void RestoreModel_OtherShapes_NamesParameterAndBothShapes()
    {
        using var wide = Build(Specs.Mlp(32), seed: 1);
        using var narrow = Build(Specs.Mlp(16), seed: 1);

        var ex = Assert.Throws<CheckpointException>(() => CheckpointState.RestoreModel(narrow, CheckpointState.SaveModel(wide), "w.ckpt"));

        Assert.Equal("w.ckpt", ex.FilePath);
        Assert.Contains("1.weight has shape [32, 784] in the checkpoint, [16, 784] in the model", ex.Problem);
        Assert.Contains("3.weight has shape [10, 32] in the checkpoint, [10, 16] in the model", ex.Problem);
    }

    [Fact]
    public void RestoreModel_OtherLayers_NamesMissingAndUnexpected()
    {
        using var mlp = Build(Specs.Mlp(32), seed: 1);
        using var deeper = Build(Specs.Mlp(32, 32), seed: 1);

        var ex = Assert.Throws<CheckpointException>(() => CheckpointState.RestoreModel(deeper, CheckpointState.SaveModel(mlp), "d.ckpt"));

        Assert.Contains("5.weight is missing from the checkpoint (the model has shape [10, 32])", ex.Problem);
        Assert.Contains("3.weight has shape [10, 32] in the checkpoint, [32, 32] in the model", ex.Problem);
    }

    [Fact]
    public void RestoreModel_GarbageSection_SaysMalformed()
    {
        using var mlp = Build(Specs.Mlp(8), seed: 1);

        var ex = Assert.Throws<CheckpointException>(() => CheckpointState.RestoreModel(mlp, [1, 0, 0, 0, 3], "g.ckpt"));

        Assert.Contains("the model state section is malformed", ex.Problem);
    }

    private static nn.Module<Tensor, Tensor> Build(ModelSpec spec, long seed)
    {
        manual_seed(seed);
        return ModelBuilder.Build(spec, ModelOutput.Logits);
    }
}
