namespace MlOps.Artifacts.Layout;

/// <summary>Whole-file writes that readers see either complete or not at all: a temporary file in the same
/// directory, flushed to disk, then renamed over the target (rename is atomic within a file system).</summary>
internal static class AtomicFile
{
    public const string TempPrefix = ".tmp-";

    public static string NewTempPath(string directory) => Path.Combine(directory, TempPrefix + Guid.NewGuid().ToString("n"));

    public static async Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(path) ?? throw new ArgumentException($"'{path}' has no directory", nameof(path));
        var temp = NewTempPath(directory);
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 12, useAsync: true))
            {
                await file.WriteAsync(bytes, cancellationToken);
                file.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
