using MlOps.Core.Digests;
using MlOps.Core.Jobs;
using MlOps.Onnx;
using MlOps.Serving.Tests.Hosting.Support;

namespace MlOps.ServingBench;

/// <summary>An exported example model on disk.</summary>
internal sealed record BenchModel(string Name, string Description, string Path, string Digest);

/// <summary>The examples' architectures (examples/*.yaml) exported with seeded random weights: speed does not depend on the values.</summary>
internal static class BenchModels
{
    private static readonly Dictionary<string, (string File, string Description)> Examples = new()
    {
        ["mlp"] = ("fashion-mnist-mlp.yaml", "MLP 784-256-128-10 (examples/fashion-mnist-mlp.yaml)"),
        ["cnn"] = ("fashion-mnist-cnn.yaml", "CNN 2-conv+BN 32/64, FC 128 (examples/fashion-mnist-cnn.yaml)"),
    };

    public static IEnumerable<BenchModel> Load(BenchOptions options)
    {
        foreach (var name in options.Models)
        {
            var (file, description) = Examples[name];
            var spec = JobSpecYaml.LoadFile(System.IO.Path.Combine(RepoRoot(), "examples", file)).Model;
            var bytes = OnnxExporter.Export(spec, RandomWeights.For(spec, seed: 1), new OnnxExportOptions { ModelName = name });
            var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mlops-servingbench-{Environment.ProcessId}-{name}.onnx");
            File.WriteAllBytes(path, bytes);
            yield return new BenchModel(name, description, path, Sha256Digest.OfBytes(bytes));
        }
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(System.IO.Path.Combine(dir.FullName, "examples")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("examples/ not found above " + AppContext.BaseDirectory);
    }
}
