using System.Globalization;

namespace MlOps.Cli.LocalCluster;

/// <summary>What <c>mlops up</c> starts, and how long it waits.</summary>
internal sealed record UpSettings
{
    public const int DefaultPort = 7070;
    public const string DefaultAgentId = "local";

    /// <summary>Root data directory; the coordinator gets <c>coordinator/</c> under it, the agent <c>agent/</c>.</summary>
    public required string DataDirectory { get; init; }

    public int Port { get; init; } = DefaultPort;

    public string AgentId { get; init; } = DefaultAgentId;

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
    ];
}
