using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlOps.Training;

/// <summary>
/// The JSON header of a checkpoint file: where the run stood, which run it was, and the bookkeeping needed to finish
/// the interrupted epoch's metrics exactly as an uninterrupted run would have.
/// </summary>
internal sealed record CheckpointHeader
{
    /// <summary>1-based epoch in progress.</summary>
    public required int Epoch { get; init; }

    /// <summary>Steps of <see cref="Epoch"/> already done.</summary>
    public required int Step { get; init; }

    public required long GlobalStep { get; init; }

    public required int StepsPerEpoch { get; init; }

    public required long Seed { get; init; }

    /// <summary><see cref="RunFingerprint.Digest"/> of <see cref="Run"/>.</summary>
    public required string Fingerprint { get; init; }

    /// <summary><see cref="RunFingerprint.Fields"/> of the run that wrote the checkpoint.</summary>
    public required SortedDictionary<string, string> Run { get; init; }

    /// <summary>Metrics of the epochs finished before this one, as reported to the observer.</summary>
    public required List<EpochRecord> Epochs { get; init; }

    /// <summary>Running sums of <see cref="Epoch"/> so far.</summary>
    public required EpochProgressRecord Current { get; init; }

    /// <summary>Wall seconds of the finished epochs (training plus evaluation), for the final per-epoch average.</summary>
    public required double FinishedEpochSeconds { get; init; }

    /// <summary>Wall seconds of the finished epochs' training steps, for the final throughput.</summary>
    public required double FinishedTrainSeconds { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        RespectRequiredConstructorParameters = true,
    };
}

internal sealed record EpochRecord(int Epoch, Dictionary<string, double> Metrics);

/// <param name="LossSum">Sum of the batch losses times batch size.</param>
/// <param name="Correct">Correctly classified training samples.</param>
/// <param name="Seen">Training samples seen.</param>
/// <param name="TrainSeconds">Wall seconds spent on this epoch's steps.</param>
internal sealed record EpochProgressRecord(double LossSum, long Correct, long Seen, double TrainSeconds);
