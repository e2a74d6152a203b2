using System.Diagnostics;
using Grpc.Core;
using MlOps.Client.Inference;
using MlOps.Contracts;
using MlOps.Core.Datasets;
using MlOps.Discovery;
using MlOps.Discovery.Health;
using MlOps.Testing;

namespace MlOps.IntegrationTests;

/// <summary>
/// Discovery in the cluster (docs/discovery.md, "In the cluster") with a real Consul 1.8 dev agent, a real coordinator
/// and real agents: agents register themselves and their READY versions, the inference client finds replicas through
/// Consul, and the coordinator loses an agent whose Consul check fails.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ConsulDiscoveryTests
{
    [Fact]
    public async Task Agent_WithConsul_RegistersPassingWithItsCapacityAndLeavesOnStop()
    {
        await using var consul = await ConsulAgent.StartAsync();
        using var client = new ConsulClient(new ConsulOptions { Address = consul.Address });
        await using var cluster = new LocalCluster(consul.Address);
        await cluster.StartCoordinatorAsync();
        var (grpcPort, restPort) = (FreePort.Next(), FreePort.Next());
        var agent = await cluster.StartAgentAsync("c1", (grpcPort, restPort));

        var registered = await PassingAsync(client, ClusterServices.Agent, "c1", cluster);

        Assert.Contains("gpus=0", registered.Tags);
        Assert.Contains("serving=true", registered.Tags);
        Assert.Equal(Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), registered.Meta["cpu_cores"]);
        Assert.Equal($"http://127.0.0.1:{grpcPort}", registered.Meta[ClusterServices.GrpcAddressMeta]);
        Assert.Equal($"http://127.0.0.1:{restPort}", registered.Meta[ClusterServices.RestAddressMeta]);
        Assert.Equal(["c1:ttl"], registered.Checks.Where(c => c.ServiceId == "c1").Select(c => c.CheckId));

        var exitCode = await agent.StopAsync(TimeSpan.FromSeconds(30));
        Assert.True(exitCode == 0, $"agent exited with {exitCode}:\n{agent.Output}");

        var left = await client.GetServiceHealthAsync(ClusterServices.Agent);
        Assert.DoesNotContain(left.Value, i => i.ServiceId == "c1");
        Assert.Contains("Deregistered agent c1", agent.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_WithConsul_ReadyVersionIsAnMlopsModelAndTheClientPredictsThroughConsul()
    {
        await using var consul = await ConsulAgent.StartAsync();
        using var client = new ConsulClient(new ConsulOptions { Address = consul.Address });
        await using var cluster = new LocalCluster(consul.Address).WithTinyDataset();
        await cluster.StartCoordinatorAsync();
        var grpcPort = FreePort.Next();
        await cluster.StartAgentAsync("server", (grpcPort, FreePort.Next()));
        await DeploymentTests.TrainAsync(cluster, seed: 3);
        const string Model = DeploymentTests.Model;

        await cluster.Deployments.DeployAsync(new DeployRequest { Spec = new DeploymentSpec { Model = Model } });
        var model = await PassingAsync(client, ClusterServices.Model, $"server-{Model}-1", cluster, ClusterServices.ModelTag(Model));

        Assert.Contains("version=1", model.Tags);
        Assert.Equal(("127.0.0.1", grpcPort), (model.Address, model.Port));
        Assert.True(model.Meta.ContainsKey(ClusterServices.RestAddressMeta));

        // The coordinator is not asked for replicas: the client's coordinator channel leads nowhere.
        using var nowhere = Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{FreePort.Next()}");
        using var inference = new InferenceClient(nowhere, new InferenceClientOptions { ReplicaSource = new ConsulReplicaSource(client) });
        var test = MnistFormat.Load(cluster.DatasetPath).Test;
        var request = FashionInputs.Request(Model, FashionInputs.Normalized(test, 0), test);
        Assert.Equal("1", (await inference.PredictAsync(request)).ModelVersion);
        request.ModelVersion = "1";
        Assert.Equal("1", (await inference.PredictAsync(request)).ModelVersion);

        // Undeployed: the version leaves the agent and Consul.
        await cluster.Deployments.DeleteDeploymentAsync(new DeleteDeploymentRequest { Name = Model });
        await Eventually.Async(async () =>
            (await client.GetServiceHealthAsync(ClusterServices.Model)).Value.Count == 0,
            TimeSpan.FromSeconds(30), () => $"mlops-model still registered\n{cluster.Diagnostics()}");
    }

    [Fact]
    public async Task AgentFrozenMidJob_WithConsul_LostThroughConsulLongBeforeItsLeaseAndTheJobRequeued()
    {
        await using var consul = await ConsulAgent.StartAsync();
        using var client = new ConsulClient(new ConsulOptions { Address = consul.Address });
        await using var cluster = new LocalCluster(consul.Address).WithTinyDataset(trainCount: 6000, testCount: 200);
        // A lease far longer than the test: only Consul can find the agent lost in time.
        cluster.CoordinatorArguments.Add("--Coordinator:LeaseDuration=00:02:00");
        await cluster.StartCoordinatorAsync();
        var agent = await cluster.StartAgentAsync("first");
        await PassingAsync(client, ClusterServices.Agent, "first", cluster);
        var submitted = await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = Specs.TinyMlp("frozen", epochs: 12, hidden: 128) });
        await cluster.WaitForJobAsync(submitted.Job.Id, j => j.State == JobState.Running && j.LastProgress?.Step > 0, TimeSpan.FromMinutes(1));

        var frozen = Stopwatch.StartNew();
        agent.Pause(); // its stream stays open: without Consul, only the two-minute lease would notice
        try
        {
            var job = await cluster.WaitForJobAsync(submitted.Job.Id, j => j.State == JobState.Queued, TimeSpan.FromSeconds(45));

            Assert.True(frozen.Elapsed < TimeSpan.FromSeconds(45), $"took {frozen.Elapsed}");
            Assert.Equal("", job.AgentId);
            Assert.Equal(1, job.Attempt);
            var requeue = await FirstEventAsync(cluster, job.Id, e => e.StateChange?.To == JobState.Queued && e.StateChange.From == JobState.Running);
            Assert.Contains("agent first lost", requeue.StateChange.Reason, StringComparison.Ordinal);
            var agents = await cluster.Cluster.ListAgentsAsync(new ListAgentsRequest());
            Assert.Equal(AgentStatus.Lost, agents.Agents.Single(a => a.AgentId == "first").Status);
            Assert.Contains("Agent first lost: Consul reports it critical", cluster.Coordinator!.Output, StringComparison.Ordinal);
        }
        finally
        {
            agent.Resume();
        }
    }

    /// <summary>The job's first event matching <paramref name="match"/>; the job is not finished, so its watch would not end.</summary>
    private static async Task<JobEvent> FirstEventAsync(LocalCluster cluster, string jobId, Func<JobEvent, bool> match)
    {
        var seen = new List<JobEvent>();
        try
        {
            using var call = cluster.Jobs.WatchJob(new WatchJobRequest { JobId = jobId }, deadline: DateTime.UtcNow.AddSeconds(30));
            await foreach (var e in call.ResponseStream.ReadAllAsync())
            {
                if (match(e))
                {
                    return e;
                }

                seen.Add(e);
            }
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.DeadlineExceeded)
        {
        }

        throw new InvalidOperationException($"job {jobId} has no such event; seen:\n{string.Join('\n', seen)}\n{cluster.Diagnostics()}");
    }

    /// <summary>Waits until Consul lists the instance as passing (every check of it and of its node).</summary>
    private static async Task<ServiceHealth> PassingAsync(ConsulClient client, string service, string id, LocalCluster cluster, params string[] tags)
    {
        ServiceHealth? found = null;
        await Eventually.Async(async () =>
        {
            var answer = await client.GetServiceHealthAsync(service, new HealthFilter { PassingOnly = true, Tags = tags });
            found = answer.Value.FirstOrDefault(i => i.ServiceId == id);
            return found is not null;
        }, TimeSpan.FromSeconds(60), () => $"{service} {id} never passing in Consul\n{cluster.Diagnostics()}");
        return found!;
    }
}
