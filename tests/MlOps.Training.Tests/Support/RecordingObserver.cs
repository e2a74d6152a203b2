using System.Collections.Concurrent;
using MlOps.Contracts;

namespace MlOps.Training.Tests.Support;

/// <summary>Keeps everything a trainer reports; can cancel a token after a number of progress reports.</summary>
public sealed class RecordingObserver(CancellationTokenSource? cancelAfter = null, int cancelAtProgress = int.MaxValue) : ITrainingObserver
{
    public ConcurrentQueue<TrainingProgress> Progress { get; } = new();

    public ConcurrentQueue<(int Epoch, IReadOnlyDictionary<string, double> Metrics)> Epochs { get; } = new();

    public ConcurrentQueue<string> Logs { get; } = new();

    public void OnProgress(TrainingProgress progress)
    {
        Progress.Enqueue(progress);
        if (Progress.Count >= cancelAtProgress)
        {
            cancelAfter?.Cancel();
        }
    }

    public void OnEpochMetrics(int epoch, IReadOnlyDictionary<string, double> metrics) =>
        Epochs.Enqueue((epoch, new Dictionary<string, double>(metrics)));

    public void OnLog(string message) => Logs.Enqueue(message);
}
