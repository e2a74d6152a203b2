using Grpc.Core;
using MlOps.Contracts;
using MlOps.Coordinator.Agents;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Scheduling;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Api;

/// <summary><c>ClusterService</c>: the agents the coordinator knows, with their capacity, free resources and jobs.</summary>
internal sealed class ClusterGrpcService(AgentDirectory directory, ICoordinatorStore store) : ClusterService.ClusterServiceBase
{
    public override async Task<ListAgentsResponse> ListAgents(ListAgentsRequest request, ServerCallContext context)
    {
        var onAgents = await store.ListJobsByStateAsync([.. JobStates.OnAgent], context.CancellationToken);
        var allocated = SnapshotSource.Allocations(onAgents);
        var response = new ListAgentsResponse();
        foreach (var agent in directory.All)
        {
            var free = ResourceVector.Of(agent.Capacity) - allocated.GetValueOrDefault(agent.AgentId);
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
            };
            info.RunningJobIds.AddRange(onAgents.Where(j => j.AgentId == agent.AgentId).Select(j => j.Id));
            response.Agents.Add(info);
        }

        return response;
    }
}
