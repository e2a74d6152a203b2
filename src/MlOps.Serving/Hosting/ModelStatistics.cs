using MlOps.ServiceDefaults.Metrics;
using MlOps.Serving.Metrics;
using MlOps.Serving.Models;

namespace MlOps.Serving.Hosting;

/// <summary>How many executions ran with a given batch size (rows), as Triton's <c>batch_stats</c> reports them.</summary>
public sealed record BatchSizeCount(int BatchSize, long ExecutionCount, long ComputeNanoseconds);

/// <summary>
/// Lock-free counters and histograms of one model version. Requests are counted once each (success or failure),
/// and their end-to-end time is observed in the same call, so the request histogram's count is always
/// successes + failures; inferences count rows, so a batch-8 request adds 8, and executions count model runs:
/// <c>InferenceCount / ExecutionCount</c> is the mean formed batch size.
/// </summary>
internal sealed class ModelStatistics(int maxBatchSize, TimeProvider time)
{
    private readonly long[] _batchExecutions = new long[Math.Max(1, maxBatchSize) + 1];
    private readonly long[] _batchNanoseconds = new long[Math.Max(1, maxBatchSize) + 1];
    private readonly Histogram _requestTimes = new(HistogramBuckets.LatencyNanoseconds);
    private readonly Histogram _queueTimes = new(HistogramBuckets.LatencyNanoseconds);
    private readonly Histogram _computeTimes = new(HistogramBuckets.LatencyNanoseconds);
    private readonly Histogram _batchSizes = new(HistogramBuckets.BatchSizes(maxBatchSize));
    private long _inferences;
    private long _executions;
    private long _successes;
    private long _failures;
    private long _queueNanoseconds;
    private long _computeNanoseconds;
    private long _lastInferenceMs;

    public void RecordExecution(int rows, TimeSpan compute)
    {
        var nanoseconds = ToNanoseconds(compute);
        Interlocked.Increment(ref _executions);
        Interlocked.Add(ref _computeNanoseconds, nanoseconds);
        var slot = Math.Clamp(rows, 0, _batchExecutions.Length - 1);
        Interlocked.Increment(ref _batchExecutions[slot]);
        Interlocked.Add(ref _batchNanoseconds[slot], nanoseconds);
        _computeTimes.Record(nanoseconds);
        _batchSizes.Record(rows);
    }

    /// <param name="rows">The request's rows.</param>
    /// <param name="queued">From enqueue until its batch started running.</param>
    /// <param name="elapsed">From the version's <c>InferAsync</c> call until the result.</param>
    public void RecordSuccess(int rows, TimeSpan queued, TimeSpan elapsed)
    {
        var queueNanoseconds = ToNanoseconds(queued);
        Interlocked.Add(ref _inferences, rows);
        Interlocked.Increment(ref _successes);
        Interlocked.Add(ref _queueNanoseconds, queueNanoseconds);
        _queueTimes.Record(queueNanoseconds);
        _requestTimes.Record(ToNanoseconds(elapsed));
        Interlocked.Exchange(ref _lastInferenceMs, time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    /// <param name="elapsed">From the version's <c>InferAsync</c> call until the failure.</param>
    public void RecordFailure(TimeSpan elapsed)
    {
        Interlocked.Increment(ref _failures);
        _requestTimes.Record(ToNanoseconds(elapsed));
        Interlocked.Exchange(ref _lastInferenceMs, time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    public ModelStatisticsSnapshot Snapshot() => new(
        Interlocked.Read(ref _inferences), Interlocked.Read(ref _executions), Interlocked.Read(ref _successes),
        Interlocked.Read(ref _failures), Interlocked.Read(ref _queueNanoseconds), Interlocked.Read(ref _computeNanoseconds),
        Interlocked.Read(ref _lastInferenceMs));

    public InferenceMetricsSnapshot Metrics() =>
        new(_requestTimes.Snapshot(), _queueTimes.Snapshot(), _computeTimes.Snapshot(), _batchSizes.Snapshot());

    public IReadOnlyList<BatchSizeCount> BatchSizes()
    {
        var counts = new List<BatchSizeCount>();
        for (var size = 1; size < _batchExecutions.Length; size++)
        {
            var executions = Interlocked.Read(ref _batchExecutions[size]);
            if (executions > 0)
            {
                counts.Add(new BatchSizeCount(size, executions, Interlocked.Read(ref _batchNanoseconds[size])));
            }
        }

        return counts;
    }

    private static long ToNanoseconds(TimeSpan span) => Math.Max(0, span.Ticks) * 100;
}
