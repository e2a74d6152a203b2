using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MlOps.Agent.Options;

namespace MlOps.Agent.Jobs;

/// <summary>Puts <c>Agent:Training</c> into the agent's environment before any job starts, so every training child
/// inherits it (<c>MLOPS_LIBTORCH_DIR</c>, read by the child's libtorch loader).</summary>
internal sealed class TrainingEnvironment(IOptions<AgentOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        options.Value.Training.ApplyToChildren(Environment.SetEnvironmentVariable);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
