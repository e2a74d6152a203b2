using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using MlOps.Serving.Hosting;
using MlOps.Serving.Hosting.Batching;
using MlOps.Serving.Models;

namespace MlOps.ServingBench;

/// <summary>
/// (a) The limit: one InferenceSession run in a loop with pre-created input and output OrtValues, per batch size,
/// with the host's session settings; next to it the same batch through <see cref="OnnxModelVersion.InferAsync"/>
/// from one caller (validation, queue hop, output array, response), so the host's own cost per call shows.
/// </summary>
internal static class DirectBenchmark
{
    public static async Task RunAsync(BenchModel model, BenchOptions options)
    {
        Console.WriteLine();
        Console.WriteLine($"### {model.Description}: in-process, one caller");
        Console.WriteLine();
        Console.WriteLine("| batch | direct ORT µs/call (median) | direct samples/s | host µs/call (median) | host samples/s | host overhead µs |");
        Console.WriteLine("|---|---|---|---|---|---|");

        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = options.Threads,
            InterOpNumThreads = 1,
        };
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", options.Spinning ? "1" : "0");
        using var session = new InferenceSession(model.Path, sessionOptions);
        var hostOptions = new OnnxModelVersionOptions { IntraOpThreads = options.Threads, AllowSpinning = options.Spinning, Batching = new DynamicBatcherOptions() };
        await using var host = await OnnxModelVersion.LoadAsync(model.Path, model.Digest, model.Name, "1", hostOptions);

        foreach (var batch in options.BatchSizes)
        {
            var input = Images(batch);
            var direct = Direct(session, input, batch, options.Seconds);
            var request = new InferenceRequest(model.Name, "1", [new InferenceTensor("input", "FP32", [batch, 1, 28, 28], MemoryMarshal.AsBytes(input.AsSpan()).ToArray())]);
            var hosted = await MeasureAsync(async () => await host.InferAsync(request, default), options.Seconds);
            var (d, h) = (Stats.Median(direct), Stats.Median(hosted));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {batch} | {d:F1} | {batch * 1e6 / d:N0} | {h:F1} | {batch * 1e6 / h:N0} | {h - d:F1} |"));
        }
    }

    private static List<double> Direct(InferenceSession session, float[] input, int batch, double seconds)
    {
        var output = new float[batch * 10];
        using var inputValue = OrtValue.CreateTensorValueFromMemory(input, [batch, 1, 28, 28]);
        using var outputValue = OrtValue.CreateTensorValueFromMemory(output, [batch, 10]);
        using var runOptions = new RunOptions();
        string[] inputNames = ["input"], outputNames = ["output"];
        OrtValue[] inputs = [inputValue], outputs = [outputValue];
        return MeasureAsync(() =>
        {
            session.Run(runOptions, inputNames, inputs, outputNames, outputs);
            return ValueTask.CompletedTask;
        }, seconds).GetAwaiter().GetResult();
    }

    /// <summary>Runs the call for a fifth of the time to warm up, then times each call for the rest (at least 30 calls).</summary>
    private static async Task<List<double>> MeasureAsync(Func<ValueTask> call, double seconds)
    {
        var warmUntil = Stopwatch.GetTimestamp() + (long)(seconds * 0.2 * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < warmUntil)
        {
            await call();
        }

        var samples = new List<double>();
        var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        while (samples.Count < 30 || (Stopwatch.GetTimestamp() < end && samples.Count < 200_000))
        {
            var start = Stopwatch.GetTimestamp();
            await call();
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
        }

        return samples;
    }

    internal static float[] Images(int rows)
    {
        var random = new Random(rows);
        return [.. Enumerable.Range(0, rows * 784).Select(_ => (float)((random.NextDouble() - 0.286) / 0.353))];
    }
}
