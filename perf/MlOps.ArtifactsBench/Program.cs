using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using MlOps.Artifacts;
using MlOps.Artifacts.Configuration;
using MlOps.ArtifactsBench;

// Push and pull throughput of both artifact stores next to sha256sum on the same file, medians of N runs.
// Usage: dotnet run --project perf/MlOps.ArtifactsBench -c Release -- [--size-mb 200] [--runs 5] [--chunk-mb 16] [--work DIR]
var options = BenchOptions.Parse(args);
var work = options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), $"mlops-artifacts-bench-{Guid.NewGuid():n}");
Directory.CreateDirectory(work);
try
{
    var file = Path.Combine(work, "payload.bin");
    WritePayload(file, options.SizeBytes);
    Console.WriteLine($"payload: {options.SizeBytes / 1e6:0} MB, {options.Runs} runs, chunk {options.ChunkBytes / (1 << 20)} MiB, work dir {work}");

    var results = new List<(string Name, double MedianMBps, IReadOnlyList<double> Runs)>
    {
        Measure("sha256sum (coreutils)", options, _ => Task.Run(() => RunSha256sum(file))),
        Measure(".NET SHA256 of the file", options, _ => Task.Run(() => HashFile(file))),
        Measure("file copy + fsync (disk write baseline)", options, _ => Task.Run(() => CopyWithFsync(file, Path.Combine(work, "copy.bin")))),
    };
    File.Delete(Path.Combine(work, "copy.bin"));

    var layoutRoot = Path.Combine(work, "layout");
    var layout = ArtifactStoreFactory.CreateLayout(layoutRoot);
    results.AddRange(await MeasureStoreAsync("layout", layout, file, work, options, _ => Directory.Delete(layoutRoot, recursive: true)));

    await using (var registry = await LocalRegistry.StartAsync(work))
    {
        using var store = ArtifactStoreFactory.CreateRegistry(new ArtifactStoreOptions
        {
            Kind = ArtifactStoreOptions.RegistryKind,
            Url = registry.Url,
            Insecure = true,
            ChunkSizeBytes = options.ChunkBytes,
        });
        // The bench owns this registry's storage: removing the blob's directory makes the next push store it anew.
        results.AddRange(await MeasureStoreAsync("registry", store, file, work, options, digest =>
            Directory.Delete(Path.Combine(work, "registry-storage", "docker", "registry", "v2", "blobs", "sha256", digest[7..9], digest[7..]), recursive: true)));
    }

    results.Add(Measure("file copy + fsync, after the stores", options, _ => Task.Run(() => CopyWithFsync(file, Path.Combine(work, "copy.bin")))));

    Console.WriteLine();
    Console.WriteLine("| measurement | median MB/s | runs (MB/s) |");
    Console.WriteLine("|---|---|---|");
    foreach (var (name, median, runs) in results)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {median:0} | {string.Join(", ", runs.Select(r => r.ToString("0", CultureInfo.InvariantCulture)))} |"));
    }
}
finally
{
    if (options.WorkDirectory is null)
    {
        Directory.Delete(work, recursive: true);
    }
}

// Each run pushes to a fresh repository, pulls the blob back to a file, then deletes what it wrote, so every run
// starts with the same disk usage. The pulled blob is still in the page cache: pull measures verify + write.
static async Task<IEnumerable<(string, double, IReadOnlyList<double>)>> MeasureStoreAsync(
    string name, IArtifactStore store, string file, string work, BenchOptions options, Action<string> cleanUp)
{
    var pushRates = new List<double>();
    var pullRates = new List<double>();
    var target = Path.Combine(work, "pulled.bin");
    for (var run = 0; run < options.Runs; run++)
    {
        var repository = $"bench/{name}-{run}";
        var watch = Stopwatch.StartNew();
        BlobDescriptor descriptor;
        await using (var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true))
        {
            descriptor = await store.PushBlobAsync(repository, source, "application/octet-stream");
        }

        pushRates.Add(options.SizeBytes / 1e6 / watch.Elapsed.TotalSeconds);
        watch.Restart();
        await store.DownloadBlobAsync(repository, descriptor, target);
        pullRates.Add(options.SizeBytes / 1e6 / watch.Elapsed.TotalSeconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: run {run + 1}: push {pushRates[^1]:0} MB/s, pull {pullRates[^1]:0} MB/s"));
        File.Delete(target);
        cleanUp(descriptor.Digest);
    }

    return [($"{name} push", Median(pushRates), pushRates), ($"{name} pull (verified, to file)", Median(pullRates), pullRates)];
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

static (string, double, IReadOnlyList<double>) Measure(string name, BenchOptions options, Func<int, Task> action) =>
    MeasureAsync(name, options, action).GetAwaiter().GetResult();

static async Task<(string, double, IReadOnlyList<double>)> MeasureAsync(string name, BenchOptions options, Func<int, Task> action)
{
    var rates = new List<double>();
    for (var run = 0; run < options.Runs; run++)
    {
        var watch = Stopwatch.StartNew();
        await action(run);
        rates.Add(options.SizeBytes / 1e6 / watch.Elapsed.TotalSeconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: run {run + 1}: {rates[^1]:0} MB/s"));
    }

    return (name, Median(rates), rates);
}

static void RunSha256sum(string file)
{
    using var process = Process.Start(new ProcessStartInfo("sha256sum", [file]) { RedirectStandardOutput = true })!;
    process.StandardOutput.ReadToEnd();
    process.WaitForExit();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"sha256sum exited with {process.ExitCode}");
    }
}

static void HashFile(string path)
{
    using var stream = File.OpenRead(path);
    SHA256.HashData(stream);
}

static void CopyWithFsync(string source, string target)
{
    using (var input = File.OpenRead(source))
    using (var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 1))
    {
        input.CopyTo(output, 1 << 20);
        output.Flush(flushToDisk: true);
    }

    File.Delete(target);
}

static void WritePayload(string path, long size)
{
    var random = new Random(42);
    var buffer = new byte[1 << 20];
    using var file = File.Create(path);
    for (long written = 0; written < size; written += buffer.Length)
    {
        random.NextBytes(buffer);
        file.Write(buffer, 0, (int)Math.Min(buffer.Length, size - written));
    }
}
