using Grpc.Core;
using MlOps.Contracts;
using MlOps.Coordinator.Agents;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Scheduling;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Api;

/// <summary><c>ClusterService</c>: the agents the coordinator knows, with their capacity, free resources and jobs.</summary>
internal sealed class ClusterGrpcService(
    AgentDirectory directory,
    ICoordinatorStore store,
    SchedulerSignal scheduler,
    MlOps.Coordinator.Deployments.DeploymentSignal deployments,
    ILogger<ClusterGrpcService> logger) : ClusterService.ClusterServiceBase
{
    public override async Task<ListAgentsResponse> ListAgents(ListAgentsRequest request, ServerCallContext context)
    {
        var onAgents = await store.ListJobsByStateAsync([.. JobStates.OnAgent], context.CancellationToken);
        var response = new ListAgentsResponse();
        response.Agents.AddRange(directory.All.Select(agent => Info(agent, onAgents, directory)));
        return response;
    }

    /// <summary>Drain: the scheduler skips the agent at once; the deployment reconciler moves its replicas off, keeping
    /// them serving until their replacements are ready; jobs already running finish.</summary>
    public override async Task<AgentInfo> SetAgentDrain(SetAgentDrainRequest request, ServerCallContext context)
    {
        RpcErrors.RequireId(request.AgentId, "agent_id");
        var agent = await directory.SetDrainedAsync(request.AgentId, request.Drain, context.CancellationToken)
            ?? RpcErrors.ThrowNotFound<AgentRecord>("agent_id", $"agent '{request.AgentId}' has never connected to this coordinator");
        AgentLog.DrainChanged(logger, agent.AgentId, request.Drain);
        scheduler.Request();
        deployments.Request();
        var onAgents = await store.ListJobsByStateAsync([.. JobStates.OnAgent], context.CancellationToken);
        return Info(agent, onAgents, directory);
    }

    /// <summary>An agent as <c>ListAgents</c> shows it; free GPUs count only healthy ones, as the scheduler does.</summary>
    private static AgentInfo Info(AgentRecord agent, IReadOnlyList<Job> onAgents, AgentDirectory directory)
    {
        var mine = onAgents.Where(j => j.AgentId == agent.AgentId).ToList();
        var capacity = ResourceVector.Of(agent.Capacity);
        capacity = capacity with { Gpus = capacity.Gpus - directory.UnhealthyGpus(agent) };
        var free = capacity - SnapshotSource.Allocations(mine).GetValueOrDefault(agent.AgentId);
        var info = new AgentInfo
        {
            AgentId = agent.AgentId,
            Host = agent.Host,
            Version = agent.Version,
            Capacity = agent.Capacity,
            Status = agent.Status,
            LastSeen = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(agent.LastSeen),
            Free = new Resources
            {
                CpuCores = Math.Max(0, free.CpuCores), MemoryMb = Math.Max(0, free.MemoryMb), Gpus = Math.Max(0, free.Gpus),
            },
            Drained = agent.Drained,
        };
        info.RunningJobIds.AddRange(mine.Select(j => j.Id));
        info.GpuHealth.AddRange(directory.GpuHealth(agent.AgentId));
        return info;
    }
}
