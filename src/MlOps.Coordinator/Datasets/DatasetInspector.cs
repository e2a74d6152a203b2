using System.Collections.Concurrent;
using MlOps.Contracts;
using MlOps.Core.Datasets;

namespace MlOps.Coordinator.Datasets;

/// <summary>
/// Checks a dataset version's files in the local cache (format, counts, labels) and describes them for the
/// submit checks: sample shape, classes, counts. A version is immutable, so each digest is read once per process.
/// </summary>
internal sealed class DatasetInspector(DatasetCache cache)
{
    /// <summary>The formats a dataset version may have.</summary>
    public static readonly IReadOnlyList<string> Formats = ["mnist-idx"];

    public const string DefaultFormat = "mnist-idx";

    private readonly ConcurrentDictionary<string, DatasetDescriptor> _checked = new(StringComparer.Ordinal);

    /// <summary>
    /// Fetches (if needed) and checks the files of <paramref name="version"/>. Throws <see cref="DatasetFileException"/>
    /// naming the bad file, or an <see cref="MlOps.Artifacts.ArtifactException"/> when the store fails.
    /// </summary>
    public async Task<DatasetDescriptor> InspectAsync(DatasetVersion version, CancellationToken cancellationToken)
    {
        var directory = await cache.EnsureAsync(version.Repository, version.Digest, version.Files, cancellationToken);
        if (_checked.TryGetValue(version.Digest, out var known))
        {
            return known with { Name = version.Name };
        }

        var descriptor = await Task.Run(() => Check(version.Name, version.Digest, version.Format, directory), cancellationToken);
        _checked[version.Digest] = descriptor;
        return descriptor;
    }

    /// <summary>Loads the files in <paramref name="directory"/> as <paramref name="format"/>; the descriptor's digest is <paramref name="digest"/>.</summary>
    public static DatasetDescriptor Check(string name, string digest, string format, string directory)
    {
        if (format != DefaultFormat)
        {
            throw new ArgumentException($"format '{format}' is not supported; supported: {string.Join(", ", Formats)}", nameof(format));
        }

        try
        {
            var data = MnistFormat.Load(directory);
            return new DatasetDescriptor(
                name, directory, digest, [1, data.Train.Height, data.Train.Width], data.Classes, data.Train.Count, data.Test.Count);
        }
        catch (DatasetException ex)
        {
            var file = Path.GetFileName(ex.FilePath);
            var message = ex.Message.StartsWith(ex.FilePath + ": ", StringComparison.Ordinal) ? ex.Message[(ex.FilePath.Length + 2)..] : ex.Message;
            throw new DatasetFileException(file, message, ex);
        }
    }
}
