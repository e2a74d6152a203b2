using System.Diagnostics;
using System.Globalization;
using MlOps.Monitoring.Profiles;
using MlOps.Monitoring.Serialization;
using MlOps.Serving.Hosting;
using MlOps.Serving.Monitoring;

namespace MlOps.ServingBench;

/// <summary>
/// <c>served --live-profile off,on [--rounds 3]</c>: served throughput of the real stack (as <see cref="ServedBenchmark"/>,
/// N closed-loop batch-1 gRPC clients in a child process) with the version loaded from a model directory without and
/// with a reference profile (<c>profile.json</c>, built from synthetic images), i.e. live statistics off and on at the
/// host's default sampling. The modes alternate within each round on one server, so drift of the machine hits both;
/// the medians over rounds and their ratio are printed.
/// </summary>
internal static class LiveProfileBenchmark
{
    public static async Task<int> RunAsync(ServedOptions options)
    {
        var modes = options.LiveProfile!;
        if (modes.Any(m => m is not ("off" or "on")))
        {
            Console.Error.WriteLine("--live-profile takes off, on or off,on");
            return 2;
        }

        var cost = ProfileUpdateCost.Measure();
        var sampleEvery = new OnnxModelVersionOptions().ProfileSampleEvery;
        var maxPerSecond = new OnnxModelVersionOptions().ProfileMaxPerSecond;
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c,
            $"served --live-profile: {Environment.ProcessorCount} cores, .NET {Environment.Version}; host defaults (profile every {sampleEvery} request(s), at most {maxPerSecond} a second); {options.Clients} clients, {options.WarmupSeconds} s warm-up, {options.Seconds} s measured per run, {options.Rounds} round(s) of {string.Join(",", modes)}; clients in a child process"));
        Console.WriteLine(string.Create(c,
            $"ModelProfile.Add (28x28, 10 classes): {cost.NanosecondsPerRequest:F0} ns per image, {cost.BytesAllocatedPerRequest:F1} B allocated; per served request at 1 in {sampleEvery}: {cost.NanosecondsPerRequest / sampleEvery:F0} ns"));

        var bench = new BenchOptions(options.Models, [1], Environment.ProcessorCount, options.DirectSeconds, options.Clients, [0], 0, true);
        foreach (var model in BenchModels.Load(bench))
        {
            var root = Path.Combine(Path.GetTempPath(), $"mlops-servingbench-{Environment.ProcessId}-{model.Name}-dirs");
            try
            {
                await RunModelAsync(model, options, modes, Directories(model, root));
            }
            finally
            {
                File.Delete(model.Path);
                Directory.Delete(root, recursive: true);
            }
        }

        return 0;
    }

    private static async Task RunModelAsync(BenchModel model, ServedOptions options, string[] modes, IReadOnlyDictionary<string, string> directories)
    {
        var (app, address, repository) = await ServedBenchmark.StartHostAsync(options);
        await using var _ = app;
        var runs = modes.ToDictionary(m => m, _ => new List<(double Rps, double CpuUs, long Profiled, long Skipped)>());
        for (var round = 0; round < options.Rounds; round++)
        {
            foreach (var mode in modes)
            {
                // Reloading swaps the version in place: the same server, only the model directory differs.
                var version = await repository.LoadVersionAsync(model.Name, "1", directories[mode], model.Digest);
                if ((version.Profiler is not null) != (mode == "on"))
                {
                    throw new InvalidOperationException($"mode {mode}: the version {(version.Profiler is null ? "has no" : "has a")} live profiler");
                }

                using var child = ServedBenchmark.StartClient(address, model.Name, options.Clients, options.WarmupSeconds, options.Seconds, options.Streaming, options.Lean);
                await ServedBenchmark.ExpectAsync(child, "START");
                version.Profiler?.TakeWindow();
                var skipsBefore = version.Profiler?.BusySkips ?? 0;
                var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                var load = ServedBenchmark.ClientResult.Parse(await ServedBenchmark.ExpectAsync(child, "END"));
                var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
                var window = version.Profiler?.TakeWindow();
                await child.WaitForExitAsync();
                if (load.Errors > 0)
                {
                    throw new InvalidOperationException($"mode {mode}: {load.Errors} errors");
                }

                runs[mode].Add((load.Requests / load.Seconds, cpu.TotalMicroseconds / load.Requests, window?.Profiled ?? 0, (version.Profiler?.BusySkips ?? 0) - skipsBefore));
            }
        }

        await app.StopAsync();
        await repository.DisposeAsync();

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine($"### {model.Description}: live statistics off vs on (served over gRPC)");
        Console.WriteLine();
        Console.WriteLine("| live profile | requests/s per run | median requests/s | server CPU µs/request (median) | rows profiled per run | busy skips |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var mode in modes)
        {
            var r = runs[mode];
            Console.WriteLine(string.Create(c,
                $"| {mode} | {string.Join(", ", r.Select(x => x.Rps.ToString("N0", c)))} | {Stats.Median([.. r.Select(x => x.Rps)]):N0} | {Stats.Median([.. r.Select(x => x.CpuUs)]):F1} | {string.Join(", ", r.Select(x => x.Profiled.ToString("N0", c)))} | {r.Sum(x => x.Skipped):N0} |"));
        }

        if (runs.TryGetValue("on", out var on) && runs.TryGetValue("off", out var off))
        {
            var ratio = Stats.Median([.. on.Select(x => x.Rps)]) / Stats.Median([.. off.Select(x => x.Rps)]);
            Console.WriteLine();
            Console.WriteLine(string.Create(c, $"**ratio on / off (median requests/s): {ratio:F3}**"));
        }
    }

    /// <summary>Two model directories with the same ONNX file; only "on" holds a reference profile (synthetic images).</summary>
    private static Dictionary<string, string> Directories(BenchModel model, string root)
    {
        var directories = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["off"] = Path.Combine(root, "off"),
            ["on"] = Path.Combine(root, "on"),
        };
        foreach (var directory in directories.Values)
        {
            Directory.CreateDirectory(directory);
            File.Copy(model.Path, Path.Combine(directory, "model.onnx"));
        }

        var random = new Random(7);
        var images = Enumerable.Range(0, 2000)
            .Select(_ => new ReadOnlyMemory<float>([.. Enumerable.Range(0, 784).Select(_ => (float)((random.NextDouble() - 0.286) / 0.353))]))
            .ToList();
        var predictions = new PredictionProfile(10);
        foreach (var _ in images)
        {
            predictions.Add(random.Next(10));
        }

        var reference = new ModelProfile(ImageProfile.CreateReference(images, 28, 28), predictions);
        File.WriteAllBytes(Path.Combine(directories["on"], LiveProfiler.FileName), ProfileJson.Serialize(reference));
        return directories;
    }
}
