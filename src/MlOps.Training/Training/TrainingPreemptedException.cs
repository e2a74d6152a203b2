namespace MlOps.Training;

/// <summary>
/// Training stopped because the <c>checkpointAndStop</c> token of <see cref="Trainer.Train"/> fired: a checkpoint was
/// written at the next step boundary and the run can continue from it with <see cref="TrainingRequest.ResumeFrom"/>.
/// Deliberately not an <see cref="OperationCanceledException"/>: a plain cancellation leaves nothing to resume from.
/// </summary>
public sealed class TrainingPreemptedException : Exception
{
    public TrainingPreemptedException(CheckpointInfo checkpoint)
        : base($"training preempted at epoch {checkpoint?.Epoch}, step {checkpoint?.Step} (global step {checkpoint?.GlobalStep}); checkpoint {checkpoint?.Path}")
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        Checkpoint = checkpoint;
    }

    /// <summary>The checkpoint written just before stopping.</summary>
    public CheckpointInfo Checkpoint { get; }
}
