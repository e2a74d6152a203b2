namespace MlOps.Training;

/// <summary>Metric names reported per epoch (<see cref="ITrainingObserver.OnEpochMetrics"/>) and at the end
/// (<see cref="TrainingResult.Metrics"/>).</summary>
public static class TrainingMetrics
{
    /// <summary>Mean cross-entropy over the epoch's training batches (train mode, weights changing).</summary>
    public const string TrainLoss = "train_loss";
    public const string TrainAccuracy = "train_accuracy";
    /// <summary>Mean cross-entropy over the test split after the epoch (eval mode).</summary>
    public const string TestLoss = "test_loss";
    public const string TestAccuracy = "test_accuracy";
    /// <summary>Per epoch: wall seconds of training plus evaluation.</summary>
    public const string EpochSeconds = "epoch_seconds";
    /// <summary>Training samples per second (training steps only, evaluation excluded).</summary>
    public const string SamplesPerSecond = "samples_per_second";
    public const string LearningRate = "learning_rate";
    /// <summary>Final only: number of epochs run.</summary>
    public const string Epochs = "epochs";
    /// <summary>Final only: mean of <see cref="EpochSeconds"/>.</summary>
    public const string SecondsPerEpoch = "seconds_per_epoch";
}
