using System.Diagnostics;
using System.Globalization;
using MlOps.Contracts;
using MlOps.Core.Digests;
using MlOps.Core.Jobs;
using MlOps.Onnx;
using MlOps.Training.Models;
using static TorchSharp.torch;

namespace MlOps.ExportBench;

/// <summary>
/// Times the export of a trained module in its three parts: reading the weights out of TorchSharp
/// (<see cref="ModelWeights.Extract"/>), building and serializing the ONNX model (<see cref="OnnxExporter.Export"/>),
/// and writing the file with its SHA-256 (what the trainer adds). Medians over N runs after one warm-up run.
/// </summary>
internal static class ExportBenchmark
{
    public static int Run(BenchOptions options)
    {
        set_num_threads(options.Threads);
        Console.WriteLine($"runs {options.Runs} after 1 warm-up; torch threads {get_num_threads()}; {Environment.ProcessorCount} cores; .NET {Environment.Version}");
        Console.WriteLine("| model | parameters | file bytes | extract ms | export ms | write+sha256 ms | total ms (median) |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (name, file) in new[] { ("MLP 784-256-128-10", "fashion-mnist-mlp.yaml"), ("CNN 2-conv+BN", "fashion-mnist-cnn.yaml") })
        {
            Measure(name, JobSpecYaml.LoadFile(Path.Combine(RepoRoot(), "examples", file)).Model, options.Runs);
        }

        return 0;
    }

    private static void Measure(string name, ModelSpec spec, int runs)
    {
        manual_seed(1);
        using var model = ModelBuilder.Build(spec);
        model.eval();
        var parameters = model.parameters().Sum(p => p.numel());
        var path = Path.Combine(Path.GetTempPath(), $"mlops-exportbench-{Environment.ProcessId}.onnx");
        var options = new OnnxExportOptions { ModelName = "bench" };
        List<double> extract = [], export = [], write = [], total = [];
        long bytes = 0;
        try
        {
            for (var run = 0; run <= runs; run++)
            {
                var start = Stopwatch.GetTimestamp();
                var weights = ModelWeights.Extract(model);
                var extracted = Stopwatch.GetTimestamp();
                var onnx = OnnxExporter.Export(spec, weights, options);
                var exported = Stopwatch.GetTimestamp();
                File.WriteAllBytes(path, onnx);
                _ = Sha256Digest.OfFile(path);
                var written = Stopwatch.GetTimestamp();
                bytes = onnx.Length;
                if (run == 0)
                {
                    continue; // warm-up: JIT and first-touch allocations
                }

                extract.Add(Stopwatch.GetElapsedTime(start, extracted).TotalMilliseconds);
                export.Add(Stopwatch.GetElapsedTime(extracted, exported).TotalMilliseconds);
                write.Add(Stopwatch.GetElapsedTime(exported, written).TotalMilliseconds);
                total.Add(Stopwatch.GetElapsedTime(start, written).TotalMilliseconds);
            }
        }
        finally
        {
            File.Delete(path);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {parameters:N0} | {bytes:N0} | {Median(extract):F2} | {Median(export):F2} | {Median(write):F2} | {Median(total):F2} (min {total.Min():F2}, max {total.Max():F2}) |"));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    internal static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "examples")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new DirectoryNotFoundException("examples/ not found above " + AppContext.BaseDirectory);
    }
}
