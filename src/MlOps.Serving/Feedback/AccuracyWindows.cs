namespace MlOps.Serving.Feedback;

/// <summary>
/// Accuracy of labelled predictions over sliding windows: counts per minute for the last hour, so the accuracy of the
/// last 5, 15 and 60 minutes (and since load) can be read at any time without keeping every label.
/// </summary>
public sealed class AccuracyWindows(TimeProvider time)
{
    private const int Buckets = 60;
    private static readonly TimeSpan BucketWidth = TimeSpan.FromMinutes(1);

    private readonly long[] _minute = new long[Buckets];
    private readonly int[] _correct = new int[Buckets];
    private readonly int[] _total = new int[Buckets];
    private readonly Lock _gate = new();
    private long _allCorrect;
    private long _allTotal;

    public void Add(bool correct)
    {
        var minute = time.GetUtcNow().ToUnixTimeMilliseconds() / (long)BucketWidth.TotalMilliseconds;
        var slot = (int)(minute % Buckets);
        lock (_gate)
        {
            if (_minute[slot] != minute)
            {
                _minute[slot] = minute;
                _correct[slot] = 0;
                _total[slot] = 0;
            }

            _total[slot]++;
            _allTotal++;
            if (correct)
            {
                _correct[slot]++;
                _allCorrect++;
            }
        }
    }

    /// <summary>Correct and total labels over the last <paramref name="window"/> (whole minutes, at most an hour).</summary>
    public (long Correct, long Total) Over(TimeSpan window)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds() / (long)BucketWidth.TotalMilliseconds;
        var minutes = Math.Clamp((long)Math.Ceiling(window / BucketWidth), 1, Buckets);
        long correct = 0, total = 0;
        lock (_gate)
        {
            for (var slot = 0; slot < Buckets; slot++)
            {
                if (_total[slot] > 0 && now - _minute[slot] < minutes)
                {
                    correct += _correct[slot];
                    total += _total[slot];
                }
            }
        }

        return (correct, total);
    }

    /// <summary>Every label since the version was loaded.</summary>
    public (long Correct, long Total) SinceLoad
    {
        get
        {
            lock (_gate)
            {
                return (_allCorrect, _allTotal);
            }
        }
    }
}
