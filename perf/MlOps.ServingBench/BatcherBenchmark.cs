using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using MlOps.Serving.Hosting;
using MlOps.Serving.Hosting.Batching;
using MlOps.Serving.Models;

namespace MlOps.ServingBench;

/// <summary>
/// (b) The host under load: N concurrent callers, each sending batch-1 requests back to back through one
/// <see cref="OnnxModelVersion"/> (its dynamic batcher), for each max queue delay. Throughput, latency as the
/// caller sees it, and the batch sizes the batcher formed during the measured window.
/// </summary>
internal static class BatcherBenchmark
{
    public static async Task RunAsync(BenchModel model, BenchOptions options)
    {
        Console.WriteLine();
        Console.WriteLine($"### {model.Description}: dynamic batcher, {options.Callers} concurrent batch-1 callers, max batch 64");
        Console.WriteLine();
        Console.WriteLine("| max queue delay µs | requests/s | latency median µs | p99 µs | executions/s | mean batch | most frequent batch sizes (share of executions) |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var delay in options.DelaysMicroseconds)
        {
            var hostOptions = new OnnxModelVersionOptions
            {
                IntraOpThreads = options.Threads,
                AllowSpinning = options.Spinning,
                Batching = new DynamicBatcherOptions { MaxQueueDelay = TimeSpan.FromMicroseconds(delay) },
            };
            await using var host = await OnnxModelVersion.LoadAsync(model.Path, model.Digest, model.Name, "1", hostOptions);
            await RunOnceAsync(host, options, TimeSpan.FromSeconds(1), measure: false);
            var before = host.BatchStatistics.ToDictionary(b => b.BatchSize, b => b.ExecutionCount);
            var (latencies, elapsed) = await RunOnceAsync(host, options, TimeSpan.FromSeconds(options.BatcherSeconds), measure: true);
            var formed = host.BatchStatistics
                .Select(b => (b.BatchSize, Count: b.ExecutionCount - before.GetValueOrDefault(b.BatchSize)))
                .Where(b => b.Count > 0).ToList();
            var executions = formed.Sum(b => b.Count);
            var rows = formed.Sum(b => (long)b.BatchSize * b.Count);
            var top = string.Join(", ", formed.OrderByDescending(b => b.Count).Take(4)
                .Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.BatchSize} ({100.0 * b.Count / executions:F0}%)")));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {delay} | {latencies.Count / elapsed.TotalSeconds:N0} | {Stats.Median(latencies):F0} | {Stats.Percentile(latencies, 0.99):F0} | {executions / elapsed.TotalSeconds:N0} | {(double)rows / executions:F1} | {top} |"));
        }
    }

    private static async Task<(List<double> Latencies, TimeSpan Elapsed)> RunOnceAsync(OnnxModelVersion host, BenchOptions options, TimeSpan duration, bool measure)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var started = Stopwatch.GetTimestamp();
        var callers = Enumerable.Range(0, options.Callers).Select(caller => Task.Run(async () =>
        {
            var image = DirectBenchmark.Images(1);
            var request = new InferenceRequest(host.Descriptor.Name, "1", [new InferenceTensor("input", "FP32", [1, 1, 28, 28], MemoryMarshal.AsBytes(image.AsSpan()).ToArray())]);
            var latencies = new List<double>();
            while (Stopwatch.GetTimestamp() < end)
            {
                var start = Stopwatch.GetTimestamp();
                await host.InferAsync(request, default);
                if (measure)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds);
                }
            }

            return latencies;
        })).ToArray();
        var all = (await Task.WhenAll(callers)).SelectMany(l => l).ToList();
        return (all, Stopwatch.GetElapsedTime(started));
    }
}
