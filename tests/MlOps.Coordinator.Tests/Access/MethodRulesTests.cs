using MlOps.Contracts.Access;
using MlOps.Coordinator.Access;

namespace MlOps.Coordinator.Tests.Access;

public sealed class MethodRulesTests
{
    [Fact]
    public void Unlisted_EveryMethodOfEveryServedServiceHasARule() => Assert.Empty(MethodRules.Unlisted());

    [Fact]
    public void Services_AreTheOnesTheCoordinatorMaps()
    {
        var mapped = typeof(MlOps.Coordinator.Hosting.CoordinatorEndpointExtensions).Assembly.GetTypes()
            .Select(t => t.BaseType)
            .Where(b => b?.DeclaringType is { } outer && outer.Namespace == "MlOps.Contracts" && b.Name.EndsWith("Base", StringComparison.Ordinal))
            .Select(b => b!.DeclaringType!.GetProperty("Descriptor")!.GetValue(null) as Google.Protobuf.Reflection.ServiceDescriptor)
            .Select(d => d!.FullName)
            .Order(StringComparer.Ordinal);

        Assert.Equal(mapped, MethodRules.Services.Select(s => s.FullName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("/mlops.v1.JobService/SubmitJob", AccessRole.Viewer, false)]
    [InlineData("/mlops.v1.JobService/SubmitJob", AccessRole.MlEngineer, true)]
    [InlineData("/mlops.v1.JobService/SubmitJob", AccessRole.Agent, false)]
    [InlineData("/mlops.v1.JobService/ListJobs", AccessRole.Viewer, true)]
    [InlineData("/mlops.v1.DeploymentService/Deploy", AccessRole.MlEngineer, false)]
    [InlineData("/mlops.v1.DeploymentService/Deploy", AccessRole.Deployer, true)]
    [InlineData("/mlops.v1.DeploymentService/Deploy", AccessRole.Admin, true)]
    [InlineData("/mlops.v1.ClusterService/SetAgentDrain", AccessRole.Deployer, false)]
    [InlineData("/mlops.v1.AgentService/Connect", AccessRole.Admin, false)]
    [InlineData("/mlops.v1.AgentService/Connect", AccessRole.Agent, true)]
    [InlineData("/mlops.v1.ArtifactService/PushBlob", AccessRole.Agent, true)]
    [InlineData("/mlops.v1.ArtifactService/PushBlob", AccessRole.Viewer, false)]
    [InlineData("/mlops.v1.AccessService/CreateToken", AccessRole.Deployer, false)]
    [InlineData("/mlops.v1.AccessService/ListAudit", AccessRole.Admin, true)]
    [InlineData("/mlops.v1.AccessService/WhoAmI", AccessRole.Agent, true)]
    [InlineData("/grpc.health.v1.Health/Check", AccessRole.None, true)]
    [InlineData("/mlops.v1.Unknown/Method", AccessRole.Deployer, false)]
    [InlineData("/mlops.v1.Unknown/Method", AccessRole.Admin, true)]
    public void Allows_FollowsTheRoleOrder(string method, AccessRole role, bool allowed) =>
        Assert.Equal(allowed, MethodRules.For(method).Allows(role));

    [Fact]
    public void Mutating_EveryWriteIsAuditedAndNoReadIs()
    {
        var mutating = MethodRules.All.Where(r => r.Value.Mutating).Select(r => r.Key.Split('/')[2]).ToHashSet(StringComparer.Ordinal);

        Assert.Contains("SubmitJob", mutating);
        Assert.Contains("Deploy", mutating);
        Assert.Contains("RevokeToken", mutating);
        Assert.Contains("Connect", mutating);
        Assert.DoesNotContain(mutating, m => m.StartsWith("Get", StringComparison.Ordinal) || m.StartsWith("List", StringComparison.Ordinal) || m.StartsWith("Watch", StringComparison.Ordinal));
    }

    [Fact]
    public void Describe_SaysWhoMayCall()
    {
        Assert.Equal("the deployer role or above", MethodRules.For("/mlops.v1.DeploymentService/Deploy").Describe());
        Assert.Equal("agents only", MethodRules.For("/mlops.v1.AgentService/Connect").Describe());
        Assert.Equal("agents, or the ml-engineer role or above", MethodRules.For("/mlops.v1.ArtifactService/PushBlob").Describe());
        Assert.Equal("the admin role", MethodRules.For("/mlops.v1.AccessService/CreateToken").Describe());
    }
}
