using MlOps.Artifacts;
using MlOps.Artifacts.Models;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Fakes;

/// <summary>Registered model versions for CLI tests: lineage records, and real model artifacts in the fake store.</summary>
internal static class RegistryFixtures
{
    public const string DatasetDigest = "sha256:dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd";
    public const string OnnxDigest = "sha256:eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee";

    public static Lineage Lineage(string jobId = "job-7", string onnxDigest = OnnxDigest) => new()
    {
        DatasetName = "fashion-mnist",
        DatasetVersion = "1",
        DatasetDigest = DatasetDigest,
        JobId = jobId,
        JobSpecDigest = "sha256:" + new string('5', 64),
        Seed = 42,
        CodeVersion = "0123abc",
        TorchsharpVersion = "0.107.0",
        OnnxruntimeVersion = "1.31.1",
        OnnxDigest = onnxDigest,
        Opset = 17,
        IrVersion = 8,
    };

    /// <summary>Pushes a model artifact (fake ONNX bytes) to <c>models/NAME</c> tagged <c>vN</c> and registers it.</summary>
    public static async Task<ModelVersion> PushAndRegisterAsync(FakeCoordinatorForCliTests server, string tempDirectory, string model, int version, byte[] onnx)
    {
        var onnxPath = Path.Combine(tempDirectory, $"{model}-{version}.onnx");
        await File.WriteAllBytesAsync(onnxPath, onnx);
        var config = new ModelArtifactConfig(
            new ModelSignature([new TensorSignature("input", "float32", [-1, 1, 28, 28])], [new TensorSignature("logits", "float32", [-1, 10])]),
            new Dictionary<string, double> { ["test_accuracy"] = 0.8857 },
            new ModelLineage { DatasetDigest = DatasetDigest, JobId = "job-7", Seed = 42, Opset = 17 })
        {
            Name = model,
            Version = version.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var repository = "models/" + model;
        var manifestDigest = await server.Artifacts.Store.PushModelAsync(repository, "v" + config.Version, config, onnxPath);
        var onnxDigest = MlOps.Core.Digests.Sha256Digest.OfBytes(onnx);
        var registered = server.Models.Add(model, version, onnxDigest, Lineage(onnxDigest: onnxDigest), ("test_accuracy", 0.8857));
        registered.ManifestDigest = manifestDigest;
        return registered;
    }
}
