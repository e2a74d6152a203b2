using System.Collections.Concurrent;
using System.Diagnostics;

namespace MlOps.Artifacts.Layout;

/// <summary>
/// Serializes read-modify-write of one layout's index.json: a semaphore per index within this process, and an
/// exclusive lock on <c>index.json.lock</c> across processes (.NET takes an advisory <c>flock</c> for
/// <see cref="FileShare.None"/> on Unix), so two writers never lose each other's tags.
/// </summary>
internal sealed class IndexLock : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> ProcessLocks = new(StringComparer.Ordinal);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(10);

    private readonly SemaphoreSlim? _processLock;
    private readonly FileStream _file;

    private IndexLock(SemaphoreSlim? processLock, FileStream file)
    {
        _processLock = processLock;
        _file = file;
    }

    /// <param name="lockPath">The lock file (created when missing, never deleted: deleting it would race).</param>
    /// <param name="useProcessLock">False only in tests, to exercise the file lock on its own.</param>
    /// <param name="timeout">How long to wait for another process before giving up.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    public static async Task<IndexLock> AcquireAsync(string lockPath, bool useProcessLock, TimeSpan timeout, CancellationToken cancellationToken)
    {
        SemaphoreSlim? processLock = null;
        if (useProcessLock)
        {
            processLock = ProcessLocks.GetOrAdd(lockPath, _ => new SemaphoreSlim(1, 1));
            if (!await processLock.WaitAsync(timeout, cancellationToken))
            {
                throw Busy(lockPath, timeout);
            }
        }

        try
        {
            var started = Stopwatch.GetTimestamp();
            while (true)
            {
                try
                {
                    var file = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                    return new IndexLock(processLock, file);
                }
                catch (IOException) when (File.Exists(lockPath) && Stopwatch.GetElapsedTime(started) < timeout)
                {
                    // Held by another process (or another store instance without the process lock): wait and retry.
                    await Task.Delay(RetryDelay, cancellationToken);
                }
                catch (IOException e) when (File.Exists(lockPath))
                {
                    throw Busy(lockPath, timeout, e);
                }
            }
        }
        catch
        {
            processLock?.Release();
            throw;
        }
    }

    private static ArtifactStoreUnavailableException Busy(string lockPath, TimeSpan timeout, Exception? inner = null) =>
        new($"{lockPath} stayed locked for {timeout.TotalSeconds:0} s (another writer holds it)", inner);

    public async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync();
        _processLock?.Release();
    }
}
