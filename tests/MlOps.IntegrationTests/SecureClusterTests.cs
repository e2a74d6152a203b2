using Grpc.Core;
using MlOps.Client.Inference;
using MlOps.Contracts;
using MlOps.Contracts.Inference;
using MlOps.Core.Datasets;
using MlOps.Testing;

namespace MlOps.IntegrationTests;

/// <summary>
/// A whole cluster the way an operator installs it (issue #8): mutual TLS, authentication on, an agent whose inference
/// endpoints take API tokens. The agent trains and publishes through the coordinator with its certificate alone; a
/// model is deployed with the first admin token; an inference consumer's token works on the agent once the
/// coordinator has pushed it, a call without one is refused, and revoking the token shuts it out of the agent too.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class SecureClusterTests
{
    private const string Model = "secure-tiny";

    [Fact]
    public async Task Cluster_WithTlsAndTokens_TrainsServesAndFollowsRevocationOnTheAgent()
    {
        await using var cluster = new LocalCluster().WithAuthentication().WithTinyDataset(trainCount: 500, testCount: 100);
        cluster.AgentArguments.Add("--Agent:Serving:Auth=token");
        await cluster.StartCoordinatorAsync();
        await cluster.StartAgentAsync("node-1", serving: (FreePort.Next(), FreePort.Next()));

        var spec = Specs.TinyMlp(Model, epochs: 1, hidden: 16);
        spec.Owner = "";
        var submitted = await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = spec });
        Assert.Equal("admin", submitted.Job.Spec.Owner);
        var job = await cluster.WaitForJobAsync(submitted.Job.Id, j => j.State is JobState.Succeeded or JobState.Failed, TimeSpan.FromMinutes(3));
        Assert.True(job.State == JobState.Succeeded && job.Result.ModelVersion > 0, $"{job}\n{cluster.Diagnostics()}");
        await cluster.Deployments.DeployAsync(new DeployRequest
        {
            Spec = new DeploymentSpec { Model = Model, Target = new ModelTarget { Version = job.Result.ModelVersion } },
        });
        await DeploymentTests.WaitAvailableAsync(cluster, Model, revision: 1);

        var access = new AccessService.AccessServiceClient(cluster.Channel);
        var consumer = await access.CreateTokenAsync(new CreateTokenRequest { Name = "dashboard", Role = "viewer" });
        var test = MnistFormat.Load(cluster.DatasetPath).Test;
        var request = FashionInputs.Request(Model, FashionInputs.Normalized(test, 0), test);

        // Replicas are found through the coordinator (with the admin token); the calls to the agent carry the consumer's.
        using var anonymous = new InferenceClient(cluster.Channel, new InferenceClientOptions());
        var refused = await Assert.ThrowsAsync<RpcException>(() => anonymous.PredictAsync(request, CancellationToken.None));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);

        using var client = new InferenceClient(cluster.Channel, new InferenceClientOptions
        {
            Security = new InferenceEndpointSecurity { BearerToken = consumer.Secret },
        });
        ModelInferResponse? answer = null;
        await Eventually.Async(async () =>
        {
            try
            {
                answer = await client.PredictAsync(request, CancellationToken.None);
                return true;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), () => $"the agent never accepted the consumer's token\n{cluster.Diagnostics()}");
        Assert.Equal(10, FashionInputs.Floats(answer!.RawOutputContents[0]).Length);

        await access.RevokeTokenAsync(new RevokeTokenRequest { Id = consumer.Token.Id });
        await Eventually.Async(async () =>
        {
            try
            {
                await client.PredictAsync(request, CancellationToken.None);
                return false;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.Unauthenticated)
            {
                return true;
            }
        }, TimeSpan.FromSeconds(30), () => $"the agent kept accepting a revoked token\n{cluster.Diagnostics()}");

        var audit = await access.ListAuditAsync(new ListAuditRequest { Method = "Connect" });
        Assert.Contains(audit.Records, r => r.Principal == "node-1" && r.AuthenticatedBy == "certificate CN=node-1");
        var deploys = await access.ListAuditAsync(new ListAuditRequest { Method = "DeploymentService/Deploy" });
        Assert.Contains(deploys.Records, r => r.Principal == "admin" && r.Outcome == "OK" && r.Target.Contains(Model, StringComparison.Ordinal));
    }
}
