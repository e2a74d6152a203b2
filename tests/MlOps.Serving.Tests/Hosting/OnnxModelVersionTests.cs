using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using MlOps.Onnx.Protos;
using MlOps.Serving.Hosting;
using MlOps.Serving.Hosting.Batching;
using MlOps.Serving.Models;
using MlOps.Serving.Tests.Hosting.Support;
using MlOps.Testing;

namespace MlOps.Serving.Tests.Hosting;

public sealed class OnnxModelVersionTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _directory = new("serving-host");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task LoadAsync_ExportedMlp_DescriptorFromSessionMetadata()
    {
        var (path, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp(), "fashion-mlp"), _directory.Combine("mlp.onnx"));

        await using var model = await OnnxModelVersion.LoadAsync(path, digest, "fashion-mlp", "3");

        Assert.True(model.IsReady);
        Assert.Equal(("fashion-mlp", "3", "onnxruntime_onnx", 64), (model.Descriptor.Name, model.Descriptor.Version, model.Descriptor.Platform, model.Descriptor.MaxBatchSize));
        var input = Assert.Single(model.Descriptor.Inputs);
        Assert.Equal(("input", "FP32"), (input.Name, input.DataType));
        Assert.Equal([-1, 1, 28, 28], input.Shape);
        var output = Assert.Single(model.Descriptor.Outputs);
        Assert.Equal(("output", "FP32"), (output.Name, output.DataType));
        Assert.Equal([-1, 10], output.Shape);
        Assert.Equal(("CPU", digest), (model.ExecutionProvider, model.Digest));
        Assert.Equal("fashion-mlp", model.ModelMetadata["mlops.model_name"]);
        Assert.True(model.WarmUpTime > TimeSpan.Zero);
    }

    [Fact]
    public async Task LoadAsync_MetadataProps_DescriptorParametersCarryThem()
    {
        var metadata = new Dictionary<string, string> { ["mlops.input_mean"] = "0.2860", ["mlops.input_std"] = "0.3530" };
        var (path, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp(), "fashion-mlp", metadata: metadata), _directory.Combine("mlp.onnx"));

        await using var model = await OnnxModelVersion.LoadAsync(path, digest, "fashion-mlp", "3");

        var parameters = model.Descriptor.Parameters;
        Assert.Equal(("0.2860", "0.3530"), (parameters["mlops.input_mean"], parameters["mlops.input_std"]));
        Assert.Equal("fashion-mlp", parameters["mlops.model_name"]); // the exporter's own keys too
        Assert.Equal(model.ModelMetadata.OrderBy(p => p.Key), parameters.OrderBy(p => p.Key));
    }

    [Fact]
    public void ModelDescriptor_NoParametersGiven_Empty()
    {
        Assert.Empty(new ModelDescriptor("m", "1", [], []).Parameters);
    }

    [Theory]
    [InlineData("mlp", 1)]
    [InlineData("mlp", 7)]
    [InlineData("cnn", 1)]
    [InlineData("cnn", 7)]
    public async Task InferAsync_ExportedModel_EqualsDirectSessionRun(string kind, int rows)
    {
        var spec = kind == "mlp" ? TestModels.Mlp() : TestModels.Cnn();
        var (path, digest) = TestModels.Write(TestModels.Export(spec, kind), _directory.Combine($"{kind}.onnx"));
        await using var model = await OnnxModelVersion.LoadAsync(path, digest, kind, "1");
        var images = Tensors.Images(rows, seed: rows);

        var response = await model.InferAsync(Tensors.ImageRequest(kind, images, rows, id: "req-1"), default);

        var output = Assert.Single(response.Outputs);
        Assert.Equal(("output", "FP32"), (output.Name, output.DataType));
        Assert.Equal([rows, 10], output.Shape);
        Assert.Equal((kind, "1", "req-1"), (response.ModelName, response.ModelVersion, response.Id));
        var expected = DirectOrt.Run(path, images, [rows, 1, 28, 28]);
        Assert.True(Tensors.MaxAbsDiff(Tensors.Floats(output), expected) <= 1e-6f);
    }

    [Fact]
    public async Task LoadAsync_DigestMismatch_RefusedBeforeLoading()
    {
        var (path, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp()), _directory.Combine("mlp.onnx"));
        var wrong = "sha256:" + new string('0', 64);

        var error = await Assert.ThrowsAsync<InferenceException>(() => OnnxModelVersion.LoadAsync(path, wrong, "mlp", "1"));

        Assert.Equal(InferenceErrorKind.Internal, error.Kind);
        Assert.Contains($"has digest {digest}, expected {wrong}", error.Message);
        Assert.Contains("model 'mlp' version '1'", error.Message);
    }

    [Fact]
    public async Task LoadAsync_BareHexDigest_Accepted()
    {
        var (path, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp()), _directory.Combine("mlp.onnx"));

        await using var model = await OnnxModelVersion.LoadAsync(path, digest["sha256:".Length..].ToUpperInvariant(), "mlp", "1");

        Assert.Equal(digest, model.Digest);
    }

    [Fact]
    public async Task LoadAsync_MissingFile_NotFound()
    {
        var error = await Assert.ThrowsAsync<InferenceException>(() => OnnxModelVersion.LoadAsync(_directory.Combine("none.onnx"), "sha256:" + new string('a', 64), "m", "1"));

        Assert.Equal(InferenceErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task LoadAsync_NotAnOnnxFile_InternalNamingTheModel()
    {
        var (path, digest) = TestModels.Write("not a model"u8.ToArray(), _directory.Combine("junk.onnx"));

        var error = await Assert.ThrowsAsync<InferenceException>(() => OnnxModelVersion.LoadAsync(path, digest, "junk", "1"));

        Assert.Equal(InferenceErrorKind.Internal, error.Kind);
        Assert.Contains("ONNX Runtime cannot load", error.Message);
    }

    [Fact]
    public async Task LoadAsync_InvalidOptionsAndDigest_EveryProblemListed()
    {
        var (path, _) = TestModels.Write(TestModels.Export(TestModels.Mlp()), _directory.Combine("mlp.onnx"));
        var options = new OnnxModelVersionOptions { IntraOpThreads = -1, Batching = new DynamicBatcherOptions { MaxQueueSize = 0 } };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => OnnxModelVersion.LoadAsync(path, "md5:abc", "mlp", "1", options));

        Assert.Contains("IntraOpThreads", error.Message);
        Assert.Contains("Batching.MaxQueueSize", error.Message);
        Assert.Contains("md5:abc", error.Message);
    }

    [Fact]
    public async Task WarmUpAsync_NotReadyUntilWarmUpRan_WarmUpNotCounted()
    {
        var (path, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp()), _directory.Combine("mlp.onnx"));
        await using var model = await OnnxModelVersion.OpenAsync(path, digest, "mlp", "1", null, null, null, default);
        var request = Tensors.ImageRequest("mlp", Tensors.Images(1, 1), 1);

        Assert.False(model.IsReady);
        var early = await Assert.ThrowsAsync<InferenceException>(() => model.InferAsync(request, default).AsTask());
        Assert.Equal(InferenceErrorKind.Unavailable, early.Kind);
        Assert.Contains("warming up", early.Message);

        await model.WarmUpAsync(default);

        Assert.True(model.IsReady);
        Assert.True(model.WarmUpTime > TimeSpan.Zero);
        Assert.Equal(0, model.Statistics.ExecutionCount);
        await model.InferAsync(request, default);
        Assert.Equal((1L, 1L), (model.Statistics.ExecutionCount, model.Statistics.SuccessCount));
    }

    [Fact]
    public async Task LoadAsync_CudaRequestedWithoutCuda_FallsBackToCpuAndLogsWhy()
    {
        var (path, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp()), _directory.Combine("mlp.onnx"));
        var logger = new RecordingLogger();

        await using var model = await OnnxModelVersion.LoadAsync(path, digest, "mlp", "1",
            new OnnxModelVersionOptions { ExecutionProvider = ExecutionProviderPreference.Cuda }, logger);

        Assert.Equal("CPU", model.ExecutionProvider);
        var fallback = Assert.Single(logger.Entries, e => e.Id.Id == 3101);
        Assert.Equal(LogLevel.Warning, fallback.Level);
        Assert.Contains("falling back to CPU", fallback.Message);
        Assert.Contains("CPU build of ONNX Runtime", fallback.Message); // this project's package: the provider is not offered
        Assert.Contains("-p:MlOpsOnnxRuntime=gpu", fallback.Message);
        Assert.Contains(logger.Entries, e => e.Id.Id == 3100 && e.Message.Contains("ready on CPU"));
        await model.InferAsync(Tensors.ImageRequest("mlp", Tensors.Images(1, 1), 1), default);
    }

    [Fact]
    public async Task LoadAsync_AutoOnCpuBuild_ChoosesCpuAndLogsTheProviders()
    {
        var (path, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp()), _directory.Combine("mlp.onnx"));
        var logger = new RecordingLogger();

        await using var model = await OnnxModelVersion.LoadAsync(path, digest, "mlp", "1", logger: logger);

        Assert.Equal("CPU", model.ExecutionProvider);
        Assert.Contains(logger.Entries, e => e.Id.Id == 3102 && e.Message.Contains("CPUExecutionProvider"));
    }

    [Fact]
    public async Task InferAsync_ConcurrentMixedBatchSizes_OneExecutionEachGetsItsOwnRows()
    {
        var (path, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp()), _directory.Combine("mlp.onnx"));
        var time = new FakeTimeProvider();
        var options = new OnnxModelVersionOptions { Batching = new DynamicBatcherOptions { MaxQueueDelay = TimeSpan.FromMilliseconds(100) } };
        await using var model = await OnnxModelVersion.LoadAsync(path, digest, "mlp", "1", options, time: time);
        int[] sizes = [1, 3, 5, 2, 7, 1];
        var inputs = sizes.Select((rows, i) => Tensors.Images(rows, seed: 100 + i)).ToArray();

        var tasks = sizes.Select((rows, i) => model.InferAsync(Tensors.ImageRequest("mlp", inputs[i], rows, $"r{i}"), default).AsTask()).ToArray();
        await AdvanceUntilDone(time, tasks);

        for (var i = 0; i < sizes.Length; i++)
        {
            var response = await tasks[i];
            Assert.Equal($"r{i}", response.Id);
            var output = Assert.Single(response.Outputs);
            Assert.Equal([sizes[i], 10], output.Shape);
            var alone = DirectOrt.Run(path, inputs[i], [sizes[i], 1, 28, 28]);
            Assert.True(Tensors.MaxAbsDiff(Tensors.Floats(output), alone) <= 1e-5f, $"request {i} got rows that are not its own");
        }

        var statistics = model.Statistics;
        Assert.Equal((1L, 19L, 6L), (statistics.ExecutionCount, statistics.InferenceCount, statistics.SuccessCount));
        Assert.Equal([new BatchSizeCount(19, 1, model.BatchStatistics[0].ComputeNanoseconds)], model.BatchStatistics);
    }

    [Fact]
    public async Task InferAsync_MergedMultiInputRequests_SplitPerRequestAndFilteredOutputs()
    {
        var (path, digest) = TestModels.Write(TestModels.TwoHeads(), _directory.Combine("heads.onnx"));
        var time = new FakeTimeProvider();
        var options = new OnnxModelVersionOptions { Batching = new DynamicBatcherOptions { MaxQueueDelay = TimeSpan.FromMilliseconds(100) } };
        await using var model = await OnnxModelVersion.LoadAsync(path, digest, "heads", "1", options, time: time);

        var requests = new[]
        {
            Heads(rows: 2, seed: 1) with { RequestedOutputs = ["product"] },
            Heads(rows: 1, seed: 2),
            Heads(rows: 3, seed: 3) with { RequestedOutputs = ["sum"] },
        };
        var tasks = requests.Select(r => model.InferAsync(r, default).AsTask()).ToArray();
        await AdvanceUntilDone(time, tasks);

        Assert.Equal(1, model.Statistics.ExecutionCount);
        for (var i = 0; i < requests.Length; i++)
        {
            var a = Tensors.Floats(requests[i].Inputs[0]);
            var b = Tensors.Floats(requests[i].Inputs[1]);
            var outputs = (await tasks[i]).Outputs.ToDictionary(o => o.Name);
            var wanted = requests[i].RequestedOutputs ?? ["sum", "product"];
            Assert.Equal(wanted.Order(), outputs.Keys.Order());
            if (outputs.TryGetValue("sum", out var sum))
            {
                Assert.Equal(a.Zip(b, (x, y) => x + y), Tensors.Floats(sum));
                Assert.Equal([a.Length / 3, 3], sum.Shape);
            }

            if (outputs.TryGetValue("product", out var product))
            {
                Assert.Equal(a.Zip(b, (x, y) => x * y), Tensors.Floats(product));
            }
        }
    }

    [Fact]
    public async Task InferAsync_Int64Model_RawBytesInAndOut()
    {
        var (path, digest) = TestModels.Write(TestModels.TwoHeads(dataType: TensorProto.Types.DataType.Int64), _directory.Combine("int.onnx"));
        await using var model = await OnnxModelVersion.LoadAsync(path, digest, "int", "1");
        long[] a = [1, 2, 3, long.MaxValue - 10, -5, 0], b = [10, 20, 30, 10, 5, 7];
        InferenceTensor Tensor(string name, long[] values) => new(name, "INT64", [2, 3], System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

        var response = await model.InferAsync(new InferenceRequest("int", null, [Tensor("a", a), Tensor("b", b)]) { RequestedOutputs = ["sum"] }, default);

        Assert.Equal("INT64", model.Descriptor.Inputs[0].DataType);
        var sum = Assert.Single(response.Outputs);
        Assert.Equal(a.Zip(b, (x, y) => x + y), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(sum.Data.Span).ToArray());
    }

    [Fact]
    public async Task InferAsync_UnalignedInputBytes_StillCorrect()
    {
        var (path, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp()), _directory.Combine("mlp.onnx"));
        await using var model = await OnnxModelVersion.LoadAsync(path, digest, "mlp", "1");
        var images = Tensors.Images(2, 9);
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(images.AsSpan()).ToArray();
        var shifted = new byte[bytes.Length + 1];
        bytes.CopyTo(shifted, 1);

        var response = await model.InferAsync(new InferenceRequest("mlp", null, [new InferenceTensor("input", "FP32", [2, 1, 28, 28], shifted.AsMemory(1))]), default);

        Assert.True(Tensors.MaxAbsDiff(Tensors.Floats(response.Outputs[0]), DirectOrt.Run(path, images, [2, 1, 28, 28])) <= 1e-6f);
    }

    [Fact]
    public async Task LoadAsync_StaticBatchDimension_ServedUnbatched()
    {
        var (path, digest) = TestModels.Write(TestModels.TwoHeads(batchable: false), _directory.Combine("static.onnx"));
        await using var model = await OnnxModelVersion.LoadAsync(path, digest, "static", "1");

        var response = await model.InferAsync(Heads(rows: 2, seed: 4), default);
        var error = await Assert.ThrowsAsync<InferenceException>(() => model.InferAsync(Heads(rows: 1, seed: 4), default).AsTask());

        Assert.Equal(0, model.Descriptor.MaxBatchSize);
        Assert.Equal([2, 3], model.Descriptor.Inputs[0].Shape);
        Assert.Equal([2, 3], response.Outputs[0].Shape);
        Assert.Equal(InferenceErrorKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public async Task InferAsync_CancelledWhileWaitingForBatch_RemovedBeforeExecution()
    {
        var (path, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp()), _directory.Combine("mlp.onnx"));
        var time = new FakeTimeProvider();
        var options = new OnnxModelVersionOptions { Batching = new DynamicBatcherOptions { MaxQueueDelay = TimeSpan.FromMilliseconds(100) } };
        await using var model = await OnnxModelVersion.LoadAsync(path, digest, "mlp", "1", options, time: time);
        using var cancellation = new CancellationTokenSource();

        var task = model.InferAsync(Tensors.ImageRequest("mlp", Tensors.Images(1, 1), 1), cancellation.Token).AsTask();
        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
        var next = model.InferAsync(Tensors.ImageRequest("mlp", Tensors.Images(1, 2), 1), default).AsTask();
        await AdvanceUntilDone(time, [next]);

        Assert.Equal((1L, 1L, 1L), (model.Statistics.ExecutionCount, model.Statistics.InferenceCount, model.Statistics.SuccessCount));
    }

    [Fact]
    public async Task DisposeAsync_ReleasesSession_FurtherCallsUnavailable()
    {
        var (path, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp()), _directory.Combine("mlp.onnx"));
        var model = await OnnxModelVersion.LoadAsync(path, digest, "mlp", "1");
        await model.InferAsync(Tensors.ImageRequest("mlp", Tensors.Images(1, 1), 1), default);

        await model.DisposeAsync();
        await model.DisposeAsync(); // idempotent

        Assert.False(model.IsReady);
        var error = await Assert.ThrowsAsync<InferenceException>(() => model.InferAsync(Tensors.ImageRequest("mlp", Tensors.Images(1, 1), 1), default).AsTask());
        Assert.Equal(InferenceErrorKind.Unavailable, error.Kind);
        Assert.Contains("unloaded", error.Message);
    }

    [Fact]
    public async Task DisposeAsync_QueuedRequestsDrainedBeforeRelease()
    {
        var (path, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp()), _directory.Combine("mlp.onnx"));
        var time = new FakeTimeProvider();
        var options = new OnnxModelVersionOptions { Batching = new DynamicBatcherOptions { MaxQueueDelay = TimeSpan.FromSeconds(1) } };
        var model = await OnnxModelVersion.LoadAsync(path, digest, "mlp", "1", options, time: time);
        var queued = Enumerable.Range(0, 3).Select(i => model.InferAsync(Tensors.ImageRequest("mlp", Tensors.Images(1, i), 1), default).AsTask()).ToArray();

        await model.DisposeAsync().AsTask().WaitAsync(Wait); // no clock advance: draining sends the waiting batch at once

        await Task.WhenAll(queued).WaitAsync(Wait);
        Assert.Equal(3, model.Statistics.SuccessCount);
    }

    private static InferenceRequest Heads(int rows, int seed)
    {
        var random = new Random(seed);
        float[] Values() => [.. Enumerable.Range(0, rows * 3).Select(_ => (float)Math.Round(random.NextDouble() * 100, 2))];
        return new InferenceRequest("heads", null, [Tensors.Fp32("a", Values(), rows, 3), Tensors.Fp32("b", Values(), rows, 3)]) { Id = $"heads-{seed}" };
    }

    private static async Task AdvanceUntilDone(FakeTimeProvider time, Task[] tasks)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!tasks.All(t => t.IsCompleted))
        {
            Assert.True(DateTime.UtcNow < deadline, "requests did not complete");
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(5);
        }

        await Task.WhenAll(tasks);
    }
}
