namespace MlOps.Cli.Watching;

/// <summary>
/// Follows a record the coordinator updates (a retraining run, a pipeline run) by polling it every
/// <see cref="PollInterval"/> until it is finished. A coordinator that cannot be reached for a moment (a restart, a
/// failover) is polled again with a note on stderr; after <see cref="MaxFailures"/> failed polls in a row it gives up
/// with that error.
/// </summary>
internal static class RecordPoller
{
    public const int MaxFailures = 10;

    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>Hands <paramref name="record"/> and each newer copy to <paramref name="onEach"/>, and returns the first
    /// finished one. <paramref name="what"/> names it in notes and errors ("run r-…").</summary>
    public static async Task<T> UntilFinishedAsync<T>(T record, Func<T, bool> finished, Func<CancellationToken, Task<T>> fetch, Action<T> onEach,
        string what, TextWriter notes, TimeProvider time, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (true)
        {
            onEach(record);
            if (finished(record))
            {
                return record;
            }

            while (true)
            {
                await Task.Delay(PollInterval, time, cancellationToken);
                try
                {
                    record = await fetch(cancellationToken);
                    failures = 0;
                    break;
                }
                catch (CliException ex) when (ex.IsTransient)
                {
                    if (++failures >= MaxFailures)
                    {
                        throw new CliException(ex.ExitCode, $"gave up following {what} after {MaxFailures} failed polls: {ex.Message}", ex) { Status = ex.Status };
                    }

                    await notes.WriteLineAsync($"could not poll {what} ({ex.Message}); trying again");
                }
            }
        }
    }
}
