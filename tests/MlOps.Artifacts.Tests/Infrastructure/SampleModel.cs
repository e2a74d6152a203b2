using MlOps.Artifacts.Models;

namespace MlOps.Artifacts.Tests.Infrastructure;

/// <summary>A model config as the trainer would write it for the Fashion-MNIST MLP.</summary>
public static class SampleModel
{
    public static ModelArtifactConfig Config(string? onnxDigest = null) =>
        new(
            new ModelSignature(
                [new TensorSignature("input", "float32", [-1, 784])],
                [new TensorSignature("logits", "float32", [-1, 10])]),
            new Dictionary<string, double> { ["test_accuracy"] = 0.898, ["test_loss"] = 0.31, ["epochs"] = 15 },
            new ModelLineage
            {
                DatasetName = "fashion-mnist",
                DatasetVersion = "1",
                DatasetDigest = "sha256:" + new string('a', 64),
                JobId = "job-42",
                JobSpecDigest = "sha256:" + new string('b', 64),
                Seed = 1234,
                CodeVersion = "a43806d",
                TorchSharpVersion = "0.107.0",
                OnnxRuntimeVersion = "1.31.1",
                OnnxDigest = onnxDigest,
                Opset = 17,
            })
        {
            Name = "fashion-mlp",
            Version = "3",
            Description = "MLP 784-256-128-10",
            Created = new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero),
        };
}
