using MlOps.Client.Inference;
using MlOps.LoadTest.Scenarios;

namespace MlOps.LoadTest.Standard;

/// <summary>
/// The standard scenarios for a set of served models: saturation (closed, 1→128 users), latency at fixed rates
/// (open, 25/50/75 % of saturation), the wrk cross-check over REST, the in-process ONNX Runtime limit, and a rollout
/// under load. Defaults are the full run; <see cref="Quick"/> shortens everything for a smoke test.
/// </summary>
public sealed record StandardOptions
{
    /// <summary>The gRPC (h2c) inference endpoint, e.g. <c>http://127.0.0.1:8001</c>.</summary>
    public required Uri Grpc { get; init; }

    /// <summary>The REST inference endpoint, e.g. <c>http://127.0.0.1:8000</c>.</summary>
    public required Uri Rest { get; init; }

    public required IReadOnlyList<StandardModel> Models { get; init; }

    /// <summary>Token, CA and client certificate for endpoints that authenticate callers. Default none.</summary>
    public InferenceEndpointSecurity Security { get; init; } = InferenceEndpointSecurity.None;

    public string Dataset { get; init; } = Scenario.DefaultDataset;

    public IReadOnlyList<TransportKind> Transports { get; init; } = [TransportKind.Grpc, TransportKind.Rest];

    /// <summary>Closed-model user counts of the saturation sweep. Default 1, 2, 4, … 128.</summary>
    public IReadOnlyList<int> Users { get; init; } = [1, 2, 4, 8, 16, 32, 64, 128];

    /// <summary>Measured length of each saturation step. Default 5 s.</summary>
    public TimeSpan StepDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Warm-up before each step and each fixed-rate run (the first run of a model gets 3 s). Default 1 s.</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Fractions of the saturation throughput the open-model runs are offered. Default 25, 50, 75 %.</summary>
    public IReadOnlyList<double> RateFractions { get; init; } = [0.25, 0.5, 0.75];

    /// <summary>Measured length of each fixed-rate run. Default 10 s.</summary>
    public TimeSpan RateDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Run the REST cross-check with wrk when it is installed. Default true.</summary>
    public bool Wrk { get; init; } = true;

    /// <summary>Concurrency of the wrk cross-check (and of the harness run it is compared with). Default 64.</summary>
    public int WrkConnections { get; init; } = 64;

    /// <summary>Length of each side of each cross-check round. Default 5 s.</summary>
    public TimeSpan WrkDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Alternating harness/wrk rounds of the cross-check, compared by their medians. Default 3.</summary>
    public int WrkRounds { get; init; } = 3;

    /// <summary>Measured length of the in-process ONNX Runtime runs. Default 10 s.</summary>
    public TimeSpan InProcessDuration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Closed-model users during the rollout scenario. Default 16.</summary>
    public int RolloutUsers { get; init; } = 16;

    /// <summary>Load before the rollout starts, and the least the rollout run lasts. Default 3 s and 15 s.</summary>
    public TimeSpan RolloutAt { get; init; } = TimeSpan.FromSeconds(3);

    /// <inheritdoc cref="RolloutAt"/>
    public TimeSpan RolloutDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Short everything (1 s steps, 3 user counts, one rate): checks the suite runs, measures little.</summary>
    public static StandardOptions Quick(StandardOptions options) => options with
    {
        Users = [1, 8, 64],
        StepDuration = TimeSpan.FromSeconds(1),
        WarmUp = TimeSpan.FromMilliseconds(500),
        RateFractions = [0.5],
        RateDuration = TimeSpan.FromSeconds(2),
        WrkDuration = TimeSpan.FromSeconds(2),
        WrkRounds = 1,
        InProcessDuration = TimeSpan.FromSeconds(1),
        RolloutAt = TimeSpan.FromSeconds(1),
        RolloutDuration = TimeSpan.FromSeconds(3),
    };
}

/// <summary>One model of the standard run and its targets.</summary>
/// <param name="Name">The served model (deployment) name.</param>
/// <param name="OnnxPath">The model's ONNX file, for the in-process limit; null skips it.</param>
/// <param name="RolloutCommand">A shell command that rolls the model to another version (e.g.
/// <c>mlops deploy fashion-mlp:2 --wait</c>), run during load; null skips the rollout scenario.</param>
/// <param name="MinSaturation">Target: gRPC saturation throughput at least this (requests/s).</param>
/// <param name="MaxP99AtHalf">Target: gRPC p99 at 50 % of saturation at most this.</param>
/// <param name="MinInProcessRatio">Target: served gRPC samples/s at least this fraction of in-process ONNX Runtime at
/// the batch size the server formed.</param>
public sealed record StandardModel(
    string Name,
    string? OnnxPath = null,
    string? RolloutCommand = null,
    double? MinSaturation = null,
    TimeSpan? MaxP99AtHalf = null,
    double? MinInProcessRatio = null);
