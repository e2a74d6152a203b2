using MlOps.Contracts;
using MlOps.ServiceDefaults.Metrics;

namespace MlOps.Coordinator.Metrics;

/// <summary>
/// The few measurements that only exist as events in this process: counters and histograms the scheduler and the job
/// updater feed with one call each. Everything that is state (jobs by state, agents, leadership) is read at scrape
/// time by <see cref="CoordinatorMetricsSource"/> instead. Thread-safe and lock-free; the counters start at zero with
/// the process, which Prometheus reads as a counter reset.
/// </summary>
internal sealed class CoordinatorMetrics(TimeProvider time)
{
    /// <summary>Time from submission to the first assignment, in milliseconds: 50 ms to 1 h.</summary>
    public static IReadOnlyList<long> QueueWaitMilliseconds { get; } =
    [
        50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000,
    ];

    /// <summary>One scheduling pass (snapshot, plan, apply), in microseconds: 100 µs to 5 s.</summary>
    public static IReadOnlyList<long> PassMicroseconds { get; } =
    [
        100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000, 5_000_000,
    ];

    private readonly Histogram _queueWait = new(QueueWaitMilliseconds);
    private readonly Histogram _passDuration = new(PassMicroseconds);
    private long _submitted;
    private long _succeeded;
    private long _failed;
    private long _cancelled;
    private long _preemptions;

    public HistogramSnapshot QueueWait => _queueWait.Snapshot();

    public HistogramSnapshot PassDuration => _passDuration.Snapshot();

    public long Submitted => Interlocked.Read(ref _submitted);

    public long Preemptions => Interlocked.Read(ref _preemptions);

    /// <summary>Jobs that reached each terminal state in this process.</summary>
    public IReadOnlyList<(string Outcome, long Count)> Finished =>
    [
        ("succeeded", Interlocked.Read(ref _succeeded)),
        ("failed", Interlocked.Read(ref _failed)),
        ("cancelled", Interlocked.Read(ref _cancelled)),
    ];

    /// <summary>A state change the job updater applied: counts submissions (into QUEUED from nothing) and terminal states.</summary>
    public void StateChanged(StateChange change)
    {
        switch (change.To)
        {
            case JobState.Queued when change.From == JobState.Unspecified:
                Interlocked.Increment(ref _submitted);
                break;
            case JobState.Succeeded:
                Interlocked.Increment(ref _succeeded);
                break;
            case JobState.Failed:
                Interlocked.Increment(ref _failed);
                break;
            case JobState.Cancelled:
                Interlocked.Increment(ref _cancelled);
                break;
        }
    }

    /// <summary>
    /// A job the scheduler just assigned. Only its first assignment is observed: a retried or preempted job waits in
    /// the queue on purpose (backoff, or for room), which would blur how long the queue keeps new work waiting.
    /// </summary>
    public void Assigned(Job job)
    {
        if (job.Attempt == 1 && job.CreatedAt is { } created)
        {
            var waited = time.GetUtcNow() - created.ToDateTimeOffset();
            _queueWait.Record(Math.Max(0, (long)waited.TotalMilliseconds));
        }
    }

    /// <summary>A preemption the scheduler ordered.</summary>
    public void PreemptionOrdered() => Interlocked.Increment(ref _preemptions);

    /// <summary>Times one scheduling pass, until disposed.</summary>
    public PassTimer TimePass() => new(this, time.GetTimestamp());

    /// <summary>Records the time since its start into the pass histogram when disposed.</summary>
    public readonly struct PassTimer(CoordinatorMetrics metrics, long started) : IDisposable
    {
        public void Dispose() =>
            metrics._passDuration.Record((long)metrics.TimeSince(started).TotalMicroseconds);
    }

    private TimeSpan TimeSince(long started) => time.GetElapsedTime(started);
}
