using Microsoft.Extensions.Options;
using MlOps.Contracts;
using MlOps.Coordinator.Configuration;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Jobs;

/// <summary>
/// Streams a job's events in sequence order without gaps or duplicates: it subscribes to live events first,
/// then replays stored events after <c>from_seq</c>, then forwards live ones, skipping what replay already
/// sent and reading back from the store whenever a live event skips ahead (a dropped or out-of-order
/// publish). It ends after the event that made the job terminal, or at once when the job was already
/// terminal and nothing after <c>from_seq</c> is left.
/// </summary>
internal sealed class JobWatcher(ICoordinatorStore store, JobEventHub hub, IOptions<CoordinatorOptions> options)
{
    /// <summary>Throws <see cref="JobNotFoundException"/> for an unknown job.</summary>
    public async Task WatchAsync(string jobId, long fromSeq, Func<JobEvent, Task> send, CancellationToken cancellationToken)
    {
        using var live = hub.Subscribe(jobId);
        var job = await store.GetJobAsync(jobId, cancellationToken) ?? throw new JobNotFoundException(jobId);
        var cursor = new Cursor(Math.Max(0, fromSeq));
        if (await ReplayAsync(jobId, cursor, send, cancellationToken))
        {
            return;
        }

        // Re-read after the replay: the job may have finished while we replayed.
        job = await store.GetJobAsync(jobId, cancellationToken) ?? job;
        if (JobStates.IsTerminal(job.State) && cursor.Last >= job.LastEventSeq)
        {
            return;
        }

        await foreach (var e in live.Reader.ReadAllAsync(cancellationToken))
        {
            if (e.Seq <= cursor.Last)
            {
                continue;
            }

            if (e.Seq > cursor.Last + 1)
            {
                // Something between is missing from the live feed; the store has it (events are published after commit).
                if (await ReplayAsync(jobId, cursor, send, cancellationToken))
                {
                    return;
                }

                continue;
            }

            await send(e);
            cursor.Last = e.Seq;
            if (IsFinal(e))
            {
                return;
            }
        }
    }

    /// <summary>Sends every stored event after the cursor; true when the job's final event was among them.</summary>
    private async Task<bool> ReplayAsync(string jobId, Cursor cursor, Func<JobEvent, Task> send, CancellationToken cancellationToken)
    {
        var batch = options.Value.MaxEventsPerWatchBatch;
        while (true)
        {
            var events = await store.ReadEventsAsync(jobId, cursor.Last, batch, cancellationToken);
            foreach (var e in events)
            {
                await send(e);
                cursor.Last = e.Seq;
                if (IsFinal(e))
                {
                    return true;
                }
            }

            if (events.Count < batch)
            {
                return false;
            }
        }
    }

    /// <summary>The state change into a terminal state is the last event a job ever gets.</summary>
    private static bool IsFinal(JobEvent e) =>
        e.PayloadCase == JobEvent.PayloadOneofCase.StateChange && JobStates.IsTerminal(e.StateChange.To);

    private sealed class Cursor(long last)
    {
        public long Last { get; set; } = last;
    }
}
