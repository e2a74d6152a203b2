namespace MlOps.Cli.LocalCluster;

/// <summary>One of the two programs <c>mlops up</c> runs, and the names used to find it.</summary>
internal sealed record ClusterBinary(string Role, string Project, string FileName, string OptionName, string Variable)
{
    public static readonly ClusterBinary Coordinator =
        new("coordinator", "MlOps.Coordinator", "MlOps.Coordinator.dll", "--coordinator-path", "MLOPS_COORDINATOR_PATH");

    public static readonly ClusterBinary Agent =
        new("agent", "MlOps.Agent", "MlOps.Agent.dll", "--agent-path", "MLOPS_AGENT_PATH");
}
