using MlOps.Cli.Client;
using MlOps.Contracts;

namespace MlOps.Cli.Deployments;

/// <summary>
/// Follows a deployment until its newest revision serves everywhere (AVAILABLE: exit 0), fails (FAILED: exit 1) or
/// the timeout passes (exit 1, saying where it stood). Prints each change of phase or message once.
/// </summary>
internal static class RolloutWait
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static async Task<int> UntilSettledAsync(MlOpsClient client, string name, int revision, TimeSpan timeout,
        TextWriter progress, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = time.GetUtcNow() + timeout;
        var last = "";
        while (true)
        {
            var deployment = await client.GetDeploymentAsync(name, cancellationToken);
            var line = $"revision {deployment.Revision}: {DeploymentText.Phase(deployment.Phase)} {deployment.Message}".TrimEnd();
            if (line != last)
            {
                await progress.WriteLineAsync(line);
                last = line;
            }

            var current = deployment.Revision >= revision &&
                          deployment.History.Count > 0 && SameSplit(deployment.Traffic, deployment.History[^1].Traffic);
            if (current && deployment.Phase == DeploymentPhase.Available)
            {
                return ExitCodes.Ok;
            }

            if (deployment.Phase == DeploymentPhase.Failed)
            {
                return ExitCodes.JobFailed;
            }

            if (time.GetUtcNow() >= deadline)
            {
                await progress.WriteLineAsync($"gave up after {timeout.TotalSeconds:0} s; 'mlops rollout status {name} --watch' keeps following it");
                return ExitCodes.JobFailed;
            }

            await Task.Delay(PollInterval, time, cancellationToken);
        }
    }

    private static bool SameSplit(IEnumerable<TrafficRoute> a, IEnumerable<TrafficRoute> b) =>
        a.Where(r => r.Percent > 0).OrderBy(r => r.Version).Select(r => (r.Version, r.Percent))
            .SequenceEqual(b.Where(r => r.Percent > 0).OrderBy(r => r.Version).Select(r => (r.Version, r.Percent)));
}
