using MlOps.Contracts;

namespace MlOps.Training;

/// <summary>Receives what a <see cref="Trainer"/> reports while it runs; called on the training thread, so keep it quick.</summary>
public interface ITrainingObserver
{
    /// <summary>Every <see cref="TrainingRequest.ProgressEverySteps"/> steps and at each epoch's end: running loss and
    /// accuracy over the epoch so far, and training throughput.</summary>
    void OnProgress(TrainingProgress progress);

    /// <summary>After each epoch's evaluation; keys are listed in <see cref="TrainingMetrics"/>.</summary>
    void OnEpochMetrics(int epoch, IReadOnlyDictionary<string, double> metrics);

    /// <summary>Human-readable milestones (data loaded, model built, weights saved).</summary>
    void OnLog(string message);

    /// <summary>After a checkpoint file was written (and older ones deleted). Does nothing unless implemented, so
    /// observers written before checkpoints existed keep compiling.</summary>
    void OnCheckpoint(CheckpointInfo info)
    {
    }
}
