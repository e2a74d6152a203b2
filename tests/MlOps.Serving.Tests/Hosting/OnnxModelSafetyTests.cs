using MlOps.Serving.Hosting;
using MlOps.Serving.Hosting.Batching;
using MlOps.Serving.Models;
using MlOps.Serving.Tests.Hosting.Support;
using MlOps.Testing;

namespace MlOps.Serving.Tests.Hosting;

/// <summary>Models a node refuses to serve (found by fuzzing the load, or while writing that fuzz test): an
/// <see cref="InferenceException"/> naming the problem instead of an overflow, a huge allocation or a
/// NullReferenceException from ONNX Runtime's bindings.</summary>
public sealed class OnnxModelSafetyTests : IDisposable
{
    private static readonly OnnxModelVersionOptions Cpu = new() { ExecutionProvider = ExecutionProviderPreference.Cpu, IntraOpThreads = 1 };

    private readonly TempDirectory _directory = new("serving-safety");

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(1L << 30)] // 4 GiB per row
    [InlineData(int.MaxValue)]
    public async Task LoadAsync_DimensionNoBufferHolds_RefusedNamingTheShape(long width)
    {
        var (path, digest) = TestModels.Write(TestModels.Identity(width), _directory.Combine("huge.onnx"));

        var error = await Assert.ThrowsAsync<InferenceException>(() => OnnxModelVersion.LoadAsync(path, digest, "huge", "1", Cpu));

        Assert.Equal(InferenceErrorKind.Internal, error.Kind);
        Assert.Contains($"input 'x' declares shape [-1,{width}]", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1L << 40)]
    [InlineData(long.MaxValue)]
    public async Task LoadAsync_DimensionBeyondAnInt_Internal(long width)
    {
        // ONNX Runtime's managed metadata reports dimensions as int, so these arrive truncated; the load still fails cleanly.
        var (path, digest) = TestModels.Write(TestModels.Identity(width), _directory.Combine("huge.onnx"));

        var error = await Assert.ThrowsAsync<InferenceException>(() => OnnxModelVersion.LoadAsync(path, digest, "huge", "1", Cpu));

        Assert.Equal(InferenceErrorKind.Internal, error.Kind);
    }

    [Fact]
    public async Task LoadAsync_MaximumBatchBeyondOneBuffer_RefusedBeforeWarmUpAllocates()
    {
        // One row is 512 MiB: batch 1 would fit, the configured maximum of 8 (4 GiB) would not.
        var (path, digest) = TestModels.Write(TestModels.Identity(1L << 27), _directory.Combine("wide.onnx"));
        var options = Cpu with { Batching = new DynamicBatcherOptions { MaxBatchSize = 8 } };
        var before = GC.GetTotalAllocatedBytes();

        var error = await Assert.ThrowsAsync<InferenceException>(() => OnnxModelVersion.LoadAsync(path, digest, "wide", "1", options));

        Assert.Contains("at batch 8 needs more than", error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetTotalAllocatedBytes() - before < 256 << 20, "the warm-up allocated its tensors before checking");
    }

    [Fact]
    public async Task LoadAsync_MetadataKeyWithNul_InternalNotNullReference()
    {
        // ONNX Runtime keeps the key whole but looks it up as a C string ("mlops"): its managed binding then threw NullReferenceException.
        var model = TestModels.Identity(4, new Dictionary<string, string> { ["mlops\0name"] = "x" });
        var (path, digest) = TestModels.Write(model, _directory.Combine("nul.onnx"));

        var error = await Assert.ThrowsAsync<InferenceException>(() => OnnxModelVersion.LoadAsync(path, digest, "nul", "1", Cpu));

        Assert.Equal(InferenceErrorKind.Internal, error.Kind);
        Assert.Contains("metadata_props cannot be read", error.Message, StringComparison.Ordinal);
    }
}
