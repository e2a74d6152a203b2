using MlOps.Client.Inference;

namespace MlOps.LoadTest.Scenarios;

/// <summary>
/// One load test: where to send what, under which load model, for how long, and what must hold. Bounded by
/// <see cref="Duration"/> or by <see cref="Requests"/> (a ramp is bounded by its steps); the warm-up comes first
/// and is not measured.
/// </summary>
public sealed record Scenario
{
    public required string Name { get; init; }

    public TransportKind Transport { get; init; } = TransportKind.Grpc;

    /// <summary>The inference endpoint: <c>http://host:8001</c> for gRPC (h2c), <c>http://host:8000</c> for REST.</summary>
    public required Uri Target { get; init; }

    public required string Model { get; init; }

    /// <summary>A pinned version; null lets the server route (deployments split traffic by version).</summary>
    public string? Version { get; init; }

    /// <summary>Samples per request. Default 1.</summary>
    public int BatchSize { get; init; } = 1;

    public required LoadModel Load { get; init; }

    /// <summary>Length of the measured window; null when <see cref="Requests"/> bounds the run or the load is a ramp.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Number of measured requests; null when <see cref="Duration"/> bounds the run.</summary>
    public long? Requests { get; init; }

    /// <summary>Load before the measured window, at the same load model; not recorded. Default 2 s.</summary>
    public TimeSpan WarmUp { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>A request not answered within this is cancelled and counted as a <c>timeout</c> error. Default 30 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Directory with the Fashion-MNIST (MNIST-format) files the payloads are drawn from.</summary>
    public string Dataset { get; init; } = DefaultDataset;

    /// <summary>How many distinct test images the payloads cycle through. Default 1,000.</summary>
    public int Samples { get; init; } = 1000;

    /// <summary>
    /// REST: most HTTP/1.1 connections open at once, so most requests in flight (as wrk2's <c>-c</c>). A request that
    /// finds them all busy waits for one, and the wait is in its latency. Without a cap an open model answers a
    /// server stall by opening a connection per late request, and on shared cores the connection churn keeps the
    /// server from recovering. Default 256. gRPC multiplexes on few HTTP/2 connections and ignores this.
    /// </summary>
    public int Connections { get; init; } = DefaultConnections;

    public IReadOnlyList<Threshold> Thresholds { get; init; } = [];

    /// <summary>Commands run while the load runs (e.g. a rollout); their start and end appear in the report.</summary>
    public IReadOnlyList<ScenarioAction> Actions { get; init; } = [];

    /// <summary>Token, CA and client certificate for an endpoint that authenticates callers. Set from the command line
    /// (<c>--token-file</c>, <c>--ca</c>, <c>--cert</c>, <c>--key</c>), never from a scenario file, which would put a
    /// secret in the repository. Default none.</summary>
    public InferenceEndpointSecurity Security { get; init; } = InferenceEndpointSecurity.None;

    /// <summary>Default <see cref="Connections"/>.</summary>
    public const int DefaultConnections = 256;

    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs the files.</summary>
    public const string DefaultDataset = "/usr/share/datasets/fashion-mnist";
}

/// <summary>How requests reach the server.</summary>
public enum TransportKind
{
    /// <summary>Open Inference Protocol gRPC <c>ModelInfer</c>, raw input contents.</summary>
    Grpc,

    /// <summary>Open Inference Protocol REST <c>POST /v2/models/{name}/infer</c> with a JSON body.</summary>
    Rest,
}

/// <summary>A shell command started <see cref="At"/> into the measured window.</summary>
public sealed record ScenarioAction(TimeSpan At, string Run, string? Label = null);
