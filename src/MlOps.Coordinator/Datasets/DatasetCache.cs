using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using MlOps.Artifacts;
using MlOps.Contracts;
using MlOps.Coordinator.Configuration;
using MlOps.Core.Digests;

namespace MlOps.Coordinator.Datasets;

/// <summary>
/// The coordinator's local copy of dataset versions, one directory per manifest digest
/// (<c>&lt;DataDirectory&gt;/datasets/&lt;hex&gt;/</c>), used to check the files' format and shape. A directory is
/// filled under a temporary name, every file checked against its digest and size, and renamed into place only when
/// complete, so a directory with the final name is always whole.
/// </summary>
internal sealed class DatasetCache(IArtifactStore store, IOptions<CoordinatorOptions> options, ILogger<DatasetCache> logger)
{
    private const string TempPrefix = ".tmp-";

    public string Root => Path.Combine(options.Value.DataDirectory, "datasets");

    /// <summary>Where the files of manifest <paramref name="digest"/> live once cached.</summary>
    public string PathOf(string digest) => Path.Combine(Root, digest[Sha256Digest.Prefix.Length..]);

    /// <summary>
    /// Returns the directory holding <paramref name="files"/> of the manifest <paramref name="digest"/>, fetching them
    /// from <paramref name="repository"/> first when needed. Throws <see cref="DatasetFileException"/> naming a file that
    /// is missing, corrupt or of the wrong size, and <see cref="ArtifactException"/> when the store fails.
    /// <paramref name="verify"/> runs on the complete temporary directory before it is renamed into place: when it
    /// throws, nothing is cached.
    /// </summary>
    public async Task<string> EnsureAsync(
        string repository, string digest, IReadOnlyList<DatasetFile> files, CancellationToken cancellationToken, Action<string>? verify = null)
    {
        if (!Sha256Digest.IsValid(digest))
        {
            throw new ArgumentException($"'{digest}' is not a sha256 digest", nameof(digest));
        }

        var final = PathOf(digest);
        if (Directory.Exists(final))
        {
            return final;
        }

        Directory.CreateDirectory(Root);
        var temp = Path.Combine(Root, TempPrefix + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(temp);
        try
        {
            foreach (var file in files)
            {
                await FetchAsync(repository, file, Path.Combine(temp, DatasetFileNames.Check(file.Name)), cancellationToken);
            }

            verify?.Invoke(temp);

            try
            {
                Directory.Move(temp, final);
                DatasetsLog.Cached(logger, digest, files.Count, final);
            }
            catch (IOException) when (Directory.Exists(final))
            {
                // Another request cached the same digest first; its copy is as good as ours.
                Directory.Delete(temp, recursive: true);
            }

            return final;
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Removes temporary directories left by a crash (called at start).</summary>
    public void RemoveLeftovers()
    {
        if (!Directory.Exists(Root))
        {
            return;
        }

        foreach (var leftover in Directory.EnumerateDirectories(Root, TempPrefix + "*"))
        {
            TryDelete(leftover);
        }
    }

    private async Task FetchAsync(string repository, DatasetFile file, string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var source = await store.OpenBlobAsync(repository, file.Digest, cancellationToken);
            await using var target = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[1 << 16];
            long size = 0;
            int n;
            while ((n = await source.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                await target.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                size += n;
            }

            await target.FlushAsync(cancellationToken);
            target.Flush(flushToDisk: true);

            // The store verifies too; checking here as well means a store that does not cannot slip a bad file in.
            var actual = Sha256Digest.Format(hash.GetHashAndReset());
            if (actual != file.Digest)
            {
                throw new DatasetFileException(file.Name, $"its bytes hash to {actual}, not to {file.Digest} as the manifest says", null, DatasetFileProblem.Corrupt);
            }

            if (size != file.Size)
            {
                throw new DatasetFileException(file.Name, $"it is {size} bytes, not {file.Size} as the manifest says", null, DatasetFileProblem.Corrupt);
            }
        }
        catch (ArtifactCorruptException ex)
        {
            throw new DatasetFileException(file.Name, $"the stored blob {file.Digest} is corrupt: {ex.Message}", ex, DatasetFileProblem.Corrupt);
        }
        catch (ArtifactNotFoundException ex)
        {
            throw new DatasetFileException(file.Name, $"blob {file.Digest} is not in repository '{repository}': {ex.Message}", ex);
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>What is wrong with a dataset file.</summary>
internal enum DatasetFileProblem
{
    /// <summary>Badly named, not in the expected format, or its blob is not in the repository.</summary>
    Invalid,

    /// <summary>The stored bytes do not match the digest or size the manifest gives.</summary>
    Corrupt,
}

/// <summary>A file of a dataset version is missing, corrupt, badly named or not in the expected format; <see cref="FileName"/> names it.</summary>
internal sealed class DatasetFileException(string fileName, string message, Exception? inner = null, DatasetFileProblem problem = DatasetFileProblem.Invalid)
    : Exception($"file '{fileName}': {message}", inner)
{
    public string FileName { get; } = fileName;

    public DatasetFileProblem Problem { get; } = problem;
}
