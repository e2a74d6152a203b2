using MlOps.Cli.Client;
using MlOps.Contracts;

namespace MlOps.Cli.LocalCluster;

/// <summary>Polls ListAgents until the coordinator answers, or until a given agent is CONNECTED.</summary>
internal static class ClusterReadiness
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Returns once <paramref name="ready"/> holds for an answer; keeps polling through transient failures.</summary>
    public static async Task WaitAsync(MlOpsClient client, Func<IReadOnlyList<AgentInfo>, bool> ready, TimeProvider time, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                if (ready(await client.ListAgentsAsync(CallTimeout, cancellationToken)))
                {
                    return;
                }
            }
            catch (CliException ex) when (ex.IsTransient)
            {
                // Not listening yet.
            }

            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    public static bool Answers(IReadOnlyList<AgentInfo> agents) => true;

    public static Func<IReadOnlyList<AgentInfo>, bool> AgentConnected(string agentId) =>
        agents => agents.Any(a => a.AgentId == agentId && a.Status == AgentStatus.Connected);
}
