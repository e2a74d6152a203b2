using System.Collections.Concurrent;
using MlOps.Contracts;

namespace MlOps.Training.Tests.Support;

/// <summary>Keeps everything a trainer reports; can cancel a token after a number of progress reports, and run an
/// action on every report (e.g. advance a fake clock).</summary>
public sealed class RecordingObserver(
    CancellationTokenSource? cancelAfter = null, int cancelAtProgress = int.MaxValue, Action<TrainingProgress>? onProgress = null) : ITrainingObserver
{
    public ConcurrentQueue<TrainingProgress> Progress { get; } = new();

    public ConcurrentQueue<(int Epoch, IReadOnlyDictionary<string, double> Metrics)> Epochs { get; } = new();

    public ConcurrentQueue<string> Logs { get; } = new();

    public ConcurrentQueue<CheckpointInfo> Checkpoints { get; } = new();

    public void OnProgress(TrainingProgress progress)
    {
        Progress.Enqueue(progress);
        onProgress?.Invoke(progress);
        if (Progress.Count >= cancelAtProgress)
        {
            cancelAfter?.Cancel();
        }
    }

    public void OnEpochMetrics(int epoch, IReadOnlyDictionary<string, double> metrics) =>
        Epochs.Enqueue((epoch, new Dictionary<string, double>(metrics)));

    public void OnLog(string message) => Logs.Enqueue(message);

    public void OnCheckpoint(CheckpointInfo info) => Checkpoints.Enqueue(info);
}
