namespace MlOps.Serving.Feedback;

/// <summary>
/// The classes one model version predicted for the most recent requests that carried an id, so ground-truth labels
/// sent later (<c>POST /v2/models/{m}/feedback</c>) can be scored against them. Bounded: the oldest entry goes when
/// <see cref="Capacity"/> is reached. Only requests with an id are remembered; a request of several rows is kept as
/// <c>id#0</c>, <c>id#1</c>, ... Cheap on the serving path: one argmax per row and a dictionary insert under a lock.
/// </summary>
public sealed class PredictionLog(int capacity = PredictionLog.DefaultCapacity, TimeProvider? time = null)
{
    public const int DefaultCapacity = 100_000;

    private readonly Dictionary<string, Prediction> _byId = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _gate = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly AccuracyWindows _accuracy = new(time ?? TimeProvider.System);

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "must be positive");

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byId.Count;
            }
        }
    }

    /// <summary>Live accuracy of this version from the labels received so far.</summary>
    public AccuracyWindows Accuracy => _accuracy;

    /// <summary>Remembers the predicted class of each row of <paramref name="scores"/> ([rows, classes], row-major).</summary>
    public void Record(string id, ReadOnlySpan<float> scores, int rows)
    {
        if (string.IsNullOrEmpty(id) || rows <= 0 || scores.Length % rows != 0 || scores.Length == 0)
        {
            return;
        }

        var classes = scores.Length / rows;
        var at = _time.GetUtcNow();
        lock (_gate)
        {
            for (var row = 0; row < rows; row++)
            {
                var key = rows == 1 ? id : $"{id}#{row}";
                var predicted = ArgMax(scores.Slice(row * classes, classes));
                if (_byId.TryAdd(key, new Prediction(predicted, at)))
                {
                    _order.Enqueue(key);
                    while (_byId.Count > Capacity && _order.TryDequeue(out var oldest))
                    {
                        _byId.Remove(oldest);
                    }
                }
                else
                {
                    _byId[key] = new Prediction(predicted, at);
                }
            }
        }
    }

    /// <summary>Scores a ground-truth label against the remembered prediction (once: the entry is then forgotten).
    /// False when the id is unknown here (never seen, evicted, or already labelled).</summary>
    public bool Label(string id, int label, out int predicted)
    {
        Prediction prediction;
        lock (_gate)
        {
            if (!_byId.Remove(id, out prediction))
            {
                predicted = -1;
                return false;
            }
        }

        predicted = prediction.Class;
        _accuracy.Add(prediction.Class == label);
        return true;
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var i = 1; i < row.Length; i++)
        {
            if (row[i] > row[best])
            {
                best = i;
            }
        }

        return best;
    }

    private readonly record struct Prediction(int Class, DateTimeOffset At);
}
