using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using MlOps.Core.Digests;

namespace MlOps.Core.Datasets;

/// <summary>Where one named dataset lives and what it must hold.</summary>
public sealed class DatasetEntry
{
    /// <summary>Directory holding the files.</summary>
    public string Path { get; set; } = "";

    /// <summary>File layout; only <c>mnist-idx</c> (the four IDX gzip files) so far.</summary>
    public string Format { get; set; } = "mnist-idx";

    /// <summary>Expected number of training samples; null accepts any.</summary>
    public int? TrainCount { get; set; }

    /// <summary>Expected number of test samples; null accepts any.</summary>
    public int? TestCount { get; set; }
}

/// <summary>What a dataset turned out to be when checked: its digest pins the exact bytes a job trains on.</summary>
public sealed record DatasetDescriptor(
    string Name, string Path, string Digest, long[] SampleShape, int Classes, int TrainCount, int TestCount);

/// <summary>
/// Resolves dataset names to directories and checks the files fully (headers, counts, sizes, labels) before
/// a job that names them is accepted. Results are cached per file size and modification time, so a
/// replaced or truncated file is checked again.
/// </summary>
public sealed class DatasetCatalog(IReadOnlyDictionary<string, DatasetEntry> entries)
{
    /// <summary>The default catalog: Fashion-MNIST where Debian's <c>dataset-fashion-mnist</c> package puts it.</summary>
    public static IReadOnlyDictionary<string, DatasetEntry> Defaults { get; } = new Dictionary<string, DatasetEntry>
    {
        ["fashion-mnist"] = new() { Path = "/usr/share/datasets/fashion-mnist", TrainCount = 60_000, TestCount = 10_000 },
    };

    private readonly ConcurrentDictionary<string, (string Stamp, DatasetDescriptor Descriptor)> _cache = new();

    public IEnumerable<string> Names => entries.Keys;

    /// <summary>Checks the named dataset and returns its descriptor. Throws <see cref="KeyNotFoundException"/> for
    /// an unknown name and <see cref="DatasetException"/> (naming the file) for a bad file.</summary>
    public DatasetDescriptor Inspect(string name)
    {
        if (!entries.TryGetValue(name, out var entry))
        {
            throw new KeyNotFoundException($"unknown dataset '{name}'; known: {string.Join(", ", entries.Keys)}");
        }

        if (entry.Format != "mnist-idx")
        {
            throw new DatasetException(entry.Path, $"dataset format '{entry.Format}' is not supported; supported: mnist-idx");
        }

        var files = MnistFormat.FileNames.Select(f => new FileInfo(System.IO.Path.Combine(entry.Path, f))).ToArray();
        var missing = files.FirstOrDefault(f => !f.Exists);
        if (missing is not null)
        {
            throw new DatasetException(missing.FullName, "file not found");
        }

        var stamp = string.Join('|', files.Select(f => $"{f.Length}:{f.LastWriteTimeUtc.Ticks}"));
        if (_cache.TryGetValue(name, out var cached) && cached.Stamp == stamp)
        {
            return cached.Descriptor;
        }

        var data = MnistFormat.Load(entry.Path, entry.TrainCount, entry.TestCount);
        var descriptor = new DatasetDescriptor(
            name, entry.Path, DigestOf(files), [1, data.Train.Height, data.Train.Width], data.Classes, data.Train.Count, data.Test.Count);
        _cache[name] = (stamp, descriptor);
        return descriptor;
    }

    /// <summary>Digest of a set of files: SHA-256 over "name digest" lines, so renames and content both count.</summary>
    public static string DigestOf(IEnumerable<FileInfo> files)
    {
        var manifest = new StringBuilder();
        foreach (var file in files)
        {
            manifest.Append(file.Name).Append(' ').Append(Sha256Digest.OfFile(file.FullName)).Append('\n');
        }

        return Sha256Digest.Format(SHA256.HashData(Encoding.UTF8.GetBytes(manifest.ToString())));
    }
}
