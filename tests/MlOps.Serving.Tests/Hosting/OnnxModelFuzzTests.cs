using System.Text;
using MlOps.Core.Digests;
using MlOps.Onnx.Protos;
using MlOps.Serving.Hosting;
using MlOps.Serving.Hosting.Batching;
using MlOps.Serving.Hosting.Repository;
using MlOps.Serving.Models;
using MlOps.Serving.Tests.Hosting.Support;
using MlOps.Testing;
using MlOps.Testing.Fuzzing;
using Xunit.Abstractions;

namespace MlOps.Serving.Tests.Hosting;

/// <summary>
/// Mutation fuzzing of how a node loads a model it is asked to serve: the ONNX file (digest check, ONNX Runtime session
/// from corrupted bytes, signature read, warm-up inference) and a pulled model directory's <c>config.json</c>. Seeds are
/// real exported models. The only failure allowed is an <see cref="InferenceException"/>: a model that cannot be served
/// is refused with a message, never with an unexpected exception, a native crash or a huge allocation. Session creation
/// costs milliseconds, so the bounded count is small; <c>MLOPS_FUZZ_SECONDS</c> runs a campaign.
/// </summary>
public sealed class OnnxModelFuzzTests(ITestOutputHelper output) : IDisposable
{
    private static readonly OnnxModelVersionOptions Options = new()
    {
        IntraOpThreads = 1,
        ExecutionProvider = ExecutionProviderPreference.Cpu,
        Batching = new DynamicBatcherOptions { MaxBatchSize = 4 },
    };

    private readonly TempDirectory _temp = new("mlops-onnx-fuzz");

    public void Dispose() => _temp.Dispose();

    [Fact]
    [Trait("Category", "Fuzz")]
    public void LoadAsync_MutatedOnnxFiles_OnlyInferenceErrors()
    {
        byte[][] seeds =
        [
            TestModels.TwoHeads(),
            TestModels.TwoHeads(batchable: false, TensorProto.Types.DataType.Int64),
            TestModels.Export(TestModels.Mlp()),
            TestModels.Identity(1L << 40),
            TestModels.Identity(long.MaxValue),
            TestModels.Identity(-7),
            TestModels.Identity(4, new Dictionary<string, string> { ["mlops.input_mean"] = "0.5" }),
        ];

        var report = FuzzRun.Run("ONNX model load", seeds, Load, new FuzzOptions
        {
            Iterations = 3_000,
            MaxInputBytes = 512 * 1024,
            PerInputTimeout = TimeSpan.FromSeconds(10),
            IsExpected = e => e is InferenceException,
        }.WithEnvironment());

        output.WriteLine(report.Summary);
        Assert.True(report.Passed, report.Describe());
        Assert.True(FuzzOptions.IsCampaign || report.Inputs >= 50, report.Summary);
    }

    [Fact]
    [Trait("Category", "Fuzz")]
    public void ModelFilesResolve_MutatedConfigJson_OnlyInferenceErrors()
    {
        var directory = _temp.Combine("model");
        Directory.CreateDirectory(directory);
        File.WriteAllBytes(Path.Combine(directory, ModelFiles.OnnxFileName), TestModels.TwoHeads());
        var descriptor = new ModelDescriptor("m", "1", [new TensorSpec("a", "FP32", [-1, 3]), new TensorSpec("b", "FP32", [-1, 3])],
            [new TensorSpec("sum", "FP32", [-1, 3]), new TensorSpec("product", "FP32", [-1, 3])]);
        const string Config = """
            {"schemaVersion":1,"signature":{"inputs":[{"name":"a","dataType":"float32","shape":[-1,3]},{"name":"b","dataType":"float32","shape":[-1,3]}],
            "outputs":[{"name":"sum","dataType":"float32","shape":[-1,3]},{"name":"product","dataType":"float32","shape":[-1,3]}]},
            "metrics":{"test_accuracy":0.9},"lineage":{"onnxDigest":"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","opset":17}}
            """;
        var seeds = new[] { Encoding.UTF8.GetBytes(Config) }.Concat(FuzzInputs.HostileJson(Config)).ToList();

        var report = FuzzRun.Run("model directory config.json", seeds, config =>
        {
            File.WriteAllBytes(Path.Combine(directory, ModelFiles.ConfigFileName), config);
            _ = ModelFiles.Resolve(directory, "m", "1").Mismatches(descriptor);
        }, new FuzzOptions
        {
            Iterations = 20_000,
            IsExpected = e => e is InferenceException,
        }.WithEnvironment());

        output.WriteLine(report.Summary);
        Assert.True(report.Passed, report.Describe());
        Assert.True(FuzzOptions.IsCampaign || report.Inputs >= 500, report.Summary);
    }

    private void Load(byte[] model)
    {
        var path = _temp.Combine("model.onnx");
        File.WriteAllBytes(path, model);
        var version = OnnxModelVersion.LoadAsync(path, Sha256Digest.OfBytes(model), "fuzz", "1", Options).GetAwaiter().GetResult();
        version.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
