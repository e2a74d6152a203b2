using Grpc.Core;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Fakes;

/// <summary>TEST DOUBLE of the coordinator's ClusterService for CLI tests: returns <see cref="Agents"/>.</summary>
internal sealed class FakeClusterServiceForCliTests : ClusterService.ClusterServiceBase
{
    public List<AgentInfo> Agents { get; } = [];

    public List<SetAgentDrainRequest> DrainRequests { get; } = [];

    public override Task<AgentInfo> SetAgentDrain(SetAgentDrainRequest request, ServerCallContext context)
    {
        DrainRequests.Add(request);
        var agent = Agents.FirstOrDefault(a => a.AgentId == request.AgentId)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"agent_id: agent '{request.AgentId}' has never connected to this coordinator"));
        agent.Drained = request.Drain;
        return Task.FromResult(agent);
    }

    public override Task<ListAgentsResponse> ListAgents(ListAgentsRequest request, ServerCallContext context)
    {
        var response = new ListAgentsResponse();
        response.Agents.Add(Agents);
        return Task.FromResult(response);
    }
}
