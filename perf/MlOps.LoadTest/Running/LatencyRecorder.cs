using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using HdrHistogram;
using MlOps.LoadTest.Results;

namespace MlOps.LoadTest.Running;

/// <summary>
/// Records request latencies into HdrHistograms (microseconds, 3 significant digits, up to an hour): one for the
/// whole measured window and one per second of completion time for the time series, plus error counts by status.
/// Requests whose start (intended or actual) falls before the window are warm-up and are dropped. Safe to call
/// from many threads at once.
/// </summary>
internal sealed class LatencyRecorder
{
    /// <summary>One hour in microseconds: anything slower is recorded as an hour.</summary>
    internal const long HighestMicros = 3_600_000_000;

    private readonly LongConcurrentHistogram _all = new(1, HighestMicros, 3);
    private readonly SecondBucket?[] _seconds;
    private readonly ConcurrentDictionary<string, StrongBox<long>> _errorsByStatus = new(StringComparer.Ordinal);
    private long _windowStart = long.MaxValue;
    private long _requests;
    private long _errors;
    private long _lastCompletion;

    /// <param name="expectedSeconds">How long the window should last; the series holds this plus slack.</param>
    public LatencyRecorder(int expectedSeconds)
    {
        _seconds = new SecondBucket?[Math.Max(1, expectedSeconds) + 600];
    }

    /// <summary>Timestamp (<see cref="Stopwatch"/> ticks) where the measured window starts.</summary>
    public long WindowStart => Volatile.Read(ref _windowStart);

    /// <summary>Requests recorded so far in the window.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Errors recorded so far in the window.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Completion timestamp of the last recorded request (0 when none).</summary>
    public long LastCompletion => Interlocked.Read(ref _lastCompletion);

    /// <summary>Opens the measured window at <paramref name="timestamp"/>; earlier starts are warm-up.</summary>
    public void StartWindow(long timestamp) => Volatile.Write(ref _windowStart, timestamp);

    /// <summary>Whether a request that starts at <paramref name="start"/> belongs to the measured window.</summary>
    public bool IsMeasured(long start) => start >= Volatile.Read(ref _windowStart);

    /// <summary>Records one request that started at <paramref name="start"/> and ended at <paramref name="end"/>.</summary>
    public void Record(long start, long end, string? error)
    {
        var windowStart = Volatile.Read(ref _windowStart);
        if (start < windowStart)
        {
            return;
        }

        var micros = Math.Clamp(Micros(end - start), 1, HighestMicros);
        _all.RecordValue(micros);
        var second = (int)Math.Min((end - windowStart) / Stopwatch.Frequency, _seconds.Length - 1);
        var bucket = Bucket(second);
        bucket.Latency.RecordValue(micros);
        Interlocked.Increment(ref _requests);
        if (error is not null)
        {
            Interlocked.Increment(ref _errors);
            Interlocked.Increment(ref bucket.Errors);
            Interlocked.Increment(ref _errorsByStatus.GetOrAdd(error, _ => new StrongBox<long>()).Value);
        }

        long last;
        while (end > (last = Interlocked.Read(ref _lastCompletion)) &&
               Interlocked.CompareExchange(ref _lastCompletion, end, last) != last)
        {
        }
    }

    /// <summary>The sample of second <paramref name="second"/> of the window, or null if nothing completed in it.</summary>
    public SecondSample? Second(int second)
    {
        var bucket = second < _seconds.Length ? Volatile.Read(ref _seconds[second]) : null;
        if (bucket is null)
        {
            return null;
        }

        var h = bucket.Latency;
        return new SecondSample(second, h.TotalCount, Interlocked.Read(ref bucket.Errors),
            Millis(h.GetValueAtPercentile(50)), Millis(h.GetValueAtPercentile(99)), Millis(h.GetMaxValue()));
    }

    /// <summary>The time series up to the last second in which anything completed.</summary>
    public IReadOnlyList<SecondSample> Series()
    {
        var last = Array.FindLastIndex(_seconds, b => b is not null);
        var series = new List<SecondSample>(last + 1);
        for (var s = 0; s <= last; s++)
        {
            series.Add(Second(s) ?? new SecondSample(s, 0, 0, 0, 0, 0));
        }

        return series;
    }

    /// <summary>Mean, percentiles, max and min of the whole window, in milliseconds.</summary>
    public LatencySummary Summary()
    {
        if (_all.TotalCount == 0)
        {
            return LatencySummary.Empty;
        }

        var min = _all.RecordedValues().First().ValueIteratedTo;
        return new LatencySummary(
            _all.GetMean() / 1000.0,
            Millis(_all.GetValueAtPercentile(50)),
            Millis(_all.GetValueAtPercentile(90)),
            Millis(_all.GetValueAtPercentile(99)),
            Millis(_all.GetValueAtPercentile(99.9)),
            Millis(_all.GetMaxValue()),
            Millis(_all.LowestEquivalentValue(min)));
    }

    /// <summary>Latency at HdrHistogram's percentile ticks (5 per halving of the remaining tail), for plots.</summary>
    public IReadOnlyList<PercentilePoint> Distribution()
    {
        if (_all.TotalCount == 0)
        {
            return [];
        }

        return _all.Percentiles(5)
            .Select(v => new PercentilePoint(Math.Min(v.PercentileLevelIteratedTo, 100), Millis(v.ValueIteratedTo)))
            .ToList();
    }

    /// <summary>Errors by status so far.</summary>
    public IReadOnlyDictionary<string, long> ErrorsByStatus() =>
        _errorsByStatus.OrderBy(e => e.Key, StringComparer.Ordinal).ToDictionary(e => e.Key, e => Interlocked.Read(ref e.Value.Value));

    internal static long Micros(long ticks) => (long)(ticks * (1_000_000.0 / Stopwatch.Frequency));

    private static double Millis(long micros) => micros / 1000.0;

    private SecondBucket Bucket(int second)
    {
        var bucket = Volatile.Read(ref _seconds[second]);
        if (bucket is not null)
        {
            return bucket;
        }

        var fresh = new SecondBucket();
        return Interlocked.CompareExchange(ref _seconds[second], fresh, null) ?? fresh;
    }

    private sealed class SecondBucket
    {
        // Two significant digits are plenty for a per-second p50/p99 and keep each bucket small.
        public readonly LongConcurrentHistogram Latency = new(1, HighestMicros, 2);
        public long Errors;
    }
}
