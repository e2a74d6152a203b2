using MlOps.Artifacts;
using MlOps.Artifacts.Datasets;
using MlOps.Artifacts.Models;
using MlOps.Core.Datasets;
using MlOps.Core.Digests;

namespace MlOps.Coordinator.Tests.TestData;

/// <summary>Artifacts as agents and the CLI push them, through the artifact library's own helpers.</summary>
public static class TestArtifacts
{
    /// <summary>Tag the upload carries before the registry numbers it.</summary>
    public const string UploadTag = "upload";

    /// <summary>Writes the tiny 4x4 dataset into <paramref name="directory"/> and pushes it as <c>datasets/&lt;name&gt;</c>;
    /// returns the manifest digest. A different <paramref name="seed"/> gives different files (a new version).</summary>
    public static async Task<string> PushDatasetAsync(IArtifactStore store, string name, string directory, int seed = 1, Action<string>? damage = null)
    {
        MlOps.Testing.TinyMnistDataset.Write(directory, trainCount: 20, testCount: 10, seed: seed, size: FourPixelDataset.Size);
        damage?.Invoke(directory);
        var files = MnistFormat.FileNames.Select(f => Path.Combine(directory, f)).ToList();
        return await store.PushDatasetAsync("datasets/" + name, UploadTag, name, files);
    }

    /// <summary>Pushes a model artifact for <paramref name="jobId"/> to <c>models/&lt;model&gt;</c> (the ONNX file is stand-in
    /// bytes: the registry never parses it); returns the manifest digest and the ONNX layer's digest.</summary>
    public static async Task<(string ManifestDigest, string OnnxDigest)> PushModelAsync(
        IArtifactStore store, string directory, string model, string jobId, double accuracy, string? codeVersion = "abc1234")
    {
        Directory.CreateDirectory(directory);
        var onnx = Path.Combine(directory, $"{jobId}.onnx");
        await File.WriteAllBytesAsync(onnx, System.Text.Encoding.UTF8.GetBytes($"onnx model of {jobId}"));
        var signature = new ModelSignature(
            [new TensorSignature("input", "float32", [-1, 1, 4, 4])],
            [new TensorSignature("logits", "float32", [-1, 10])]);
        var config = new ModelArtifactConfig(signature, new Dictionary<string, double> { ["accuracy"] = accuracy, ["loss"] = 0.25 },
            new ModelLineage
            {
                JobId = jobId,
                Seed = 1,
                CodeVersion = codeVersion,
                TorchSharpVersion = "0.107.0",
                OnnxRuntimeVersion = "1.31.1",
                Opset = 17,
            })
        {
            Name = model,
        };
        var digest = await store.PushModelAsync("models/" + model, UploadTag, config, onnx);
        return (digest, await Sha256Digest.OfFileAsync(onnx));
    }

    /// <summary>Where the coordinator's default layout store keeps a blob on disk.</summary>
    public static string BlobPath(string dataDirectory, string repository, string digest) =>
        Path.Combine(dataDirectory, "artifacts", repository, "blobs", "sha256", digest[Sha256Digest.Prefix.Length..]);

    /// <summary>Flips one byte of a stored file at <paramref name="offset"/> (from the end when negative), as bit rot would.</summary>
    public static void FlipByte(string path, long offset)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = offset >= 0 ? offset : file.Length + offset;
        var b = file.ReadByte();
        file.Position -= 1;
        file.WriteByte((byte)(b ^ 0xff));
    }
}
