using System.Globalization;

namespace MlOps.Cli.LocalCluster;

/// <summary>What <c>mlops up</c> starts, and how long it waits.</summary>
internal sealed record UpSettings
{
    public const int DefaultPort = 7070;
    public const string DefaultAgentId = "local";

    /// <summary>Triton's usual inference ports.</summary>
    public const int DefaultRestPort = 8000;
    public const int DefaultGrpcPort = 8001;

    /// <summary>Root data directory; the coordinator gets <c>coordinator/</c> under it, the agent <c>agent/</c>.</summary>
    public required string DataDirectory { get; init; }

    public int Port { get; init; } = DefaultPort;

    public string AgentId { get; init; } = DefaultAgentId;

    /// <summary>The agent's Open Inference Protocol gRPC port on 127.0.0.1; 0 serves no models.</summary>
    public int GrpcPort { get; init; } = DefaultGrpcPort;

    /// <summary>The agent's Open Inference Protocol REST port (and <c>/metrics</c>) on 127.0.0.1; 0 turns REST off.</summary>
    public int RestPort { get; init; } = DefaultRestPort;

    public string InferenceGrpcAddress => GrpcPort == 0 ? "" : "http://127.0.0.1:" + GrpcPort.ToString(CultureInfo.InvariantCulture);

    public string InferenceRestAddress => RestPort == 0 ? "" : "http://127.0.0.1:" + RestPort.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>--coordinator-path</c>, when given.</summary>
    public string? CoordinatorPath { get; init; }

    /// <summary><c>--agent-path</c>, when given.</summary>
    public string? AgentPath { get; init; }

    /// <summary>From start until the agent shows up as CONNECTED in ListAgents. Default 60 s.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a child has after SIGTERM before it is killed. Default 10 s.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The coordinator always listens on loopback: <c>up</c> is a one-machine cluster.</summary>
    public string CoordinatorAddress => "http://127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public string CoordinatorDataDirectory => Path.Combine(DataDirectory, "coordinator");

    public string AgentDataDirectory => Path.Combine(DataDirectory, "agent");

    public IReadOnlyList<string> CoordinatorArguments() =>
    [
        $"--Coordinator:Listen={CoordinatorAddress}",
        $"--Coordinator:DataDirectory={CoordinatorDataDirectory}",
    ];

    public IReadOnlyList<string> AgentArguments() =>
    [
        $"--Agent:CoordinatorAddress={CoordinatorAddress}",
        $"--Agent:DataDirectory={AgentDataDirectory}",
        $"--Agent:Id={AgentId}",
        $"--Agent:Serving:GrpcListen={InferenceGrpcAddress}",
        $"--Agent:Serving:RestListen={InferenceRestAddress}",
    ];
}
