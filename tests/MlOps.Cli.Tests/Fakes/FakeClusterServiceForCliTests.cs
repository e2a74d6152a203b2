using Grpc.Core;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Fakes;

/// <summary>TEST DOUBLE of the coordinator's ClusterService for CLI tests: returns <see cref="Agents"/>.</summary>
internal sealed class FakeClusterServiceForCliTests : ClusterService.ClusterServiceBase
{
    public List<AgentInfo> Agents { get; } = [];

    public override Task<ListAgentsResponse> ListAgents(ListAgentsRequest request, ServerCallContext context)
    {
        var response = new ListAgentsResponse();
        response.Agents.Add(Agents);
        return Task.FromResult(response);
    }
}
